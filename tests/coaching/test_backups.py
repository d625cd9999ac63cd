"""Backing up the database and the stored files, losing them, and restoring them.

pg_dump and SQLite's backup API read from connections of their own, which see only what
is committed: these tests use the transactional database.
"""

import json
import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client as HttpClient
from pytest_django import Settings

from coaching.backups import VENDOR_NAMES, stored_names
from coaching.models import User
from contracts.models import Agreement, AgreementStatus, AuditEvent
from tests.conftest import make_coach
from tests.contracts.documents.helpers import download, executed_url, signed_agreement
from tests.contracts.test_commands import ROOT, this_database_url

STORED = "agreements/pdf/kept.pdf"


def backup_into(folder: Path) -> Path:
    """Run `backup`; the folder it made."""
    out = StringIO()
    call_command("backup", "--output", str(folder), stdout=out)
    (made,) = folder.glob("tripartite-*")
    assert f"Backup written to {made}" in out.getvalue()
    return made


def restore(backup: Path) -> str:
    """Run `restore --yes`; what it printed."""
    out = StringIO()
    call_command("restore", str(backup), "--yes", stdout=out)
    return out.getvalue()


def lose_everything() -> None:
    """Every table of the database dropped, and every stored file deleted."""
    for name in stored_names():
        default_storage.delete(name)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_keys = OFF")
            drops = [f"DROP TABLE {quote(table)}" for table in tables]
        else:
            drops = [f"DROP TABLE IF EXISTS {quote(table)} CASCADE" for table in tables]
        for drop in drops:
            cursor.execute(drop)
    assert connection.introspection.table_names() == []


