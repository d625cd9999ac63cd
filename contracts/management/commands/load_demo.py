"""Load a small demo practice. Safe to run again: it changes nothing that already exists."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

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
from contracts.drafting.services import agreement_create
from contracts.models import (
    Agreement,
    FeeBasis,
    SessionFormat,
    Signer,
    SignerRole,
    add_months,
)
from contracts.signing import services as signing

DEMO_EMAIL = "coach@demo.tripartite.example"
DEMO_PASSWORD = "demo-coach-2026"  # noqa: S105 - a published demo login, never in production
QUIET_MAIL = "django.core.mail.backends.dummy.EmailBackend"


def _demo_signature(person: Signer) -> signing.Signature:
    terms = person.version.snapshot["terms"]
    return signing.Signature(
        typed_name=person.name,
        intent="Sign the agreement",
        limits=[item["key"] for item in terms["confidentiality_limits"]],
        authority=person.role == SignerRole.SPONSOR,
    )


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
            profile = coach.profile
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
        self._agreements(coach)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready at {settings.SITE_URL}/ : sign in as {DEMO_EMAIL} "
                f"with the password {DEMO_PASSWORD}"
            )
        )

    def _agreements(self, coach: User) -> None:
        """Agreements in several states: ready to send, unfinished, partly signed, signed.

        Signatures go through the signing services, so the demo's audit trails are real.
        Their emails are not printed: only what the coach does from now on is.
        """
        if Agreement.objects.for_coach(coach).exists():
            return
        with override_settings(MAILERS={"default": {"BACKEND": QUIET_MAIL}}):
            self._seed_agreements(coach)

    def _seed_agreements(self, coach: User) -> None:
        clients = {client.name: client for client in Client.objects.for_coach(coach)}
        northwind = Organisation.objects.get(coach=coach, name="Northwind Logistics Ltd")

        jordan = agreement_create(
            coach=coach,
            client=clients["Jordan Ellis"],
            template=None,
            title="Leadership coaching for Jordan Ellis",
        )
        jordan.goals = [
            {
                "goal": "Lead the newly merged operations team with confidence",
                "measure": "Jordan's own rating and the team pulse survey at the midpoint and end",
            },
            {
                "goal": "Delegate day-to-day scheduling to team leads",
                "measure": "Two team leads run the weekly schedule without escalation",
            },
        ]
        jordan.start_date, jordan.end_date = date(2027, 1, 11), date(2027, 7, 9)
        jordan.review_date = date(2027, 4, 12)
        jordan.fee_basis, jordan.fee_amount = FeeBasis.PACKAGE, Decimal("4800.00")
        jordan.session_location = "Northwind's Manchester office, or by video"
        jordan.save()
        jordan.stakeholders.set(
            SponsorContact.objects.filter(coach=coach, organisation=northwind, role="line_manager")
        )

        agreement_create(
            coach=coach,
            client=clients["Sam Okafor"],
            template=None,
            title="Career coaching for Sam Okafor",
        )

        # Riley's engagement started eleven months ago: its yearly review is due today, so
        # `manage.py send_reminders` has something to send in a fresh demo.
        today = timezone.localdate()
        riley = agreement_create(
            coach=coach,
            client=clients["Riley Chen"],
            template=None,
            title="Career transition coaching for Riley Chen",
        )
        riley.goals = [
            {
                "goal": "Decide whether to return to an in-house design role",
                "measure": "A decision Riley is confident in, with a plan for the first step",
            }
        ]
        riley.start_date = add_months(today, -11)
        riley.end_date = add_months(today, 4)
        riley.review_date = today
        riley.fee_basis, riley.fee_amount = FeeBasis.PER_SESSION, Decimal("150.00")
        riley.session_format = SessionFormat.VIDEO
        riley.save()
        version = signing.agreement_send(agreement=riley, coach=coach)
        for person in version.signers.order_by("role"):
            signing.signer_sign(signer=person, signature=_demo_signature(person))

        casey = agreement_create(
            coach=coach,
            client=clients["Casey Patel"],
            template=None,
            title="Leadership coaching for Casey Patel",
        )
        jordan.copy_terms_to(casey)
        casey.goals = [
            {
                "goal": "Prepare for the regional manager role",
                "measure": "A development plan agreed with the line manager by the midpoint",
            }
        ]
        casey.start_date, casey.end_date = date(2026, 12, 7), date(2027, 6, 4)
        casey.review_date = date(2027, 3, 8)
        casey.save()
        version = signing.agreement_send(agreement=casey, coach=coach)
        client_signer = version.signers.get(role=SignerRole.CLIENT)
        signing.signer_sign(signer=client_signer, signature=_demo_signature(client_signer))

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
            ("Casey Patel", "casey.patel@northwind.example", "Team Leader", northwind),
            ("Sam Okafor", "sam.okafor@northwind.example", "Finance Lead", northwind),
            ("Riley Chen", "riley.chen@example.com", "Freelance designer", None),
        ]
        for name, email, title, organisation in clients:
            Client.objects.get_or_create(
                coach=coach,
                email=email,
                defaults={"name": name, "job_title": title, "organisation": organisation},
            )
