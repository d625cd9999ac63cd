from datetime import UTC, datetime

import pytest
from allauth.socialaccount.models import SocialAccount
from allauth.usersessions.models import UserSession
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from pytest_django import Settings

from coaching import throttle
from coaching.models import Membership, ProfessionalBody, User
from contracts.audit import record_full_check, verify_trail
from contracts.checkpoints import take_checkpoint
from contracts.documents.services import pdf_for
from contracts.drafting.services import template_create
from contracts.engagement.crypto import encrypt_text
from contracts.models import (
    Agreement,
    AgreementVersion,
    BreachRecord,
    ClientDecision,
    ClientDecisionKind,
    CoachingSession,
    DataRequest,
    DataRequestChannel,
    DataRequestKind,
    DisclosureBasis,
    DisclosureEntry,
    DisposalEntry,
    DisposalReason,
    FileDeletion,
    InformationRequest,
    Intake,
    IntakeQuestionnaire,
    IntakeStatus,
    LegalHold,
    MeetingKind,
    PdfKind,
    PortalLink,
    PrivateNote,
    Programme,
    ProgrammeChange,
    ProgrammeChangeKind,
    RecordsPass,
    Release,
    ReleaseKind,
    RequestChannel,
    Termination,
    ThreeWayMeeting,
    Tombstone,
)
from contracts.reviews import services as reviews
from contracts.reviews.reminders import send_due_reminders
from contracts.signing import services as signing
from tests.conftest import make_agreement, make_client, make_contact
from tests.contracts.signing_helpers import send_agreement

pytestmark = pytest.mark.django_db


def test_every_model_of_the_project_is_in_the_admin() -> None:
    ours = [m for m in apps.get_models() if m._meta.app_label in {"coaching", "contracts"}]
    assert [m for m in ours if m not in admin.site._registry] == []


def _make_records(agreement: Agreement, coach: User) -> None:
    """One row of each model of the records lifecycle, made directly."""
    today = timezone.localdate()
    Termination.objects.create(agreement=agreement, ended_on=today)
    LegalHold.objects.create(coach=coach, agreement=agreement, reason="A complaint")
    DataRequest.objects.create(
        coach=coach,
        client=agreement.client,
        kind=DataRequestKind.ACCESS,
        channel=DataRequestChannel.COACH,
        due_on=today,
    )
    DisposalEntry.objects.create(
        coach=coach,
        agreement=agreement,
        reference=agreement.reference,
        record_class="notes",
        count=1,
        reason=DisposalReason.RETENTION,
        by="Coach",
        digest="0" * 64,
    )
    Tombstone.objects.create(agreement=agreement, reference="TRI-9", audit_seq=1, audit_head="0")
    FileDeletion.objects.create(name="agreements/pdf/gone.pdf")
    RecordsPass.objects.create(day=today, claimed_by="test")


def test_every_model_has_an_admin_changelist_and_change_page(
    coach: User, settings: Settings
) -> None:
    make_client(coach=coach, organisation=make_contact(coach=coach).organisation)
    make_agreement(coach=coach)
    template_create(coach=coach, name="Mine")
    Membership.objects.create(coach=coach, body=ProfessionalBody.ICF)
    throttle.spend_token("admin-test", "someone", capacity=1, per_seconds=60)
    Group.objects.create(name="Reviewers")
    version = send_agreement(coach, sponsored=False)
    limits = [item["key"] for item in version.snapshot["terms"]["confidentiality_limits"]]
    for person in version.signers.all():
        signature = signing.Signature(typed_name=person.name, intent="Sign", limits=limits)
        signing.signer_sign(signer=person, signature=signature)
    agreement = version.agreement
    send_due_reminders(now=datetime(2027, 4, 12, 9, 0, tzinfo=UTC))
    reviews.review_still_holds(
        review=reviews.review_start(agreement=agreement, coach=coach), coach=coach
    )
    _make_engagement(agreement, version, coach)
    _make_records(agreement, coach)
    take_checkpoint()
    record_full_check(verify_trail(agreement))
    UserSession.objects.create(
        user=coach, ip="192.0.2.1", session_key="s" * 32, user_agent="Firefox/140.0"
    )
    SocialAccount.objects.create(user=coach, provider="practice-sso", uid="casey")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    pdf_for(agreement, PdfKind.DRAFT)  # queued in the database, not rendered
    staff = User.objects.create_superuser("admin@example.com", "admin-password-123", full_name="A")
    http = HttpClient()
    http.force_login(staff)

    for model in admin.site._registry:
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert http.get(changelist).status_code == 200, changelist
        assert http.get(changelist, {"q": "a"}).status_code == 200, changelist
        first = model._default_manager.first()
        assert first is not None, f"make a {meta.label} above, to open its change page"
        change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk])
        assert http.get(change).status_code == 200, change


