"""Load a small demo practice. Safe to run again: it changes nothing that already exists."""

import io
import zoneinfo
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from coaching import services
from coaching.branding import logo_prepare
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
from contracts.engagement.intake import services as intake
from contracts.engagement.intake.questions import built_in_questions
from contracts.engagement.meetings import services as meetings
from contracts.engagement.notes import services as notes
from contracts.engagement.sessions import services as sessions
from contracts.models import (
    Agreement,
    ClientDecisionKind,
    FeeBasis,
    MeetingKind,
    RequestChannel,
    SessionFormat,
    SessionStatus,
    Signer,
    SignerRole,
    add_months,
)
from contracts.signing import services as signing
from contracts.sponsor import asking
from contracts.sponsor.requests import services as requests
from contracts.terms import (
    InformationKind,
    PreparedBy,
    Recipient,
    SharingLevel,
    SharingMethod,
    SharingTiming,
    sharing_cell,
)

DEMO_EMAIL = "coach@demo.tripartite.example"
DEMO_PASSWORD = "demo-coach-2026"  # noqa: S105 - a published demo login, never in production
QUIET_MAIL = "django.core.mail.backends.dummy.EmailBackend"
DEMO_COLOR = "#6b2d5c"
DEMO_FONT = "vendor/source-sans-3.52.0/SourceSans3-Semibold.ttf"


