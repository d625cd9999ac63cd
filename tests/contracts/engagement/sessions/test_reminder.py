from datetime import date

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coaching.models import User
from contracts.models import Reminder, ReminderKind, SessionStatus
from contracts.reviews.reminders import send_due_reminders
from tests.contracts.engagement.sessions.helpers import at, in_force, log

pytestmark = pytest.mark.django_db


def last_session_reminders() -> list[Reminder]:
    return list(Reminder.objects.filter(kind=ReminderKind.LAST_SESSION))


def test_the_coach_is_reminded_once_when_one_session_is_left(coach: User) -> None:
    # Review and end dates far off: only the sessions can call for a reminder.
    agreement = in_force(coach, session_count=3, end_date=date(2028, 12, 31))
    mail.outbox.clear()
    log(agreement, at(2027, 2, 1))
    assert send_due_reminders(now=at(2027, 2, 2)).sent == 0
    log(agreement, at(2027, 2, 15), status=SessionStatus.NO_SHOW)

    assert send_due_reminders(now=at(2027, 2, 16)).sent == 1
    assert send_due_reminders(now=at(2027, 2, 17)).sent == 0, "once"
    log(agreement, at(2027, 3, 1))
    assert send_due_reminders(now=at(2027, 3, 2)).sent == 0, "still once, all used"

    [reminder] = last_session_reminders()
    assert reminder.cycle == "n3"
    [message] = mail.outbox
    assert message.to == [coach.email]
    assert message.subject == f"Last session agreed coming up: {agreement.reference}"
    assert agreement.client.name not in message.subject
    body = str(message.body)
    assert "The last of the 3 sessions agreed" in body and "closing conversation" in body
    assert f"/agreements/{agreement.pk}/sessions/" in body


def test_planning_every_session_left_calls_for_the_reminder_too(coach: User) -> None:
    agreement = in_force(coach, session_count=3, end_date=date(2028, 12, 31))
    log(agreement, at(2027, 2, 1), status=SessionStatus.PLANNED)
    log(agreement, at(2027, 2, 15), status=SessionStatus.PLANNED)
    assert send_due_reminders(now=at(2027, 1, 20)).sent == 0
    log(agreement, at(2027, 3, 1), status=SessionStatus.PLANNED)
    assert send_due_reminders(now=at(2027, 1, 21)).sent == 1
    assert len(last_session_reminders()) == 1


def test_no_reminder_when_the_coach_turned_ending_reminders_off(coach: User) -> None:
    agreement = in_force(coach, session_count=1, end_date=date(2028, 12, 31))
    coach.profile.remind_endings = False
    coach.profile.save()
    log(agreement, at(2027, 2, 1), status=SessionStatus.PLANNED)
    assert send_due_reminders(now=at(2027, 1, 20)).sent == 0
    assert last_session_reminders() == []


def test_a_pass_takes_as_many_queries_for_one_agreement_as_for_several(coach: User) -> None:
    def due_agreement() -> None:
        agreement = in_force(coach, session_count=1, end_date=date(2028, 12, 31))
        log(agreement, at(2027, 2, 1))

    def queries(day: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert send_due_reminders(now=at(2027, 2, day)).sent >= 1
        return len(captured)

    due_agreement()
    one = queries(2)
    for _ in range(4):
        due_agreement()
    assert queries(3) == one
