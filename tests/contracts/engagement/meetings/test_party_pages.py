"""Each party's page shows what is theirs: the client their sessions, intake status,
meetings and consents; the sponsor and others kept informed only what the matrix gives
them routinely; private notes and intake answers never."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from coaching.models import ContactRole, User
from contracts.engagement.crypto import encrypt_text
from contracts.engagement.meetings import services
from contracts.engagement.party import party_view
from contracts.links import issue_link
from contracts.models import (
    AgreementVersion,
    CoachingSession,
    Intake,
    IntakeStatus,
    LinkPurpose,
    MeetingKind,
    PrivateNote,
    SessionFormat,
    SessionStatus,
    Signer,
    SignerRole,
)
from contracts.terms import Recipient
from tests.contracts.engagement.meetings.helpers import in_force, matrix, page_of, party, plan

pytestmark = pytest.mark.django_db

NOTE_TEXT = "Client mentioned a health matter privately"
ANSWER_TEXT = "I do not want HR to know about my burnout"


def log_sessions(version: AgreementVersion) -> None:
    day = datetime(2026, 1, 12, 10, tzinfo=UTC)
    for offset, status in enumerate(
        [SessionStatus.HELD, SessionStatus.HELD, SessionStatus.NO_SHOW, SessionStatus.PLANNED]
    ):
        CoachingSession.objects.create(
            agreement=version.agreement,
            version=version,
            starts_at=day + timedelta(weeks=3 * offset),
            minutes=75,
            format=SessionFormat.VIDEO,
            status=status,
        )


def confidential_records(version: AgreementVersion) -> None:
    agreement = version.agreement
    PrivateNote.objects.create(agreement=agreement, ciphertext=encrypt_text(NOTE_TEXT))
    Intake.objects.create(
        agreement=agreement,
        signer=party(version, SignerRole.CLIENT),
        status=IntakeStatus.SUBMITTED,
        answers_ciphertext=encrypt_text(ANSWER_TEXT),
        health_consent_at=datetime(2026, 1, 5, 9, tzinfo=UTC),
    )


def test_the_client_sees_their_sessions_intake_status_meetings_and_consents(
    coach: User,
) -> None:
    version = in_force(coach)
    log_sessions(version)
    confidential_records(version)
    plan(version, MeetingKind.MIDPOINT, datetime(2027, 4, 6, 9, 30, tzinfo=UTC))

    page = page_of(party(version, SignerRole.CLIENT))

    assert "Your sessions" in page
    assert "2 held of 6 agreed · 1 missed · 1 planned" in page
    assert "12 January 2026, 10:00 UTC, 75 minutes: Held" in page
    assert "Client did not come" in page
    assert "Your intake questionnaire" in page and "Submitted." in page
    assert "Your answers stay with your coach" in page
    when = "Tuesday 6 April 2027, 10:30 to 11:30 (Europe/London)"
    assert f"Mid-point review</strong>: {when}" in page
    assert "not given: you appear there without your name" in page
    assert "given on 5 January 2026, in your intake questionnaire" in page
    assert 'name="consent" value="give"' in page, "the client can give it from here"
    assert NOTE_TEXT not in page and ANSWER_TEXT not in page


def test_the_sponsor_sees_attendance_only_when_the_matrix_shares_it_routinely(
    coach: User,
) -> None:
    routine = in_force(coach, sharing=matrix(attendance=("routine", "email", "monthly")))
    consent = in_force(coach, sharing=matrix(attendance=("consent", "report", "monthly")))
    for version in (routine, consent):
        log_sessions(version)
        confidential_records(version)

    shared = page_of(party(routine, SignerRole.SPONSOR))
    withheld = page_of(party(consent, SignerRole.SPONSOR))

    assert "Attendance and session dates" in shared
    assert "2 held of 6 agreed · 1 missed · 1 planned" in shared
    assert "12 January 2026, 10:00 UTC: Held" in shared
    assert "Missed" in shared and "Client did not come" not in shared, "not why it was missed"
    assert "75 minutes" not in shared
    assert "Attendance and session dates" not in withheld
    assert "12 January 2026" not in withheld
    for page in (shared, withheld):
        assert "Your intake questionnaire" not in page and "Submitted" not in page
        assert "Your consents" not in page
        assert NOTE_TEXT not in page and ANSWER_TEXT not in page


@pytest.mark.parametrize(
    ("contact_role", "recipient", "sees_attendance"),
    [
        (ContactRole.LINE_MANAGER, Recipient.LINE_MANAGER, True),
        (ContactRole.HR, Recipient.SPONSOR, False),
        (ContactRole.OTHER, None, False),
    ],
)
def test_an_observer_reads_the_column_of_their_role(
    coach: User, contact_role: str, recipient: Recipient | None, sees_attendance: bool
) -> None:
    version = in_force(
        coach,
        line_manager=True,
        sharing=matrix(
            attendance__line_manager=("routine", "email", "monthly"),
            attendance__sponsor=("consent", "report", "monthly"),
        ),
    )
    log_sessions(version)
    observer = party(version, SignerRole.OBSERVER)
    assert observer.contact is not None
    observer.contact.role = contact_role
    observer.contact.save()
    plan(version, MeetingKind.MIDPOINT, datetime(2027, 4, 6, 9, 30, tzinfo=UTC))

    view = party_view(Signer.objects.get(pk=observer.pk))
    page = page_of(observer)

    assert view.recipient == recipient
    assert (view.attendance is not None) is sees_attendance
    assert ("Attendance and session dates" in page) is sees_attendance
    assert view.meetings == [], "those kept informed are not invited to the meetings"
    assert "Mid-point review" not in page


def test_the_agreed_note_is_on_all_three_parties_pages(
    coach: User, sign_in: Callable[[User], HttpClient]
) -> None:
    version = in_force(coach)
    meeting = plan(version, MeetingKind.MIDPOINT, datetime(2027, 4, 6, 9, 30, tzinfo=UTC))
    note = "Jamie leads the planning from May; we meet again in July."

    with time_machine.travel("2027-04-06 12:00Z"):
        services.meeting_record_agreed(
            meeting=meeting, coach=coach, note=note, base=services.note_base(meeting)
        )
        coach_page = sign_in(coach).get(reverse("contracts:meetings", args=[version.agreement.pk]))
        client_page = page_of(party(version, SignerRole.CLIENT))
        sponsor_page = page_of(party(version, SignerRole.SPONSOR))

    assert note in coach_page.content.decode()
    for page in (client_page, sponsor_page):
        assert "What was agreed" in page
        assert note in page


def test_an_ended_versions_page_shows_nothing_of_the_engagement(coach: User) -> None:
    version = in_force(coach)
    log_sessions(version)
    AgreementVersion.objects.filter(pk=version.pk).update(ended_at=timezone.now())

    page = page_of(party(version, SignerRole.CLIENT))

    assert "Your sessions" not in page


def test_the_party_page_reads_a_bounded_number_of_queries(
    coach: User, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    version = in_force(coach)
    log_sessions(version)
    log_sessions(version)
    confidential_records(version)
    for kind, day in [
        (MeetingKind.CONTRACTING, 5),
        (MeetingKind.MIDPOINT, 6 * 30),
        (MeetingKind.CLOSE, 7 * 25),
    ]:
        plan(version, kind, datetime(2027, 1, 1, 10, tzinfo=UTC) + timedelta(days=day))
    pages = {}
    for role in (SignerRole.CLIENT, SignerRole.SPONSOR):
        token, _ = issue_link(party(version, role), LinkPurpose.VIEW)
        pages[role] = reverse("contracts:copy", args=[token])

    for path in pages.values():
        with django_assert_max_num_queries(QUERIES_AT_MOST):
            assert HttpClient().get(path).status_code == 200


# The copy page alone reads 24 (the link, its throttle, the view's evidence, the signers);
# the engagement adds four at most, whatever the number of sessions and meetings, and the
# client's disclosure log one.
QUERIES_AT_MOST = 29
