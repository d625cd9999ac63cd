"""Check a PDF file: is it an unmodified executed agreement sealed by this instance?"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from contracts.documents.seal import Verdict
from contracts.documents.verification import verify_document

VERDICTS = {
    Verdict.MODIFIED: "MODIFIED: the file carries this instance's seal but was changed since.",
    Verdict.FOREIGN: "NOT OURS: the file is signed, but not with this instance's seal.",
    Verdict.NOT_SEALED: "NOT SEALED: the file has no seal from this instance.",
    Verdict.NOT_PDF: "NOT A PDF: the file could not be read as a PDF.",
}


class Command(BaseCommand):
    help = "Check that a PDF is an unmodified executed agreement of this instance. Exits 1 if not."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
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
