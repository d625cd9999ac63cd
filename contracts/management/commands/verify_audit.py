"""Check every agreement's audit trail: its own chain, the newest signed checkpoint, and
the heads sealed into its signed PDFs. Exits 1 if anything was altered."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from contracts.checkpoints import when
from contracts.documents.anchors import verify_audit_trails


class Command(BaseCommand):
    help = (
        "Check that no audit event was edited, removed or reordered, and that every trail "
        "still holds what its checkpoints and sealed PDFs saw. Exits 1 if not."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agreement", type=int, help="Check only this agreement (its id).")

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_audit_trails(agreement_id=options["agreement"])
        for trail in report.altered:
            self.stderr.write(f"Agreement {trail.agreement_id}: audit trail altered")
            for problem in trail.problems:
                self.stderr.write(f"  {problem}")
        for problem in report.removed:
            self.stderr.write(problem)
        if report.checkpoints.problems:
            self.stderr.write("Audit checkpoints altered")
            for problem in report.checkpoints.problems:
                self.stderr.write(f"  {problem}")
        latest = report.checkpoints.latest
        against = (
            f"checkpoint {latest.number} of {when(latest)}" if latest else "no checkpoint yet"
        )
        pdfs = f"{report.sealed_pdfs} sealed PDF{'s' if report.sealed_pdfs != 1 else ''}"
        if report.intact:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{report.checked} audit trail{'s' if report.checked != 1 else ''} "
                    f"checked, against {against} and {pdfs}: all intact."
                )
            )
            return
        failures = []
        if report.altered or report.removed:
            altered = len(report.altered) + len(report.removed)
            total = report.checked + len(report.removed)
            failures.append(f"{altered} of {total} audit trails have been altered.")
        if report.checkpoints.problems:
            failures.append("The audit checkpoints have been altered.")
        raise CommandError(" ".join(failures))
