import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from coaching.models import User
from contracts.engagement.sessions import services
from contracts.models import SessionStatus
from tests.contracts.engagement.sessions.helpers import at, data, in_force, log

pytestmark = pytest.mark.django_db


def unfolded(content: bytes) -> list[str]:
    return content.decode().replace("\r\n ", "").split("\r\n")


def test_planned_sessions_export_as_one_calendar_without_confidential_text(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = in_force(coach)
    held = log(agreement, at(2027, 2, 1))
    first = log(agreement, at(2027, 2, 15, 14), status=SessionStatus.PLANNED, minutes=90)
    second = log(agreement, at(2027, 3, 1), status=SessionStatus.PLANNED)
    url = reverse("contracts:sessions-ics", args=[agreement.pk])

    response = signed_in.get(url)

    assert response["Content-Type"].startswith("text/calendar")
    assert f"sessions-{agreement.reference}.ics" in response["Content-Disposition"]
    content = response.content
    assert content.endswith(b"\r\n")
    assert all(len(line) <= 75 for line in content.split(b"\r\n"))
    lines = unfolded(content)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
    assert lines.count("BEGIN:VEVENT") == 2
    assert f"UID:session-{first.pk}@testserver" in lines or any(
        line.startswith(f"UID:session-{first.pk}@") for line in lines
    )
    assert not any(line.startswith(f"UID:session-{held.pk}@") for line in lines)
    assert "DTSTART:20270215T140000Z" in lines and "DTEND:20270215T153000Z" in lines
    practice = coach.profile.practice_name.replace(",", "\\,")
    assert f"SUMMARY:Coaching session · {practice}" in lines
    text = content.decode()
    assert agreement.client.name not in text and agreement.client.email not in text
    assert agreement.title not in text

    # The same session keeps its UID once changed; its SEQUENCE moves on.
    services.session_change(
        session=second,
        coach=coach,
        data=data(at(2027, 3, 2), status=SessionStatus.PLANNED),
        revision=1,
    )
    again = unfolded(signed_in.get(url).content)
    uid = next(line for line in lines if line.startswith(f"UID:session-{second.pk}@"))
    assert uid in again
    assert "SEQUENCE:2" in again and "DTSTART:20270302T090000Z" in again
