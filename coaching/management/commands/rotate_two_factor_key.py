"""Encrypt the stored two-factor secrets with the newest NOTES_KEY."""

from typing import Any

from django.core.management.base import BaseCommand

from coaching.services import two_factor_secrets_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every authenticator app's and recovery codes' secret with the first key "
        "in NOTES_KEY. Run it after putting a new key in front (with rotate_notes_key), and "
        "before removing the old one."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        rotated = two_factor_secrets_rotate()
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {rotated} two-factor secret(s)."))
