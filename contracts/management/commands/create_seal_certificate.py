"""Make a self-signed seal key and certificate for development (never for production)."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from contracts.documents.seal import create_seal_certificate


class Command(BaseCommand):
    help = "Create the development seal key and certificate at SEAL_KEY_FILE and SEAL_CERT_FILE."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Replace an existing key and certificate."
        )
        parser.add_argument("--common-name", default="Tripartite development seal")

    def handle(self, *args: Any, **options: Any) -> None:
        key_file, cert_file = Path(settings.SEAL_KEY_FILE), Path(settings.SEAL_CERT_FILE)
        if key_file.exists() and cert_file.exists() and not options["force"]:
            self.stdout.write(f"A seal certificate already exists at {cert_file}.")
            return
        create_seal_certificate(
            key_file=key_file, cert_file=cert_file, common_name=options["common_name"]
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Seal key written to {key_file} and certificate to {cert_file}. This "
                "certificate is self-signed: PDF readers will show the seal as not trusted. "
                "In production, use a certificate from a trusted provider."
            )
        )
