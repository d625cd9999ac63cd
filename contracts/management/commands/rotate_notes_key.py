"""Re-encrypt every private note and intake answer with the newest key in NOTES_KEY."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from contracts.engagement.crypto import ROTATION_BATCH, rotate_all


class Command(BaseCommand):
    help = (
        "Re-encrypt private notes and intake answers with the first key of NOTES_KEY, "
        "in batches; safe to stop and run again. Once it reports success, the older keys "
        "may be removed from NOTES_KEY."
    )
    # The start-up check refuses a NOTES_KEY that lacks a key still in use: this command
    # must run precisely then, to say which texts no key can read.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch", type=int, default=ROTATION_BATCH, help="Rows re-encrypted per transaction."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch"] < 1:
            raise CommandError("--batch must be at least 1.")
        report = rotate_all(batch=options["batch"])
        summary = (
            f"{report.rotated} re-encrypted with the newest key, "
            f"{report.current} already under it."
        )
        if not report.complete:
            raise CommandError(
                f"{summary} {report.unreadable} cannot be decrypted with any key in "
                "NOTES_KEY: add the key they were written with (after the newest) and run "
                "this again. Keep every current key until then."
            )
        self.stdout.write(
            self.style.SUCCESS(f"{summary} The older keys may now be removed from NOTES_KEY.")
        )
