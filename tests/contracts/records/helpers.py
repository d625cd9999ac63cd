"""An engagement signed for real, with a record of every class, that ended on 9 July 2027."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime

from django.core.management import call_command

from coaching.models import User
from contracts.documents.services import pdf_for
from contracts.engagement.intake import services as intake
from contracts.engagement.intake.questions import built_in_questions
from contracts.engagement.notes import services as notes
from contracts.engagement.sessions import services as sessions
from contracts.models import (
    Agreement,
    AgreementVersion,
    ClientDecisionKind,
    PdfKind,
    RequestChannel,
    SessionFormat,
    SessionStatus,
    SignerRole,
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
from tests.conftest import make_agreement

END = date(2027, 7, 9)


def sign_everyone(version: AgreementVersion) -> None:
    limits = [item["key"] for item in version.snapshot["terms"]["confidentiality_limits"]]
    for person in version.signers.exclude(role=SignerRole.OBSERVER).order_by("role"):
        signing.signer_sign(
            signer=person,
            signature=signing.Signature(
                typed_name=person.name,
                intent="Sign the agreement",
                limits=limits,
                authority=person.role == SignerRole.SPONSOR,
            ),
        )


def ended_engagement(
    coach: User, *, periods: dict[str, int] | None = None, sealed: bool = False
) -> Agreement:
    """Signed by all three from 11 January to 9 July 2027: two sessions, a three-way
    meeting, two private notes, the intake submitted, a progress summary the client
    approved released to HR (so in the disclosure log), emails; with `sealed`, the
    signed PDF too (rendered and sealed, a few seconds)."""
    agreement = make_agreement(coach=coach, complete=True, session_count=6)
    agreement.sharing[InformationKind.PROGRESS][Recipient.SPONSOR] = sharing_cell(
        SharingLevel.APPROVED_SUMMARY,
        SharingMethod.REPORT,
        SharingTiming.MIDPOINT_AND_END,
        PreparedBy.COACH,
    )
    for name, value in (periods or {}).items():
        agreement.records[name]["retention_years"] = value
    agreement.save()
    version = signing.agreement_send(agreement=agreement, coach=coach)
    sign_everyone(version)
    agreement.refresh_from_db()
    zone = zoneinfo.ZoneInfo(coach.profile.time_zone)
    for day, status in (
        (date(2027, 2, 1), SessionStatus.HELD),
        (date(2027, 3, 1), SessionStatus.HELD),
    ):
        session = sessions.session_log(
            agreement=agreement,
            coach=coach,
            data=sessions.SessionData(
                starts_at=datetime(day.year, day.month, day.day, 9, tzinfo=zone),
                minutes=60,
                format=SessionFormat.VIDEO,
                status=status,
                pro_bono=False,
            ),
        )
    notes.note_write(agreement=agreement, coach=coach, session=session, text="Avoids conflict.")
    notes.note_write(agreement=agreement, coach=coach, text="Strong on operations.")
    sent = intake.intake_send(agreement=agreement, coach=coach, questions=built_in_questions())
    intake.intake_answer(
        intake=sent,
        answers={"goals": "Keep my team together.", "context": "A new shift pattern."},
        health_consent=False,
        revision=sent.revision,
        submit=True,
    )
    hr = agreement.sponsor_signatory
    assert hr is not None
    asked = asking.request_receive(
        agreement=agreement,
        contact=hr,
        kind=InformationKind.PROGRESS,
        asked="A short progress summary, please.",
        channel=RequestChannel.PORTAL,
        actor=f"Sponsor: {hr.name} <{hr.email}>",
    )
    summary = requests.release_prepare(
        agreement=agreement,
        coach=coach,
        title="Progress summary",
        body="Attending every session; working on both goals.",
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
    agreement = Agreement.objects.with_parties().get(pk=agreement.pk)
    if sealed:
        pdf_for(agreement, PdfKind.EXECUTED, agreement.versions.get())
    return agreement


def at_noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def verify_audit() -> str:
    """`manage.py verify_audit`'s report (it raises if anything was altered)."""
    from io import StringIO

    out = StringIO()
    call_command("verify_audit", stdout=out, stderr=out)
    return out.getvalue()
