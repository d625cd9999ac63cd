"""Send the reminders that are due: once (for cron), or every minute with --loop."""

import signal
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from contracts.signing import send_signing_reminders


class Command(BaseCommand):
    help = "Send due reminders to signers who have not signed yet. Safe to run in parallel."

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
        sent = send_signing_reminders()
        self.stdout.write(f"{sent} signing reminder{'s' if sent != 1 else ''} sent.")
