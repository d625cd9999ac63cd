"""Check every agreement's audit trail: its own chain, the newest signed checkpoint, and
the heads sealed into its signed PDFs; and every coach's disclosure log. Exits 1 if
anything was altered."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coaching.models import User
from contracts.checkpoints import when
from contracts.documents.anchors import verify_audit_trails
from contracts.models import Agreement
from contracts.sponsor.disclosure import verify_disclosures


class Command(BaseCommand):
    help = (
        "Check that no audit event was edited, removed or reordered, and that every trail "
        "still holds what its checkpoints and sealed PDFs saw, and that no coach's "
        "disclosure log was edited. Exits 1 if not."
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
        broken_logs = self._disclosure_logs(options["agreement"])
        latest = report.checkpoints.latest
        against = (
            f"checkpoint {latest.number} of {when(latest)}" if latest else "no checkpoint yet"
        )
        pdfs = f"{report.sealed_pdfs} sealed PDF{'s' if report.sealed_pdfs != 1 else ''}"
        if report.intact and not broken_logs:
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
        if broken_logs:
            logs = "disclosure logs have" if broken_logs != 1 else "disclosure log has"
            failures.append(f"{broken_logs} {logs} been altered.")
        raise CommandError(" ".join(failures))

    def _disclosure_logs(self, agreement_id: int | None) -> int:
        """Verify each coach's disclosure log (only the agreement's coach's, when one is
        named); report the problems and return how many logs are broken."""
        coaches = User.objects.filter(disclosures__isnull=False).distinct().order_by("pk")
        if agreement_id is not None:
            coaches = coaches.filter(
                pk__in=Agreement.objects.filter(pk=agreement_id).values("coach_id")
            )
        broken, checked = 0, 0
        for coach in coaches:
            checked += 1
            log = verify_disclosures(coach)
            if log.intact:
                continue
            broken += 1
            self.stderr.write(f"Coach {coach.pk}: disclosure log altered")
            for problem in log.problems:
                self.stderr.write(f"  {problem}")
        if not broken:
            self.stdout.write(
                f"{checked} disclosure log{'s' if checked != 1 else ''} checked: all intact."
            )
        return broken