def edit_manifest(backup: Path, **changes: object) -> None:
    manifest = json.loads((backup / "manifest.json").read_text())
    manifest.update(changes)
    (backup / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_it_brings_back_a_signed_agreement_and_its_sealed_pdf_after_both_were_lost(
    tmp_path: Path,
) -> None:
    coach = make_coach(full_name="Alex Morgan")
    http = HttpClient()
    http.force_login(coach)
    version = signed_agreement(coach, http)
    sealed = download(http, executed_url(version))
    events = AuditEvent.objects.filter(agreement=version.agreement).count()
    backup = backup_into(tmp_path / "backups")

    lose_everything()
    summary = restore(backup)

    # The coach's sealed PDF, and the parties' copy that the completion emails carried.
    assert "Restored the database and 2 stored files" in summary
    assert "`manage.py verify_audit`" in summary and "`manage.py verify_pdf --all`" in summary
    agreement = Agreement.objects.get(pk=version.agreement.pk)
    assert agreement.status == AgreementStatus.SIGNED
    assert AuditEvent.objects.filter(agreement=agreement).count() == events
    out = StringIO()
    call_command("verify_audit", stdout=out)
    call_command("verify_pdf", "--all", stdout=out)
    assert "1 audit trail checked" in out.getvalue()
    assert "all intact." in out.getvalue()
    assert "2 sealed PDFs checked: all authentic and as recorded." in out.getvalue()
    assert download(http, executed_url(version)) == sealed, "the same file, the coach still in"


@pytest.fixture
def backup(transactional_db: None, tmp_path: Path) -> Path:
    """A backup of a small site: one coach and one stored file."""
    make_coach(full_name="Dana Before")
    default_storage.save(STORED, ContentFile(b"%PDF-1.7 a file kept in storage"))
    return backup_into(tmp_path / "backups")


def test_it_restores_over_a_running_site_writing_only_what_differs(backup: Path) -> None:
    later = make_coach(full_name="Lee After")
    default_storage.save("agreements/pdf/later.pdf", ContentFile(b"%PDF-1.7 made later"))

    summary = restore(backup)

    assert "(0 written, 1 already there)" in summary
    assert "1 stored files that are not in the backup were left in place." in summary
    assert not User.objects.filter(pk=later.pk).exists(), "the database is the backup's"
    assert User.objects.filter(full_name="Dana Before").exists()
    assert stored_names() == ["agreements/pdf/kept.pdf", "agreements/pdf/later.pdf"]


def test_it_refuses_a_backup_whose_file_changed_naming_it(backup: Path) -> None:
    copy = backup / "files" / STORED
    data = bytearray(copy.read_bytes())
    data[3] ^= 0x01
    copy.write_bytes(bytes(data))
    later = make_coach(full_name="Lee After")

    with pytest.raises(CommandError, match=re.escape(f"files/{STORED} has changed")) as refused:
        restore(backup)

    assert "damaged or incomplete, so nothing was restored" in str(refused.value)
    assert User.objects.filter(pk=later.pk).exists()


def test_it_refuses_an_incomplete_backup_naming_the_missing_file(backup: Path) -> None:
    (database,) = [path for path in backup.glob("database.*")]
    database.unlink()

    with pytest.raises(CommandError, match=re.escape(f"{database.name} is missing")):
        restore(backup)


def test_it_refuses_a_backup_of_another_database_vendor(backup: Path) -> None:
    manifest = json.loads((backup / "manifest.json").read_text())
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    edit_manifest(backup, database={**manifest["database"], "vendor": other})

    expected = (
        f"This is a backup of a {VENDOR_NAMES[other]} database, and this site uses "
        f"{VENDOR_NAMES[connection.vendor]}"
    )
    with pytest.raises(CommandError, match=re.escape(expected)):
        restore(backup)


def test_it_refuses_a_backup_made_by_a_version_with_later_migrations(backup: Path) -> None:
    manifest = json.loads((backup / "manifest.json").read_text())
    edit_manifest(
        backup, migrations={**manifest["migrations"], "contracts": "9999_from_the_future"}
    )

    unknown = re.escape("does not have: contracts.9999_from_the_future")
    with pytest.raises(CommandError, match=unknown):
        restore(backup)


def test_it_refuses_a_folder_that_is_not_a_backup(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=re.escape("is not a backup: it has no manifest.json")):
        restore(tmp_path)


def test_it_restores_nothing_unless_told_yes(
    backup: Path, tmp_path: Path, settings: Settings
) -> None:
    later = make_coach(full_name="Lee After")
    env = {
        **os.environ,
        "DATABASE_URL": this_database_url(),
        "VAR_DIR": str(tmp_path),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    answered = subprocess.run(
        [sys.executable, "manage.py", "restore", str(backup)],
        cwd=ROOT,
        env=env,
        input="no\n",
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert answered.returncode == 1, answered.stderr
    assert "Type yes to restore" in answered.stdout
    assert "Nothing was restored." in answered.stderr
    assert User.objects.filter(pk=later.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_it_says_to_migrate_when_the_backup_predates_a_migration(tmp_path: Path) -> None:
    call_command("migrate", "sessions", "zero", verbosity=0)
    try:
        backup = backup_into(tmp_path / "backups")
        call_command("migrate", "sessions", verbosity=0)

        summary = restore(backup)

        assert "The backup predates 1 migrations of this version" in summary
        assert "django_session" not in connection.introspection.table_names()
    finally:
        call_command("migrate", verbosity=0)
    assert "django_session" in connection.introspection.table_names()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump is for PostgreSQL")
def test_it_says_so_when_pg_dump_is_missing(
    transactional_db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))

    with pytest.raises(CommandError, match="pg_dump was not found on the PATH"):
        backup_into(tmp_path / "backups")

    assert list((tmp_path / "backups").iterdir()) == [], "no half-made backup is left"


def test_a_backup_holds_the_manifest_of_what_it_copied(backup: Path) -> None:
    manifest = json.loads((backup / "manifest.json").read_text())

    assert manifest["format"] == 1
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["migrations"]["contracts"].startswith("00")
    assert [entry["name"] for entry in manifest["files"]] == [STORED]
    assert manifest["files"][0]["size"] == len(b"%PDF-1.7 a file kept in storage")
    assert sorted(path.name for path in backup.iterdir()) == sorted(
        ["files", "manifest.json", manifest["database"]["path"]]
    )
