"""Reset the second factor of a coach who lost their phone, passkeys and recovery codes."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coaching.models import User, normalise_email
from coaching.services import two_factor_reset


class Command(BaseCommand):
    help = (
        "Remove every second factor (authenticator app, passkeys, recovery codes) of the "
        "account with this email address and sign it out everywhere. Check first, by a way "
        "other than email, that the request comes from the coach. The admin's history of the "
        "account records the operator and the reason, and the coach is told by email."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The coach's email address.")
        parser.add_argument(
            "--operator", required=True, help="Your own staff account's email address."
        )
        parser.add_argument(
            "--reason",
            required=True,
            help="How you checked it was the coach, e.g. 'phone call, 3 May, known number'.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        coach = User.objects.filter(email=normalise_email(options["email"])).first()
        if coach is None:
            raise CommandError("No account has that email address.")
        operator = User.objects.filter(
            email=normalise_email(options["operator"]), is_staff=True, is_active=True
        ).first()
        if operator is None:
            raise CommandError("--operator must name an active staff account.")
        if not options["reason"].strip():
            raise CommandError("--reason must say how you checked it was the coach.")
        removed = two_factor_reset(
            coach=coach, operator=operator, reason=options["reason"].strip()
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Removed {removed} second factor(s) and ended every session of account "
                f"{coach.pk}; the coach has been emailed. They sign in with their password "
                "and should set up two-factor sign-in again."
            )
        )
