"""Load a small demo practice. Safe to run again: it changes nothing that already exists."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from coaching import services
from coaching.models import (
    Client,
    ContactRole,
    Membership,
    Organisation,
    ProfessionalBody,
    SponsorContact,
    User,
)

DEMO_EMAIL = "coach@demo.tripartite.example"
DEMO_PASSWORD = "demo-coach-2026"  # noqa: S105 - a published demo login, never in production


class Command(BaseCommand):
    help = "Create the demo coach, a sponsor organisation with contacts, and clients."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        coach = User.objects.filter(email=DEMO_EMAIL).first()
        if coach is None:
            coach = services.coach_sign_up(
                email=DEMO_EMAIL,
                password=DEMO_PASSWORD,
                full_name="Alex Morgan",
                practice_name="Morgan Career Coaching",
            )
            profile = services.coach_profile(coach=coach)
            profile.phone = "+44 20 7946 0000"
            profile.insurer = "Hiscox"
            profile.insurance_policy_number = "PI-2026-48213"
            profile.insurance_cover_amount = Decimal("1000000.00")
            profile.insurance_expires_on = date(2027, 3, 31)
            profile.save()
            Membership.objects.create(
                coach=coach, body=ProfessionalBody.ICF, member_number="004812", credential="PCC"
            )
            Membership.objects.create(
                coach=coach,
                body=ProfessionalBody.CDI,
                member_number="CDI-77120",
                credential="Registered Career Development Professional",
            )
        self._people(coach)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready at {settings.SITE_URL}/ : sign in as {DEMO_EMAIL} "
                f"with the password {DEMO_PASSWORD}"
            )
        )

    def _people(self, coach: User) -> None:
        northwind, _ = Organisation.objects.get_or_create(
            coach=coach,
            name="Northwind Logistics Ltd",
            defaults={"address": "12 Canal Street\nManchester\nM1 3HE\nUnited Kingdom"},
        )
        contacts = [
            ("Priya Shah", "priya.shah@northwind.example", ContactRole.HR, "HR Director"),
            (
                "Tom Becker",
                "tom.becker@northwind.example",
                ContactRole.LINE_MANAGER,
                "Head of Ops",
            ),
        ]
        for name, email, role, title in contacts:
            SponsorContact.objects.get_or_create(
                coach=coach,
                email=email,
                defaults={
                    "organisation": northwind,
                    "name": name,
                    "role": role,
                    "job_title": title,
                },
            )
        clients = [
            ("Jordan Ellis", "jordan.ellis@northwind.example", "Operations Manager", northwind),
            ("Sam Okafor", "sam.okafor@northwind.example", "Finance Lead", northwind),
            ("Riley Chen", "riley.chen@example.com", "Freelance designer", None),
        ]
        for name, email, title, organisation in clients:
            Client.objects.get_or_create(
                coach=coach,
                email=email,
                defaults={"name": name, "job_title": title, "organisation": organisation},
            )
