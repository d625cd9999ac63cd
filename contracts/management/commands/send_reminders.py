"""The scheduler: once (for cron), or every minute with --loop.

Each pass sends the reminders that are due (signing reminders go to parties who have
not signed; review, ending and insurance reminders go to coaches: see
contracts.reviews.reminders, where they are chosen), queues the email retries that are
due and any email whose task was lost (contracts.outbox), and hands background tasks
whose worker died back to the workers (coaching.jobs).
Every AUDIT_CHECKPOINT_MINUTES, a pass also signs an audit checkpoint, if any trail
changed (see contracts.checkpoints); each pass checks a few whole audit trails,
those checked longest ago first. The first pass of each day also goes over the
records' retention (contracts.records.services.records_daily_pass), and every pass
deletes the stored files of disposed records not deleted yet.
"""

import signal
import time
from datetime import timedelta
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandParser

from coaching.jobs import reclaim_abandoned_tasks
from contracts.audit import agreements_due_a_full_check, record_full_check, verify_trail
from contracts.checkpoints import take_checkpoint
from contracts.outbox import deliver_due_emails
from contracts.records.disposal import retry_file_deletions
from contracts.records.services import records_daily_pass
from contracts.reviews.reminders import send_due_reminders
from contracts.signing.reminders import send_signing_reminders

# At one pass a minute, 100,000 trails are each checked whole about once a day.
TRAILS_CHECKED_PER_PASS = 70


class Command(BaseCommand):
    help = (
        "Send the reminders due now, retry emails and reclaim abandoned tasks. "
        "Safe to run in parallel."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep running, every minute.")
        parser.add_argument("--interval", type=int, default=60, help="Seconds between passes.")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stopping = False
        if not options["loop"]:
            self._pass()
            return
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        while not self.stopping:
            self._pass()
            for _ in range(options["interval"]):
                if self.stopping:
                    break
                time.sleep(1)
        self.stdout.write("Stopped.")

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True

    def _pass(self) -> None:
        reclaimed = reclaim_abandoned_tasks()
        signing = send_signing_reminders()
        report = send_due_reminders()
        emails = deliver_due_emails()
        self.stdout.write(
            f"{signing} signing reminder{'s' if signing != 1 else ''} queued and {report.sent} "
            f"coach reminder{'s' if report.sent != 1 else ''} sent"
            + (f"; {report.failed} failed and will be retried" if report.failed else "")
            + (
                f"; {emails.queued} email{'s' if emails.queued != 1 else ''} queued again"
                if emails.queued
                else ""
            )
            + (
                f"; {reclaimed} abandoned task{'s' if reclaimed != 1 else ''} handed back"
                if reclaimed
                else ""
            )
            + "."
        )
        self._records()
        self._checkpoint()
        self._check_trails()

    def _check_trails(self) -> None:
        """A few whole trails each pass, those checked longest ago first: pages check
        only the events added since (contracts.audit.check_new_events)."""
        altered = 0
        for agreement in agreements_due_a_full_check(TRAILS_CHECKED_PER_PASS):
            report = verify_trail(agreement)
            record_full_check(report)
            altered += not report.intact
        if altered:
            self.stderr.write(
                f"{altered} audit trail{'s' if altered != 1 else ''} altered: "
                "run manage.py verify_audit for the details."
            )

    def _records(self) -> None:
        records = records_daily_pass()
        if records.due or records.disposed or records.held or records.reminders or records.failed:
            self.stdout.write(
                f"Records: {records.due} class(es) due for disposal, {records.disposed} "
                f"disposed of automatically, {records.held} agreement(s) held, "
                f"{records.reminders} reminder(s) sent"
                + (f"; {records.failed} disposal(s) failed" if records.failed else "")
                + "."
            )
        deleted = retry_file_deletions()
        if deleted:
            self.stdout.write(f"{deleted} file(s) of disposed records deleted from storage.")

    def _checkpoint(self) -> None:
        try:
            checkpoint = take_checkpoint(
                unless_within=timedelta(minutes=settings.AUDIT_CHECKPOINT_MINUTES)
            )
        except ImproperlyConfigured as error:  # no seal key: the reminders still go out
            self.stderr.write(f"No audit checkpoint taken: {error}")
            return
        if checkpoint is not None:
            self.stdout.write(f"Audit checkpoint {checkpoint.number} taken.")
