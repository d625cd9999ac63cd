"""Records for operators: what is due for disposal, disposing of it, a client's data.

    manage.py records due [--coach EMAIL] [--within DAYS]
    manage.py records dispose [--dry-run] [--coach EMAIL] [--agreement ID]
    manage.py records export --client EMAIL [--coach EMAIL] [--output FILE]

Each exits 1, saying why, when it cannot do what was asked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coaching.models import Client, RecordClass, User, normalise_email
from contracts.engagement.crypto import NotesKeyMismatch
from contracts.records import services
from contracts.records.export import export_record, export_stream, package_name
from contracts.records.services import Coming, RecordsError

OPERATOR = "Operator (manage.py records dispose)"
OPERATOR_EXPORT = "Operator (manage.py records export)"


def _classes(classes: list[RecordClass]) -> str:
    return "; ".join(str(record_class.label).lower() for record_class in classes)


class Command(BaseCommand):
    help = (
        "Records due for disposal (due), disposing of them (dispose, with --dry-run to "
        "only list), and a client's copy of their data (export)."
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

        export = actions.add_parser("export", help="Write a client's subject access package.")
        export.add_argument("--client", required=True, help="The client's email address.")
        export.add_argument("--coach", help="The coach's email, if several have that client.")
        export.add_argument("--output", help="The ZIP file to write (default: here, named).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "due":
            self._due(options)
        elif options["action"] == "dispose":
            self._dispose(options)
        else:
            self._export(options)

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

    def _export(self, options: dict[str, Any]) -> None:
        clients = Client.objects.filter(email__iexact=options["client"].strip())
        coach = self._coach(options["coach"])
        if coach is not None:
            clients = clients.filter(coach=coach)
        matches = list(clients.select_related("coach__profile")[:2])
        if not matches:
            raise CommandError(f"No client has the address {options['client']}.")
        if len(matches) > 1:
            raise CommandError("Several coaches have a client with that address: add --coach.")
        client = matches[0]
        output = Path(options["output"] or package_name(client))
        try:
            stream = export_stream(client=client, coach=client.coach)
        except NotesKeyMismatch:
            raise CommandError(
                "NOTES_KEY cannot decrypt this client's notes or intake answers: put the key "
                "they were written with back in NOTES_KEY."
            ) from None
        try:
            with output.open("xb") as file:
                for chunk in stream:
                    file.write(chunk)
        except FileExistsError:
            raise CommandError(f"{output} already exists: choose another --output.") from None
        except OSError as error:
            output.unlink(missing_ok=True)
            raise CommandError(f"The package could not be written: {error}") from None
        export_record(client=client, coach=client.coach, actor=OPERATOR_EXPORT)
        self.stdout.write(
            f"Wrote {output} ({output.stat().st_size} bytes) for client {client.pk}."
        )
