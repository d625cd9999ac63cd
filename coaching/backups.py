"""Backups of the whole site: a consistent copy of the database and of every stored file,
with a manifest of their hashes; and putting one back.

A backup is one directory, written under a hidden name and renamed once it is complete,
so that a backup cut short never looks like a backup:

    tripartite-20260314T020000Z/
        manifest.json      what the backup holds, and the size and SHA-256 of each file
        database.dump      pg_dump's custom format (PostgreSQL), or database.sqlite3
        files/...          every file of Django's default storage, under its own name

A directory rather than an archive: pg_dump writes straight into it, anyone can check it
with `ls` and `sha256sum`, and the tools that copy backups elsewhere (rsync, restic,
borg) send only what is new, which for PDFs kept for years is nearly everything.

The database is copied before the files. A PDF is written to storage before its row says
it is ready, and never changed afterwards, so every file the copied database refers to is
in the backup (one made in between is copied too, and not used).
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import shutil
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any, TypedDict, cast

from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from coaching.database_copy import BackupError, copy_database, restore_database

FORMAT = 1
MANIFEST = "manifest.json"
FILES = "files"
DATABASE_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
VENDOR_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
CHUNK = 1024 * 1024


class FileEntry(TypedDict):
    path: str  # inside the backup's directory
    size: int
    sha256: str


class DatabaseEntry(FileEntry):
    vendor: str


class StoredFileEntry(FileEntry):
    name: str  # its name in storage


class Manifest(TypedDict):
    format: int
    created_at: str
    app_version: str
    database: DatabaseEntry
    migrations: dict[str, str]  # app label: the latest migration applied
    files: list[StoredFileEntry]


@dataclass(frozen=True)
class Backup:
    path: Path
    manifest: Manifest

    @property
    def stored_bytes(self) -> int:
        return sum(entry["size"] for entry in self.manifest["files"])


@dataclass(frozen=True)
class Restored:
    files_written: int
    files_unchanged: int
    files_kept: int  # in storage but not in the backup: left in place
    tables_dropped: list[str]  # this version's tables the backup predates
    migrations_pending: int


def backup_create(*, output: Path, using: str = DEFAULT_DB_ALIAS) -> Backup:
    """Copy the database and every stored file into a new directory inside `output`.

    Raises BackupError (and leaves nothing behind) when a copy cannot be made.
    """
    connection = connections[using]
    vendor = connection.vendor
    if vendor not in DATABASE_FILES:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {vendor}.")
    created = timezone.now()
    final = output / f"tripartite-{created:%Y%m%dT%H%M%SZ}"
    if final.exists():
        raise BackupError(f"{final} already exists: run the backup again in a second.")
    partial = output / f".{final.name}.partial"
    output.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(mode=0o700)  # it holds everyone's agreements
    try:
        migrations = _applied_migrations(connection)
        database = partial / DATABASE_FILES[vendor]
        copy_database(connection, database)
        files = [_copy_stored(default_storage, name, partial) for name in stored_names()]
        manifest: Manifest = {
            "format": FORMAT,
            "created_at": created.isoformat(),
            "app_version": _app_version(),
            "database": {"vendor": vendor, **_entry(database, partial)},
            "migrations": migrations,
            "files": files,
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return Backup(final, manifest)


def backup_check(*, path: Path, using: str = DEFAULT_DB_ALIAS) -> Manifest:
    """The manifest of the backup at `path`, once it is known to suit this site and every
    file it lists is there, with its size and SHA-256.

    Raises BackupError naming what is wrong: another database vendor, migrations this
    version does not know, or a file missing or changed. The hashes find a damaged or
    incomplete copy; a deliberate forgery is for verify_audit and verify_pdf to find.
    """
    manifest = _read_manifest(path)
    try:
        vendor = manifest["database"]["vendor"]
        here = connections[using].vendor
        if vendor != here:
            raise BackupError(
                f"This is a backup of a {VENDOR_NAMES.get(vendor, vendor)} database, and this "
                f"site uses {VENDOR_NAMES.get(here, here)}: restore it into a "
                f"{VENDOR_NAMES.get(vendor, vendor)} database (set DATABASE_URL)."
            )
        known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
        unknown = [
            f"{app}.{name}"
            for app, name in sorted(manifest["migrations"].items())
            if (app, name) not in known
        ]
        if unknown:
            raise BackupError(
                f"This backup was made by another version of Tripartite "
                f"({manifest['app_version']}), with migrations this one does not have: "
                f"{', '.join(unknown)}. Restore it with the version that made it."
            )
        entries: list[FileEntry] = [manifest["database"], *manifest["files"]]
        problems = [problem for entry in entries if (problem := _entry_problem(path, entry))]
        for entry in manifest["files"]:
            _relative(entry["name"])
    except (KeyError, TypeError, AttributeError) as error:
        raise BackupError(f"{path / MANIFEST} is not a backup manifest ({error!r}).") from None
    if problems:
        listed = "\n".join(f"  {problem}" for problem in problems)
        raise BackupError(
            f"The backup at {path} is damaged or incomplete, so nothing was restored:\n{listed}"
        )
    return manifest


def backup_restore(*, path: Path, manifest: Manifest, using: str = DEFAULT_DB_ALIAS) -> Restored:
    """Put back a backup that backup_check accepted: first the stored files, then the whole
    database, replacing the one there.

    The files go first because they only add: what storage holds beyond the backup is left
    in place (a running site may be serving it; nothing the restored database refers to is
    missing). On PostgreSQL the database is replaced in one transaction, so a restore that
    fails leaves it as it was; tables of this version that the backup predates are dropped
    afterwards, for `migrate` to make again.
    """
    written = unchanged = 0
    for entry in manifest["files"]:
        name = entry["name"]
        if default_storage.exists(name):
            if _stored_sha256(default_storage, name) == entry["sha256"]:
                unchanged += 1
                continue
            default_storage.delete(name)
        with (path / _relative(entry["path"])).open("rb") as source:
            saved = default_storage.save(name, File(source))
        if saved != name:
            raise BackupError(f"The storage kept {name} under another name, {saved}.")
        written += 1
    kept = len(set(stored_names()) - {entry["name"] for entry in manifest["files"]})

    connection = connections[using]
    connection.close()
    dropped = restore_database(connection, path / _relative(manifest["database"]["path"]))
    connection.close()
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return Restored(written, unchanged, kept, dropped, len(pending))


def stored_names(storage: Storage = default_storage) -> list[str]:
    """The name of every file in storage, through the storage's own API (so any backend)."""
    names: list[str] = []
    folders = [""]
    while folders:
        folder = folders.pop()
        try:
            subfolders, files = storage.listdir(folder)
        except FileNotFoundError:
            if folder:
                raise
            return []  # nothing was ever stored: a file system storage's root is made then
        names += [posixpath.join(folder, name) for name in files]
        folders += [posixpath.join(folder, name) for name in subfolders]
    return sorted(names)


