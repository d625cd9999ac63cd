"""Copying a whole database to one file, and replacing a database with such a copy: with
pg_dump and pg_restore on PostgreSQL, and SQLite's online backup API on SQLite."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from django.db.backends.base.base import BaseDatabaseWrapper

# The connection settings libpq reads from the environment, so that none is on a command line.
PG_ENVIRONMENT = {"HOST": "PGHOST", "PORT": "PGPORT", "USER": "PGUSER", "PASSWORD": "PGPASSWORD"}
PG_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
}
TABLE_IN_DUMP = re.compile(r"^\d+; \d+ \d+ TABLE \S+ (\S+) ", re.MULTILINE)


class BackupError(Exception):
    """A backup cannot be made or restored; the message tells the operator why."""


def copy_database(connection: BaseDatabaseWrapper, target: Path) -> None:
    """A consistent copy of the connection's whole database, written to `target`."""
    if connection.vendor == "postgresql":
        _run_pg("pg_dump", ["--format=custom", f"--file={target}"], connection)
    else:
        _sqlite_copy(Path(connection.settings_dict["NAME"]), target)


def restore_database(connection: BaseDatabaseWrapper, copy: Path) -> list[str]:
    """Replace the connection's whole database with a copy made by copy_database.

    On PostgreSQL, in one transaction (a failure leaves the database as it was), then the
    tables of this version's models that the copy lacks are dropped, for `migrate` to make
    again; returns their names. On SQLite, the file is replaced page by page.
    """
    if connection.vendor == "postgresql":
        return _pg_restore(connection, copy)
    _sqlite_restore(copy, Path(connection.settings_dict["NAME"]))
    return []


def _run_pg(program: str, arguments: list[str], connection: BaseDatabaseWrapper) -> str:
    """Run a PostgreSQL client program against the connection's database; its output."""
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(
            f"{program} was not found on the PATH. Install the PostgreSQL client programs, "
            "of the server's major version or later (on Debian: postgresql-client-NN)."
        )
    settings = connection.settings_dict
    environment = dict(os.environ)  # libpq's own PG* variables apply, as they do to Django
    environment["PGDATABASE"] = str(settings["NAME"])
    for key, variable in PG_ENVIRONMENT.items():
        if settings.get(key):
            environment[variable] = str(settings[key])
    for option, variable in PG_OPTIONS.items():
        if settings["OPTIONS"].get(option):
            environment[variable] = str(settings["OPTIONS"][option])
    result = subprocess.run(  # noqa: S603 - a fixed program, with arguments made here
        [executable, "--no-password", *arguments],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        # Only the program's own lines: the server's CONTEXT and DETAIL lines can quote data.
        own = [line for line in result.stderr.splitlines() if line.startswith(f"{program}:")]
        reason = "\n".join(own[:10]) or f"exit status {result.returncode}"
        raise BackupError(f"{program} failed:\n{reason}")
    return result.stdout


def _pg_restore(connection: BaseDatabaseWrapper, dump: Path) -> list[str]:
    in_dump = set(TABLE_IN_DUMP.findall(_run_pg("pg_restore", ["--list", str(dump)], connection)))
    _run_pg(
        "pg_restore",
        [
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-acl",
            "--single-transaction",
            f"--dbname={connection.settings_dict['NAME']}",
            str(dump),
        ],
        connection,
    )
    with connection.cursor() as cursor:
        present = set(connection.introspection.table_names(cursor))
        ours = set(connection.introspection.django_table_names(only_existing=False))
        dropped = sorted((present & ours) - in_dump)
        for table in dropped:
            cursor.execute(f"DROP TABLE {connection.ops.quote_name(table)} CASCADE")
    return dropped


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy while the site keeps writing."""
    if not source.is_file():
        raise BackupError(f"There is no SQLite database at {source}.")
    with (
        closing(sqlite3.connect(source, timeout=20)) as database,
        closing(sqlite3.connect(target)) as copy,
    ):
        database.backup(copy)
        # One self-contained file, which restoring can open read-only without a -wal beside it.
        copy.execute("PRAGMA journal_mode=DELETE")


def _sqlite_restore(copy: Path, target: Path) -> None:
    """The whole database replaced through SQLite's backup API, page by page, under its lock."""
    with (
        closing(sqlite3.connect(f"{copy.resolve().as_uri()}?mode=ro", uri=True)) as source,
        closing(sqlite3.connect(target, timeout=20)) as database,
    ):
        source.backup(database)
