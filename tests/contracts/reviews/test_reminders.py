from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from threading import Barrier
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import connection, connections
from django.test import Client as HttpClient
from pytest_django import Settings

from coaching.models import User
from contracts.models import (
    Agreement,
    AgreementStatus,
    Reminder,
    ReminderKind,
    ReminderStatus,
    Review,
)
from contracts.reviews import services as reviews
from contracts.reviews.emails import email_reminder_to_coach
from contracts.reviews.reminders import send_due_reminders
from contracts.signing import services as signing
from tests.conftest import make_agreement
from tests.contracts.conftest import Inbox
from tests.contracts.signing_helpers import link_for, send_agreement, sign_as_coach, sign_by_link

pytestmark = pytest.mark.django_db


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)


def signed(coach: User, http: HttpClient, **fields: Any) -> Agreement:
    version = send_agreement(coach, sponsored=False, **fields)
    agreement = version.agreement
    sign_by_link(link_for(agreement.client.email))
    sign_as_coach(http, agreement)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED
    mail.outbox.clear()
    return agreement


@pytest.mark.slow
def test_exactly_the_expected_reminders_on_the_expected_days_over_two_years(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = signed(
        coach,
        signed_in,
        start_date=date(2027, 1, 11),
        end_date=date(2028, 12, 31),
        review_date=date(2027, 4, 12),
    )
    profile = coach.profile
    profile.insurer, profile.insurance_policy_number = "Hiscox", "PI-1"
    profile.insurance_expires_on = date(2027, 9, 30)
    profile.save()

    sent: list[tuple[date, str]] = []
    newest = 0  # reminders are numbered in the order they are created
    day = date(2027, 1, 1)
    while day <= date(2029, 1, 31):
        send_due_reminders(now=at(day))
        assert send_due_reminders(now=at(day)).sent == 0, f"a rerun on {day} sends nothing"
        created = Reminder.objects.filter(pk__gt=newest).order_by("pk").values_list("pk", "kind")
        for pk, kind in created:
            sent.append((day, kind))
            newest = pk
        if day == date(2027, 5, 3):  # the review happens, three weeks late
            review = reviews.review_start(agreement=agreement, coach=coach)
            with_timeline(review, day)
        day += timedelta(days=1)

    overdue_weekly_until_the_end = [
        (date(2028, 5, 3) + timedelta(weeks=week), ReminderKind.REVIEW_OVERDUE)
        for week in range(1, 35)  # the last, on 27 December 2028, is before the end date
    ]
    assert sent == sorted(
        [
            (date(2027, 3, 13), ReminderKind.REVIEW_SOON),
            (date(2027, 4, 12), ReminderKind.REVIEW_DUE),
            (date(2027, 4, 19), ReminderKind.REVIEW_OVERDUE),
            (date(2027, 4, 26), ReminderKind.REVIEW_OVERDUE),
            (date(2027, 5, 3), ReminderKind.REVIEW_OVERDUE),
            (date(2027, 8, 31), ReminderKind.INSURANCE_EXPIRING),
            (date(2028, 4, 3), ReminderKind.REVIEW_SOON),
            (date(2028, 5, 3), ReminderKind.REVIEW_DUE),
            *overdue_weekly_until_the_end,
            (date(2028, 12, 1), ReminderKind.ENDING_SOON),
        ]
    )
    to_coach = [m for m in mail.outbox if m.to == [coach.email]]
    assert len(to_coach) == len(sent), "one email per reminder"


def with_timeline(review: Review, day: date) -> None:
    """Complete the review as still holding, on that day."""
    with time_machine.travel(at(day), tick=False):
        reviews.review_still_holds(review=review, coach=review.agreement.coach)
        for confirmation in review.confirmations.all():
            reviews.review_confirm(confirmation=confirmation)
    agreement = review.agreement
    agreement.refresh_from_db()
    assert agreement.next_review_on == date(2028, 5, 3)


def test_no_reminders_for_drafts_voided_or_ended_agreements(
    coach: User, signed_in: HttpClient
) -> None:
    voided = send_agreement(coach).agreement
    signing.agreement_void(agreement=voided, coach=coach, reason="Withdrawn")
    Agreement.objects.filter(pk=voided.pk).update(next_review_on=date(2027, 3, 1))
    ended = signed(coach, signed_in, end_date=date(2027, 2, 1), review_date=date(2027, 1, 20))
    assert ended.next_review_on == date(2027, 1, 20)
    mail.outbox.clear()

    report = send_due_reminders(now=at(date(2027, 3, 1)))
    assert report.sent == 0
    assert mail.outbox == []


def test_a_coach_can_turn_kinds_off_and_change_lead_times(
    coach: User, signed_in: HttpClient
) -> None:
    signed(coach, signed_in, review_date=date(2027, 4, 12), end_date=date(2027, 7, 9))
    profile = coach.profile
    profile.review_lead_days = 7
    profile.remind_endings = False
    profile.save()
    assert send_due_reminders(now=at(date(2027, 3, 20))).sent == 0
    assert send_due_reminders(now=at(date(2027, 4, 5))).sent == 1
    assert send_due_reminders(now=at(date(2027, 7, 1))).sent == 1, "only the weekly overdue one"
    assert Reminder.objects.filter(kind=ReminderKind.ENDING_SOON).count() == 0


def test_a_failed_send_is_recorded_and_retried_by_the_next_pass(
    coach: User, signed_in: HttpClient, settings: Settings
) -> None:
    signed(coach, signed_in, review_date=date(2027, 4, 12), end_date=date(2028, 1, 1))
    working = settings.MAILERS
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
        }
    }
    report = send_due_reminders(now=at(date(2027, 4, 12)))
    assert (report.sent, report.failed) == (0, 1)
    reminder = Reminder.objects.get()
    assert reminder.status == ReminderStatus.FAILED and reminder.error

    settings.MAILERS = working
    report = send_due_reminders(now=at(date(2027, 4, 13)))
    assert (report.sent, report.failed) == (1, 0)
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENT and reminder.attempts == 2
    [message] = mail.outbox
    assert message.subject.startswith("Agreement review overdue since 12 April"), "sent late"
    assert "was due on 12 April 2027" in str(message.body)
    assert "today" not in str(message.body)


