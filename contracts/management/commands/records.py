"""Records for operators: what is due for disposal, disposing of it, a client's data.

    manage.py records due [--coach EMAIL] [--within DAYS]
    manage.py records dispose [--dry-run] [--coach EMAIL] [--agreement ID]

Each exits 1, saying why, when it cannot do what was asked.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coaching.models import RecordClass, User, normalise_email
from contracts.records import services
from contracts.records.services import Coming, RecordsError

OPERATOR = "Operator (manage.py records dispose)"


def _classes(classes: list[RecordClass]) -> str:
    return "; ".join(str(record_class.label).lower() for record_class in classes)


class Command(BaseCommand):
    help = (
        "Records due for disposal (due), and disposing of them (dispose, with --dry-run to "
        "only list)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        due = actions.add_parser("due", help="List the records due for disposal, and soon.")
        due.add_argument("--coach", help="Only this coach's records (their email).")
        due.add_argument(
            "--within", type=int, default=30, help="Also list what falls due within these days."
        )
        dispose = actions.add_parser("dispose", help="Dispose of every record due now.")
        dispose.add_argument("--dry-run", action="store_true", help="List, dispose of nothing.")
        dispose.add_argument("--coach", help="Only this coach's records (their email).")
        dispose.add_argument("--agreement", type=int, help="Only this agreement (its id).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "due":
            self._due(options)
        else:
            self._dispose(options)

    def _coach(self, email: str | None) -> User | None:
        if not email:
            return None
        coach = User.objects.filter(email=normalise_email(email)).first()
        if coach is None:
            raise CommandError(f"No coach has the address {email}.")
        return coach

    def _line(self, coming: Coming) -> str:
        schedule = coming.schedule
        agreement = schedule.agreement
        return (
            f"{agreement.reference} (id {agreement.pk}) of {agreement.coach.email}, "
            f"ended {schedule.ended_on:%Y-%m-%d}"
        )

    def _due(self, options: dict[str, Any]) -> None:
        if options["within"] < 0:
            raise CommandError("--within takes a number of days, 0 or more.")
        found = services.records_due(
            coach=self._coach(options["coach"]), within_days=options["within"]
        )
        due = [item for item in found if item.due]
        for item in found:
            self.stdout.write(self._line(item))
            if item.due:
                held = " (on hold: not disposed of)" if item.schedule.held else ""
                self.stdout.write(f"  due now{held}: {_classes(item.due)}")
            for record_class in item.soon:
                when = next(
                    c.due_on for c in item.schedule.classes if c.record_class == record_class
                )
                self.stdout.write(f"  due on {when:%Y-%m-%d}: {record_class.label}")
        self.stdout.write(
            f"{len(due)} agreement{'s' if len(due) != 1 else ''} with records due now; "
            f"{len(found) - len(due)} more within {options['within']} days."
        )

    def _dispose(self, options: dict[str, Any]) -> None:
        found = [
            item
            for item in services.records_due(coach=self._coach(options["coach"]), within_days=0)
            if item.due
            and (
                options["agreement"] is None or item.schedule.agreement.pk == options["agreement"]
            )
        ]
        disposed, failed = 0, 0
        for item in found:
            if item.schedule.held:
                self.stdout.write(f"{self._line(item)}: on hold, left as it is.")
                continue
            if options["dry_run"]:
                self.stdout.write(f"{self._line(item)}: would dispose of {_classes(item.due)}.")
                continue
            try:
                entries = services.records_dispose(
                    agreement=item.schedule.agreement, coach=None, actor=OPERATOR
                )
            except RecordsError as error:
                failed += 1
                self.stderr.write(f"{self._line(item)}: not disposed of: {error}")
                continue
            disposed += 1
            counted = ", ".join(f"{entry.record_class} ({entry.count})" for entry in entries)
            self.stdout.write(f"{self._line(item)}: disposed of {counted or 'nothing left'}.")
        if options["dry_run"]:
            self.stdout.write(
                f"Dry run: {len(found)} agreement(s) with records due; nothing disposed of."
            )
            return
        self.stdout.write(f"{disposed} agreement(s) disposed of; the disposal log shows each.")
        if failed:
            raise CommandError(f"{failed} agreement(s) could not be disposed of.")
