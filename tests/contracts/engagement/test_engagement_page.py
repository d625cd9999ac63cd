"""The engagement page gathers sessions, meetings, intake and notes, without a note's text."""

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from coaching.models import User
from contracts.engagement.notes import services as notes
from contracts.models import AuditEvent, AuditEventKind
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

    page = signed_in.get(url).content.decode()

    for heading in ("Sessions", "Three-way meetings", "Confidential intake", "Private notes"):
        assert heading in page
    assert "Seems anxious" not in page
    assert not AuditEvent.objects.filter(kind=AuditEventKind.NOTE_READ).exists()


def test_another_coach_cannot_open_the_engagement_page(coach: User, other_coach: User) -> None:
    agreement = in_force(coach)
    intruder = HttpClient()
    intruder.force_login(other_coach)
    assert intruder.get(reverse("contracts:engagement", args=[agreement.pk])).status_code == 404