def _read_manifest(path: Path) -> Manifest:
    try:
        manifest: Any = json.loads((path / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{path} is not a backup: it has no {MANIFEST}.") from None
    except (OSError, ValueError) as error:
        raise BackupError(f"{path / MANIFEST} cannot be read: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path / MANIFEST} is not a manifest of backup format {FORMAT}.")
    return cast(Manifest, manifest)  # its fields are checked as they are read


def _entry_problem(root: Path, entry: FileEntry) -> str:
    """What is wrong with one file of a backup, or nothing."""
    file = root / _relative(entry["path"])
    if not file.is_file():
        return f"{entry['path']} is missing"
    size = file.stat().st_size
    if size != entry["size"]:
        return f"{entry['path']} has {size} bytes, and the manifest says {entry['size']}"
    if _entry(file, root)["sha256"] != entry["sha256"]:
        return f"{entry['path']} has changed: its SHA-256 is not the manifest's"
    return ""


def _relative(name: str) -> Path:
    """A name from storage or from a manifest, as a path that stays inside the backup."""
    parts = PurePosixPath(name).parts
    if not parts or PurePosixPath(name).is_absolute() or {"..", "."} & set(parts):
        raise BackupError(f"Refusing a file name that leaves the backup's folder: {name!r}.")
    return Path(*parts)


def _entry(file: Path, root: Path) -> FileEntry:
    digest = hashlib.sha256()
    with file.open("rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return {
        "path": file.relative_to(root).as_posix(),
        "size": file.stat().st_size,
        "sha256": digest.hexdigest(),
    }


def _copy_stored(storage: Storage, name: str, root: Path) -> StoredFileEntry:
    target = root / FILES / _relative(name)
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with storage.open(name, "rb") as source, target.open("xb") as copy:
        for chunk in source.chunks(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            copy.write(chunk)
    path = target.relative_to(root).as_posix()
    return {"name": name, "path": path, "size": size, "sha256": digest.hexdigest()}


def _stored_sha256(storage: Storage, name: str) -> str:
    digest = hashlib.sha256()
    with storage.open(name, "rb") as stored:
        for chunk in stored.chunks(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _applied_migrations(connection: BaseDatabaseWrapper) -> dict[str, str]:
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return {}
    latest: dict[str, str] = {}
    for app, name in recorder.migration_qs.order_by("applied", "id").values_list("app", "name"):
        latest[app] = name
    return latest


def _app_version() -> str:
    try:
        return metadata.version("tripartite")
    except metadata.PackageNotFoundError:
        return "unknown"
