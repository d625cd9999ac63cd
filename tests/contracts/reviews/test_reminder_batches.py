"""The coaches' reminder pass goes through agreements, and through reminders to send
again, in batches of a fixed size, each batch in the same number of queries however many
batches there are and however many of its emails fail."""

import gc
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django import Settings

from coaching.models import User
from contracts.models import Agreement, AgreementVersion, Reminder, ReminderKind, ReminderStatus
from contracts.reviews import reminders
from contracts.reviews.reminders import PassReport, send_due_reminders
from contracts.snapshot import Snapshot, snapshot_hash
from tests.contracts.engagement.sessions.helpers import in_force

pytestmark = pytest.mark.django_db

# The review date of the agreements `in_force` makes: one reminder each, "review due".
REVIEW_DAY = datetime(2027, 4, 12, 9, 0, tzinfo=UTC)
# Choose (1), see which were sent already (1), claim (1), take back failed ones (1),
# read them for the emails (1), mark them sent (1), and a savepoint around the claim (2).
QUERIES_PER_BATCH = 8
# Take a batch back (1), read it for the emails (1), mark it sent (1), and a savepoint
# around the taking (2).
QUERIES_PER_RETAKEN_BATCH = 5

Batches = list[tuple[str, int, int]]  # what each batch held, its size and its queries


def signed(coach: User) -> Agreement:
    """An agreement in force whose review is due on REVIEW_DAY, as its signing sets it."""
    return in_force(coach, next_review_on=REVIEW_DAY.date())


def pass_in_batches(now: datetime) -> tuple[PassReport, Batches]:
    batches: Batches = []
    with CaptureQueriesContext(connection) as queries:
        counted = 0

        def done(what: str, size: int) -> None:
            nonlocal counted
            batches.append((what, size, len(queries) - counted))
            counted = len(queries)

        report = send_due_reminders(now=now, on_batch=done)
    return report, batches


@pytest.mark.parametrize("agreements", [4, 6])
def test_each_batch_of_agreements_takes_the_same_queries_however_many_batches(
    coach: User, agreements: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reminders, "BATCH_SIZE", 2)
    for _ in range(agreements):
        signed(coach)
    mail.outbox.clear()

    report, batches = pass_in_batches(REVIEW_DAY)

    assert report.sent == len(mail.outbox) == agreements
    assert batches == [("agreements", 2, QUERIES_PER_BATCH)] * (agreements // 2)


@pytest.mark.parametrize("failing", [1, 3])
def test_a_batch_takes_the_same_queries_however_many_of_its_emails_fail(
    coach: User, failing: int, settings: Settings
) -> None:
    for _ in range(failing):
        signed(coach)
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
        }
    }

    report, batches = pass_in_batches(REVIEW_DAY)

    assert (report.sent, report.failed) == (0, failing)
    # Nothing to mark sent (no query), all to mark failed (one).
    assert batches == [("agreements", failing, QUERIES_PER_BATCH)]
    failed = Reminder.objects.filter(status=ReminderStatus.FAILED)
    assert failed.count() == failing
    assert all("ConnectionRefusedError" in reminder.error for reminder in failed)


def test_reminders_that_failed_before_are_sent_again_a_batch_at_a_time(
    coach: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reminders, "BATCH_SIZE", 2)
    for _ in range(5):
        agreement = signed(coach)
        Reminder.objects.create(
            key=f"earlier-{agreement.pk}",
            coach=coach,
            agreement=agreement,
            kind=ReminderKind.REVIEW_SOON,
            cycle="2027-04-12",
            due_on=date(2027, 4, 12),
            status=ReminderStatus.FAILED,
            claimed_by="an earlier pass",
            claimed_at=datetime(2026, 11, 30, 9, 0, tzinfo=UTC),
            error="ConnectionRefusedError: [Errno 111] Connection refused",
        )
    mail.outbox.clear()

    # Nothing else is due that day: the review and the end are months away.
    report, batches = pass_in_batches(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))

    assert [(what, size) for what, size, _ in batches] == [("retaken", 2)] * 2 + [("retaken", 1)]
    # The first batch also counts the look for agreements and for insurance before it.
    assert [queries for *_, queries in batches[1:]] == [QUERIES_PER_RETAKEN_BATCH] * 2
    assert report.sent == len(mail.outbox) == 5
    assert set(Reminder.objects.values_list("status", "attempts")) == {(ReminderStatus.SENT, 2)}


def test_the_reminder_names_the_client_of_the_newest_signed_version(coach: User) -> None:
    agreement = signed(coach)
    first = agreement.versions.get()
    for number, name, completed_at in [
        (2, "Jamie Newname", REVIEW_DAY - timedelta(days=7)),
        (3, "Jamie Notyetsigned", None),  # an amendment out for signature
    ]:
        snapshot: Snapshot = {
            **first.snapshot,
            "client": {**first.snapshot["client"], "name": name},
        }
        AgreementVersion.objects.create(
            agreement=agreement,
            number=number,
            snapshot=snapshot,
            sha256=snapshot_hash(snapshot),
            signing_order=first.signing_order,
            require_email_code=False,
            completed_at=completed_at,
        )
    mail.outbox.clear()

    send_due_reminders(now=REVIEW_DAY)

    [message] = mail.outbox
    assert "Who to meet: Jamie Newname, the client" in str(message.body)


def test_a_pass_leaves_no_agreement_for_the_garbage_collector_to_free(coach: User) -> None:
    """Objects that refer to each other in a cycle wait for the garbage collector, which
    runs seldom: a pass whose batches formed cycles held many of them in memory at once."""
    for _ in range(3):
        signed(coach)
    gc.collect()
    # Only what the pass made counts: an earlier test may still hold models of its own.
    before = {id(o) for o in gc.get_objects() if isinstance(o, Agreement | AgreementVersion)}
    gc.disable()
    try:
        assert send_due_reminders(now=REVIEW_DAY).sent == 3
        left = [
            o
            for o in gc.get_objects()
            if isinstance(o, Agreement | AgreementVersion) and id(o) not in before
        ]
    finally:
        gc.enable()
    assert left == []
