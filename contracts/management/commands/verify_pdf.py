"""Check a PDF file: is it an unmodified executed agreement sealed by this instance? Or check
every sealed PDF in storage (after a restore, for instance)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from contracts.documents.seal import Verdict
from contracts.documents.verification import verify_document, verify_stored_pdfs

VERDICTS = {
    Verdict.MODIFIED: "MODIFIED: the file carries this instance's seal but was changed since.",
    Verdict.FOREIGN: "NOT OURS: the file is signed, but not with this instance's seal.",
    Verdict.NOT_SEALED: "NOT SEALED: the file has no seal from this instance.",
    Verdict.NOT_PDF: "NOT A PDF: the file could not be read as a PDF.",
}


class Command(BaseCommand):
    help = (
        "Check that a PDF is an unmodified executed agreement of this instance, or with --all "
        "that every sealed PDF in storage is. Exits 1 if not."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, nargs="?")
        parser.add_argument(
            "--all",
            action="store_true",
            help="Check every sealed PDF in storage: there, as recorded, and its seal intact.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path | None = options["file"]
        if (path is None) == (not options["all"]):
            raise CommandError("Give the FILE to check, or --all (not both).")
        if path is None:
            self._check_stored()
            return
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        result = verify_document(path.read_bytes())
        if result.verdict != Verdict.AUTHENTIC:
            raise CommandError(VERDICTS[result.verdict])
        when = result.completed_at.isoformat() if result.completed_at else "an unknown date"
        records = "" if result.in_records else " (not found in this instance's records)"
        self.stdout.write(
            self.style.SUCCESS(
                f"AUTHENTIC: agreement {result.reference}, version {result.version_number}, "
                f"signed by all parties at {when}; unmodified since{records}."
            )
        )

    def _check_stored(self) -> None:
        checked, failed = 0, 0
        for check in verify_stored_pdfs():
            checked += 1
            if check.verdict != Verdict.AUTHENTIC:
                failed += 1
                reason = VERDICTS[check.verdict] if check.verdict else check.problem
                self.stderr.write(
                    f"PDF {check.pdf.pk} of agreement {check.pdf.agreement.reference}: {reason}"
                )
        if failed:
            raise CommandError(f"{failed} of {checked} sealed PDFs failed the check.")
        self.stdout.write(
            self.style.SUCCESS(f"{checked} sealed PDFs checked: all authentic and as recorded.")
        )