def test_coaches_cannot_open_the_admin(signed_in: HttpClient) -> None:
    response = signed_in.get(reverse("admin:coaching_client_changelist"))
    assert response.status_code == 302


def _make_engagement(agreement: Agreement, version: AgreementVersion, coach: User) -> None:
    start = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
    session = CoachingSession.objects.create(
        agreement=agreement, version=version, starts_at=start, minutes=60, format="video"
    )
    PrivateNote.objects.create(
        agreement=agreement, session=session, ciphertext=encrypt_text("Private")
    )
    IntakeQuestionnaire.objects.create(coach=coach, name="Mine", questions=[])
    Intake.objects.create(
        agreement=agreement,
        signer=version.signers.get(role="client"),
        status=IntakeStatus.SENT,
    )
    ThreeWayMeeting.objects.create(
        agreement=agreement, version=version, kind=MeetingKind.CONTRACTING, starts_at=start
    )
    _make_sponsor_side(agreement, version, coach)


def _make_sponsor_side(agreement: Agreement, version: AgreementVersion, coach: User) -> None:
    contact = make_contact(coach=coach)
    programme = Programme.objects.create(
        coach=coach, organisation=contact.organisation, name="Leaders"
    )
    ProgrammeChange.objects.create(programme=programme, kind=ProgrammeChangeKind.CREATED, by=coach)
    PortalLink.objects.create(contact=contact, token_hash="0" * 64, expires_at=timezone.now())
    request = InformationRequest.objects.create(
        agreement=agreement,
        version=version,
        contact=contact,
        recipient="sponsor",
        kind="attendance",
        channel=RequestChannel.COACH,
        level="routine",
    )
    release = Release.objects.create(
        agreement=agreement,
        version=version,
        request=request,
        contact=contact,
        recipient="sponsor",
        kind=ReleaseKind.ATTENDANCE,
        information="attendance",
        level="routine",
        title="Attendance",
        body="Four sessions held.",
    )
    ClientDecision.objects.create(
        release=release,
        signer=version.signers.get(role="client"),
        decision=ClientDecisionKind.APPROVED,
        text_seen="Four sessions held.",
        text_sha256="1" * 64,
    )
    breach = BreachRecord.objects.create(
        agreement=agreement,
        version=version,
        limit_key="harm",
        occurred_on=timezone.localdate(),
        client_told_first=True,
        disclosed="Minimum",
        disclosed_to="GP",
        disclosed_how="Phone",
        disclosed_at=timezone.now(),
    )
    DisclosureEntry.objects.create(
        coach=coach,
        agreement=agreement,
        client=agreement.client,
        seq=1,
        what="Attendance",
        content_sha256="2" * 64,
        to_name="Harper HR",
        to_email="harper@example.com",
        to_role="sponsor",
        basis=DisclosureBasis.MATRIX,
        basis_reference="attendance.sponsor",
        approved_by="Coach",
        release=release,
        breach=breach,
        hash="3" * 64,
    )