def _demo_logo() -> bytes:
    """A small wordmark for the demo practice: a monogram and its name, in its colour."""
    color = DEMO_COLOR
    image = Image.new("RGBA", (580, 120), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 112, 112), fill=color)
    font_file = str(settings.BASE_DIR / "static" / DEMO_FONT)
    draw.text((60, 60), "M", font=ImageFont.truetype(font_file, 64), fill="white", anchor="mm")
    name_font = ImageFont.truetype(font_file, 40)
    draw.text((132, 60), "Morgan Career Coaching", font=name_font, fill=color, anchor="lm")
    output = io.BytesIO()
    image.save(output, "PNG")
    return output.getvalue()


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
            services.coach_update_brand(
                profile=profile, color=DEMO_COLOR, logo=logo_prepare(io.BytesIO(_demo_logo()))
            )
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

        self._engagement(coach, template=jordan, client=clients["Morgan Blake"], today=today)

    def _engagement(
        self, coach: User, *, template: Agreement, client: Client, today: date
    ) -> None:
        """An agreement in force for three months: sessions held and planned, private notes,
        the client's intake submitted, the contracting meeting held and the mid-point dated."""
        morgan = agreement_create(
            coach=coach, client=client, template=None, title="Leadership coaching for Morgan Blake"
        )
        template.copy_terms_to(morgan)
        morgan.goals = [
            {
                "goal": "Run the warehouse through the new shift pattern without losing people",
                "measure": "Morgan's own rating, and staff turnover at the midpoint and end",
            }
        ]
        morgan.start_date, morgan.end_date = add_months(today, -3), add_months(today, 3)
        morgan.review_date = add_months(today, 1)
        # Progress goes to HR as a summary Morgan approves first; the line manager is kept
        # informed, and the agreement never gives him what is said in sessions.
        morgan.sharing[InformationKind.PROGRESS][Recipient.SPONSOR] = sharing_cell(
            SharingLevel.APPROVED_SUMMARY,
            SharingMethod.REPORT,
            SharingTiming.MIDPOINT_AND_END,
            PreparedBy.COACH,
        )
        morgan.save()
        manager = SponsorContact.objects.get(coach=coach, email="tom.becker@northwind.example")
        morgan.stakeholders.set([manager])
        version = signing.agreement_send(agreement=morgan, coach=coach)
        for person in version.signers.exclude(role=SignerRole.OBSERVER).order_by("role"):
            signing.signer_sign(signer=person, signature=_demo_signature(person))
        morgan.refresh_from_db()

        zone = zoneinfo.ZoneInfo(coach.profile.time_zone)

        def at(months: int, days: int, hour: int) -> datetime:
            day = add_months(today, months) + timedelta(days=days)
            return datetime.combine(day, time(hour), tzinfo=zone)

        contracting = meetings.meeting_plan(
            agreement=morgan,
            coach=coach,
            kind=MeetingKind.CONTRACTING,
            starts_at=at(-3, 1, 10),
            minutes=60,
            location="Northwind's Manchester office",
        )
        meetings.meeting_record_agreed(
            meeting=contracting,
            coach=coach,
            note="We agreed the two goals above, that Priya receives attendance after each "
            "session, and that progress is discussed together at the mid-point meeting.",
            base=meetings.note_base(contracting),
        )
        meetings.meeting_plan(
            agreement=morgan,
            coach=coach,
            kind=MeetingKind.MIDPOINT,
            starts_at=at(0, 10, 14),
            minutes=45,
            location="By video",
        )
        held = [
            (at(-3, 8, 9), SessionStatus.HELD),
            (at(-2, 5, 9), SessionStatus.HELD),
            (at(-1, 3, 9), SessionStatus.LATE_CANCELLED),
            (at(-1, 17, 9), SessionStatus.HELD),
            (at(0, 14, 9), SessionStatus.PLANNED),
        ]
        logged = [
            sessions.session_log(
                agreement=morgan,
                coach=coach,
                data=sessions.SessionData(
                    starts_at=starts_at,
                    minutes=90,
                    format=SessionFormat.MIXED,
                    status=status,
                    pro_bono=False,
                ),
            )
            for starts_at, status in held
        ]
        notes.note_write(
            agreement=morgan,
            coach=coach,
            session=logged[0],
            text="First session: energy high, worried about losing two experienced team "
            "leads to the new pattern. Explore what 'fair' means to the team next time.",
        )
        notes.note_write(
            agreement=morgan,
            coach=coach,
            text="Overall: strong on operations, avoids difficult conversations. Watch for "
            "over-functioning when under pressure.",
        )
        sent = intake.intake_send(agreement=morgan, coach=coach, questions=built_in_questions())
        intake.intake_answer(
            intake=sent,
            answers={
                "goals": "Keep my team together through the change, and sleep better.",
                "context": "New shift pattern from March; two team leads are unhappy.",
                "sponsor_should_know": "I am committed to making the pattern work.",
                "sponsor_should_not_know": "I have been offered a role elsewhere.",
                "format": "In person",
            },
            health_consent=False,
            revision=sent.revision,
            submit=True,
        )
        self._sponsor_side(coach, morgan, manager)

    def _sponsor_side(self, coach: User, morgan: Agreement, manager: SponsorContact) -> None:
        """Seed 001's manager asks for "a full report" and is refused from the signed
        matrix; HR receives a progress summary Morgan approved; both in the disclosure log
        (the refusal is not a disclosure; the release is)."""
        full_report = asking.request_receive(
            agreement=morgan,
            contact=manager,
            kind=InformationKind.CONTENT,
            asked="A full report of what is discussed in the sessions, or we stop paying.",
            channel=RequestChannel.PORTAL,
            actor=f"Line manager: {manager.name} <{manager.email}>",
        )
        requests.request_decline(
            information_request=full_report,
            coach=coach,
            answer=requests.decline_draft(full_report),
        )
        hr = morgan.sponsor_signatory
        if hr is None:
            raise CommandError("The demo's engagement needs a sponsor signatory.")
        asked = asking.request_receive(
            agreement=morgan,
            contact=hr,
            kind=InformationKind.PROGRESS,
            asked="A short progress summary before the mid-point review, please.",
            channel=RequestChannel.PORTAL,
            actor=f"Sponsor: {hr.name} <{hr.email}>",
        )
        summary = requests.release_prepare(
            agreement=morgan,
            coach=coach,
            title="Mid-point progress summary",
            body="Morgan has attended every session agreed so far and is working on both "
            "goals. The team kept its two experienced leads through the first month of the "
            "new shift pattern; Morgan will say more at the mid-point review.",
            information_request=asked,
        )
        summary = requests.release_to_client(release=summary, coach=coach)
        requests.client_decide(
            release=summary,
            signer=summary.version.signers.get(role=SignerRole.CLIENT),
            decision=ClientDecisionKind.APPROVED,
            text_sha256=requests.text_hash(summary.title, summary.body),
        )
        requests.release_send(release=summary, coach=coach)

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
            ("Morgan Blake", "morgan.blake@northwind.example", "Warehouse Manager", northwind),
        ]
        for name, email, title, organisation in clients:
            Client.objects.get_or_create(
                coach=coach,
                email=email,
                defaults={"name": name, "job_title": title, "organisation": organisation},
            )
