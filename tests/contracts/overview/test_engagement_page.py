"""The engagement page gathers sessions, meetings, intake and notes, without a note's text."""

from datetime import UTC, datetime

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from coaching.models import User
from contracts.engagement.notes import services as notes
from contracts.models import AuditEvent, AuditEventKind, CoachingSession, SessionStatus
from tests.contracts.engagement.sessions.helpers import in_force

pytestmark = pytest.mark.django_db


def test_the_engagement_page_shows_each_part_and_no_note_text(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = in_force(coach)
    notes.note_write(agreement=agreement, coach=coach, text="Seems anxious about the merger")
    detail = signed_in.get(agreement.get_absolute_url()).content.decode()
    url = reverse("contracts:engagement", args=[agreement.pk])
    assert f'href="{url}"' in detail
    assert "Sessions: 0 of 6 used, 6 left." in detail

    page = signed_in.get(url).content.decode()

    for heading in (
        "Sessions",
        "Three-way meetings",
        "Confidential intake",
        "Private notes",
        "Requests and releases",
        "Disclosure log",
    ):
        assert heading in page
    assert "Seems anxious" not in page
    assert not AuditEvent.objects.filter(kind=AuditEventKind.NOTE_READ).exists()


def test_another_coach_cannot_open_the_engagement_page(coach: User, other_coach: User) -> None:
    agreement = in_force(coach)
    intruder = HttpClient()
    intruder.force_login(other_coach)
    assert intruder.get(reverse("contracts:engagement", args=[agreement.pk])).status_code == 404


def test_the_agreement_page_counts_sessions_as_the_agreement_does(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = in_force(coach, late_cancellation_counts=False)
    version = agreement.version_in_force()
    assert version is not None
    for day, status, counted in [
        (11, SessionStatus.HELD, True),
        (12, SessionStatus.LATE_CANCELLED, False),
        (13, SessionStatus.PLANNED, False),
    ]:
        CoachingSession.objects.create(
            agreement=agreement,
            version=version,
            starts_at=datetime(2027, 1, day, 9, tzinfo=UTC),
            minutes=60,
            format="video",
            status=status,
            counted=counted,
        )
    detail = signed_in.get(agreement.get_absolute_url()).content.decode()
    assert "Sessions: 1 of 6 used, 5 left; 1 planned." in detail
