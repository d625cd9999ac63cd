"""Write a backup of the database and of every stored file, with a manifest of hashes."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from coaching.backups import backup_create
from coaching.database_copy import BackupError


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


class Command(BaseCommand):
    help = (
        "Copy the database (pg_dump, or SQLite's online backup) and every stored file into a "
        "new folder, with a manifest of their sizes and SHA-256. Restore it with `restore`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            default=None,
            help="The folder in which to make the backup's own folder (default: VAR_DIR/backups).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output: Path = options["output"] or Path(settings.VAR_DIR) / "backups"
        try:
            backup = backup_create(output=output)
        except BackupError as error:
            raise CommandError(str(error)) from None
        database = backup.manifest["database"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {backup.path}: the database ({megabytes(database['size'])}) "
                f"and {len(backup.manifest['files'])} stored files "
                f"({megabytes(backup.stored_bytes)})."
            )
        )
