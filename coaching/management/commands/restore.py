"""Put back a backup made by `backup`: the whole database and the stored files."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from coaching.backups import VENDOR_NAMES, backup_check, backup_restore
from coaching.database_copy import BackupError


class Command(BaseCommand):
    help = (
        "Check a backup against its manifest, then replace the database with it and put its "
        "stored files back. Stop the web server, the worker and the scheduler first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The backup's folder.")
        parser.add_argument(
            "--yes", action="store_true", help="Restore without asking for confirmation."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        try:
            manifest = backup_check(path=path)
        except BackupError as error:
            raise CommandError(str(error)) from None
        files = len(manifest["files"])
        self.stdout.write(
            f"The backup made at {manifest['created_at']} by Tripartite "
            f"{manifest['app_version']} is complete: its database and {files} stored files "
            "match the manifest."
        )
        if not options["yes"]:
            vendor = VENDOR_NAMES[connection.vendor]
            question = (
                f"This replaces the whole {vendor} database {connection.settings_dict['NAME']} "
                "with the backup's, and puts its stored files back. Type yes to restore: "
            )
            try:
                answer = input(question)
            except EOFError:
                answer = ""
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing was restored.")
        try:
            restored = backup_restore(path=path, manifest=manifest)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the database and {files} stored files from {path} "
                f"({restored.files_written} written, {restored.files_unchanged} already there)."
            )
        )
        if restored.files_kept:
            self.stdout.write(
                f"{restored.files_kept} stored files that are not in the backup were left in "
                "place."
            )
        if restored.tables_dropped:
            self.stdout.write(
                f"Tables of this version that the backup predates were dropped: "
                f"{', '.join(restored.tables_dropped)}."
            )
        if restored.migrations_pending:
            self.stdout.write(
                f"The backup predates {restored.migrations_pending} migrations of this version: "
                "run `manage.py migrate`."
            )
        self.stdout.write(
            "Now check what was restored: `manage.py verify_audit` (every audit trail) and "
            "`manage.py verify_pdf --all` (every sealed PDF)."
        )