def test_the_review_reminder_says_what_to_revisit_and_brings_a_calendar_entry(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = signed(coach, signed_in, review_date=date(2027, 4, 12), end_date=date(2028, 1, 1))
    send_due_reminders(now=at(date(2027, 4, 12)))
    message = mail.outbox[0]
    assert message.subject == f"Agreement review due today: {agreement.reference}"
    assert agreement.client.name not in message.subject
    body = str(message.body)
    for text in [
        "Limits of confidentiality",
        "Risk of serious harm",
        f"/agreements/{agreement.pk}/review/",
    ]:
        assert text in body
    attachments: Any = message.attachments
    (name, content, mimetype) = attachments[0]
    assert name == f"review-{agreement.reference}.ics" and mimetype == "text/calendar"
    text = content.decode() if isinstance(content, bytes) else content
    assert "BEGIN:VEVENT" in text and "DTSTART;VALUE=DATE:20270412" in text


def test_one_reminder_arrives_through_a_real_smtp_server(
    coach: User,
    smtp_inbox: Inbox,
) -> None:
    version = send_agreement(
        coach, sponsored=False, review_date=date(2027, 4, 12), end_date=date(2028, 1, 1)
    )
    limits = [item["key"] for item in version.snapshot["terms"]["confidentiality_limits"]]
    for person in version.signers.all():
        signature = signing.Signature(typed_name=person.name, intent="Sign", limits=limits)
        signing.signer_sign(signer=person, signature=signature)
    agreement = version.agreement
    # The invitation, then "everyone has signed" to the client and to the coach.
    assert len(smtp_inbox.wait_for(3)) == 3
    smtp_inbox.messages.clear()
    send_due_reminders(now=at(date(2027, 3, 20)))
    [message] = smtp_inbox.wait_for(1)
    assert message["To"] == coach.email
    assert "Agreement review coming up" in message["Subject"]
    parts = [part.get_content_type() for part in message.walk()]
    assert "text/calendar" in parts
    assert agreement.reference in message["Subject"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent claims need PostgreSQL")
def test_two_schedulers_at_once_never_send_a_reminder_twice(
    coach: User, sign_in: Callable[[User], HttpClient]
) -> None:
    http = sign_in(coach)
    for _ in range(6):
        signed(coach, http, review_date=date(2027, 4, 12), end_date=date(2028, 1, 1))
    start = Barrier(2, timeout=60)  # a scheduler that never arrives fails the test

    def run(_: int) -> int:
        try:
            start.wait()
            return send_due_reminders(now=at(date(2027, 4, 12))).sent
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(run, range(2)))
    assert sum(results) == 6
    assert Reminder.objects.filter(status=ReminderStatus.SENT).count() == 6
    assert len(mail.outbox) == 6


@pytest.mark.parametrize(
    ("sent_on", "subject", "body"),
    [
        (date(2027, 5, 31), "Coaching ends on 2 June", "ends on 2 June 2027."),
        (date(2027, 6, 2), "Coaching ends today, 2 June", "ends today, 2 June 2027."),
        (date(2027, 6, 4), "Coaching ended on 2 June", "ended on 2 June 2027."),
    ],
)
def test_the_ending_reminder_is_worded_for_the_day_it_is_sent(
    coach: User, sent_on: date, subject: str, body: str
) -> None:
    agreement = make_agreement(coach=coach, complete=True, end_date=date(2027, 6, 2))
    reminder = Reminder.objects.create(
        key=f"ending-{agreement.pk}",
        coach=coach,
        agreement=agreement,
        kind=ReminderKind.ENDING_SOON,
        cycle="2027-06-02",
        due_on=date(2027, 6, 2),
        status=ReminderStatus.CLAIMED,
    )

    email_reminder_to_coach(reminder, today=sent_on)

    [message] = mail.outbox
    assert message.subject.startswith(subject)
    assert body in str(message.body)
