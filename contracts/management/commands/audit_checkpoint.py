"""Sign every agreement's audit head now, as a checkpoint (the scheduler does it hourly)."""

from typing import Any

from django.core.management.base import BaseCommand

from contracts.checkpoints import take_checkpoint, when


class Command(BaseCommand):
    help = (
        "Record every agreement's audit head, signed with the seal key, if any changed since "
        "the last checkpoint. Safe to run in parallel."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        checkpoint = take_checkpoint()
        if checkpoint is None:
            self.stdout.write("No checkpoint taken: no audit trail changed since the last one.")
            return
        trails = len(checkpoint.heads)
        self.stdout.write(
            self.style.SUCCESS(
                f"Checkpoint {checkpoint.number} taken at {when(checkpoint)}: "
                f"{trails} audit trail{'s' if trails != 1 else ''}, signed with the seal key."
            )
        )
