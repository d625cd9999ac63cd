"""Print how to sign in to the demo: `make run` ends with it, just before the server."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from contracts.management.commands.load_demo import DEMO_EMAIL, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Print the demo coach's login and where the app is served."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--url", default=settings.SITE_URL, help="Where the app is served (SITE_URL)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        url = str(options["url"]).rstrip("/")
        rule = "-" * 64
        self.stdout.write(rule)
        self.stdout.write(self.style.SUCCESS(f"Tripartite is running at {url}/ (Ctrl+C to stop)"))
        self.stdout.write(f"Sign in as:    {DEMO_EMAIL}")
        self.stdout.write(f"Password:      {DEMO_PASSWORD}")
        self.stdout.write(rule)
