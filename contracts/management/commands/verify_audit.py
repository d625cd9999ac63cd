"""Recompute every agreement's audit chain and report any that was altered."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from contracts.audit import verify_trail
from contracts.models import Agreement


class Command(BaseCommand):
    help = "Check that no audit event was edited, removed or reordered. Exits 1 if one was."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agreement", type=int, help="Check only this agreement (its id).")

    def handle(self, *args: Any, **options: Any) -> None:
        agreements = Agreement.objects.order_by("pk")
        if options["agreement"]:
            agreements = agreements.filter(pk=options["agreement"])
        checked, broken = 0, 0
        for agreement in agreements.iterator():
            report = verify_trail(agreement)
            checked += 1
            if not report.intact:
                broken += 1
                self.stderr.write(f"Agreement {agreement.pk}: audit trail altered")
                for problem in report.problems:
                    self.stderr.write(f"  {problem}")
        if broken:
            raise CommandError(f"{broken} of {checked} audit trails have been altered.")
        self.stdout.write(self.style.SUCCESS(f"{checked} audit trails checked: all intact."))
