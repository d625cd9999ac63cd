"""Where reminders are chosen: reviews, engagements ending, insurance expiring.

One pass (`send_due_reminders`) looks at signed agreements and coach profiles in
batches of a fixed size, works out which reminders are due today in each coach's
time zone, claims them, sends them and records the outcome. A reminder's key
(what, kind, cycle) is unique in the database, and a claim is an insert that
conflicts with any earlier one, so two schedulers running at once never send the
same reminder; a send that fails is marked and retried by a later pass, which takes
such reminders back in batches of the same size. Each batch takes the same number of
queries however many batches there are.

Per signed agreement with review date R (coach's lead L days) and end date E:
- "review coming up" once, from R - L until R;
- "review due" once, from R;
- "review overdue" once a week while R has passed and no review moved R on;
- "engagement ending" once, from E - (ending lead) until E;
- "last session" once per number of sessions agreed N, when sessions used (counted,
  contracts.engagement.sessions) reach N - 1, or used and planned together reach N:
  the moment for the closing meeting and the review. It follows the "engagement
  ending" choice of the coach's profile.
Nothing is sent for agreements that are not signed, or whose end date has passed.
"""

from __future__ import annotations

import uuid
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Count, F, JSONField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from coaching.models import CoachProfile
from contracts.models import (
    Agreement,
    AgreementStatus,
    AgreementVersion,
    CoachingSession,
    Reminder,
    ReminderKind,
    ReminderStatus,
    SessionStatus,
    Terms,
)
from contracts.reviews.emails import email_reminder_to_coach

BATCH_SIZE = 500
MAX_LEAD_DAYS = 90  # the longest lead a coach may choose
MAX_ATTEMPTS = 5
STALE_CLAIM = timedelta(minutes=30)  # a claim this old was left by a scheduler that died
# Sessions used or planned: those that take up one of the sessions agreed.
SESSION_BOOKED = Q(counted=True) | Q(status=SessionStatus.PLANNED)


@dataclass(frozen=True)
class Due:
    key: str
    coach_id: int
    agreement_id: int | None
    kind: ReminderKind
    cycle: str
    due_on: date


@dataclass
class PassReport:
    sent: int = 0
    failed: int = 0
    batches: int = 0


def _today(time_zone: str, now: datetime, cache: dict[str, date]) -> date:
    if time_zone not in cache:
        cache[time_zone] = now.astimezone(zoneinfo.ZoneInfo(time_zone)).date()
    return cache[time_zone]


def reminders_for_agreement(agreement: Agreement, profile: CoachProfile, today: date) -> list[Due]:
    """The reminders this agreement calls for today."""
    due: list[Due] = []
    if agreement.end_date is not None and today > agreement.end_date:
        return due

    def add(kind: ReminderKind, cycle: str, on: date) -> None:
        key = f"a{agreement.pk}:{kind}:{cycle}"
        due.append(Due(key, agreement.coach_id, agreement.pk, kind, cycle, on))

    review = agreement.next_review_on
    if profile.remind_reviews and review is not None:
        if review - timedelta(days=profile.review_lead_days) <= today < review:
            add(ReminderKind.REVIEW_SOON, f"{review}", review)
        elif today >= review:
            weeks = (today - review).days // 7
            if weeks == 0:
                add(ReminderKind.REVIEW_DUE, f"{review}", review)
            else:
                add(ReminderKind.REVIEW_OVERDUE, f"{review}:w{weeks}", review)
    end = agreement.end_date
    lead = timedelta(days=profile.ending_lead_days)
    if profile.remind_endings and end is not None and end - lead <= today <= end:
        add(ReminderKind.ENDING_SOON, f"{end}", end)
    agreed = agreement.session_count
    if profile.remind_endings and agreed is not None and _last_session_near(agreement, agreed):
        add(ReminderKind.LAST_SESSION, f"n{agreed}", today)
    return due


def _last_session_near(agreement: Agreement, agreed: int) -> bool:
    """One session left to hold, or every session left already planned."""
    used: int | None = getattr(agreement, "sessions_used", None)
    booked: int | None = getattr(agreement, "sessions_booked", None)
    if used is None or booked is None:  # not annotated by the pass: read them
        used = agreement.sessions.filter(counted=True).count()
        booked = agreement.sessions.filter(SESSION_BOOKED).count()
    return used >= agreed - 1 or booked >= agreed


def _sessions(condition: Q) -> Coalesce:
    """How many of the agreement's sessions meet the condition, as a subquery."""
    matching = (
        CoachingSession.objects.filter(condition, agreement=OuterRef("pk"))
        .order_by()
        .values("agreement")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(matching), 0)


def reminder_for_insurance(profile: CoachProfile, today: date) -> Due | None:
    expires = profile.insurance_expires_on
    if not profile.remind_insurance or expires is None:
        return None
    if expires - timedelta(days=profile.insurance_lead_days) <= today <= expires:
        key = f"c{profile.coach_id}:{ReminderKind.INSURANCE_EXPIRING}:{expires}"
        return Due(
            key, profile.coach_id, None, ReminderKind.INSURANCE_EXPIRING, f"{expires}", expires
        )
    return None


def _agreement_batches(now: datetime) -> Iterator[list[Agreement]]:
    """Signed agreements that could have a reminder due, a fixed number at a time."""
    horizon = (now + timedelta(days=MAX_LEAD_DAYS + 1)).date()
    yesterday = (now - timedelta(days=1)).date()
    candidates = (
        Agreement.objects.filter(status=AgreementStatus.SIGNED)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=yesterday))
        .annotate(
            sessions_used=_sessions(Q(counted=True)), sessions_booked=_sessions(SESSION_BOOKED)
        )
        .filter(
            Q(next_review_on__lte=horizon)
            | Q(end_date__lte=horizon)
            | Q(session_count__isnull=False, sessions_booked__gte=F("session_count") - 1)
        )
        .select_related("coach__profile")
        .only(
            "pk",
            "coach_id",
            "number",
            "title",
            "end_date",
            "next_review_on",
            "session_count",
            "coach__email",
            "coach__full_name",
            *(f"coach__profile__{name}" for name in _PROFILE_FIELDS),
        )
        .order_by("pk")
    )
    last = 0
    while True:
        batch = list(candidates.filter(pk__gt=last)[:BATCH_SIZE])
        if batch:
            yield batch
        if len(batch) < BATCH_SIZE:  # the last batch: no need to ask for another
            return
        last = batch[-1].pk


_PROFILE_FIELDS = (
    "time_zone",
    "remind_reviews",
    "review_lead_days",
    "remind_endings",
    "ending_lead_days",
)


def _claim(due: list[Due], run: str, now: datetime) -> list[Reminder]:
    """Claim the due reminders nobody has claimed: an insert that skips existing keys,
    plus failed or abandoned ones taken back. Returns the rows this run now owns."""
    if not due:
        return []
    # Most days, what is due was sent on an earlier day of its window: one cheap look first.
    sent = set(
        Reminder.objects.filter(
            key__in=[item.key for item in due], status=ReminderStatus.SENT
        ).values_list("key", flat=True)
    )
    due = [item for item in due if item.key not in sent]
    if not due:
        return []
    keys = [item.key for item in due]
    Reminder.objects.bulk_create(
        [
            Reminder(
                key=item.key,
                coach_id=item.coach_id,
                agreement_id=item.agreement_id,
                kind=item.kind,
                cycle=item.cycle,
                due_on=item.due_on,
                status=ReminderStatus.CLAIMED,
                claimed_by=run,
                claimed_at=now,
            )
            for item in due
        ],
        ignore_conflicts=True,
    )
    _retake(Reminder.objects.filter(key__in=keys), run, now)
    mine = Reminder.objects.filter(key__in=keys, claimed_by=run, status=ReminderStatus.CLAIMED)
    return list(_for_sending(mine))


# Every term of the agreement is in its row (several of them JSON); the emails read one.
_TERMS_NOT_READ = tuple(
    f"agreement__{name}" for name in Terms.TERMS_FIELDS if name != "session_count"
)


def _for_sending(reminders: QuerySet[Reminder]) -> QuerySet[Reminder]:
    """With everything the emails need, in a fixed number of queries: each agreement
    without its terms, and the snapshot of its newest signed version, which the emails
    quote, as a value (`signed_snapshot`). Version objects would each be linked back to
    their agreement, and such cycles keep a batch in memory until the garbage collector
    next runs, several batches later."""
    signed = AgreementVersion.objects.filter(
        agreement=OuterRef("agreement"), completed_at__isnull=False
    )
    newest_signed = signed.order_by("-number").values("snapshot")[:1]
    return (
        reminders.select_related("agreement", "coach__profile")
        .defer(*_TERMS_NOT_READ)
        .annotate(signed_snapshot=Subquery(newest_signed, output_field=JSONField()))
    )


def _retryable(now: datetime) -> Q:
    """Reminders whose send failed, or whose scheduler died while sending."""
    return Q(status=ReminderStatus.FAILED, attempts__lt=MAX_ATTEMPTS) | Q(
        status=ReminderStatus.CLAIMED, claimed_at__lt=now - STALE_CLAIM
    )


def _retake(reminders: QuerySet[Reminder], run: str, now: datetime) -> int:
    """Take back reminders whose send failed, or whose scheduler died while sending;
    how many were taken."""
    return (
        reminders.filter(_retryable(now))
        .exclude(claimed_by=run)
        .update(
            status=ReminderStatus.CLAIMED,
            claimed_by=run,
            claimed_at=now,
            attempts=F("attempts") + 1,
        )
    )


def _retake_batch(run: str, now: datetime) -> list[Reminder]:
    """Earlier passes' failures (and claims abandoned by a scheduler that died), a batch
    at a time, those taken already by this run left out: the next batch to send again."""
    batch = (
        Reminder.objects.filter(_retryable(now))
        .exclude(claimed_by=run)
        .order_by("pk")
        .values("pk")[:BATCH_SIZE]
    )
    with transaction.atomic():
        if not _retake(Reminder.objects.filter(pk__in=batch), run, now):
            return []
        mine = Reminder.objects.filter(claimed_by=run, status=ReminderStatus.CLAIMED)
        return list(_for_sending(mine))


def _send(
    reminders: list[Reminder], report: PassReport, now: datetime, days: dict[str, date]
) -> None:
    if not reminders:
        return
    sent, failed = [], []
    for reminder in reminders:
        try:
            # Sent late (the scheduler was down, or an earlier try failed), the email
            # says so: "was due on", not "due today".
            today = _today(reminder.coach.profile.time_zone, now, days)
            email_reminder_to_coach(reminder, today=today)
        except Exception as error:
            reminder.error = f"{type(error).__name__}: {error}"[:500]
            failed.append(reminder)
        else:
            sent.append(reminder.pk)
    now = timezone.now()
    Reminder.objects.filter(pk__in=sent).update(status=ReminderStatus.SENT, sent_at=now, error="")
    for reminder in failed:
        reminder.status = ReminderStatus.FAILED
    Reminder.objects.bulk_update(failed, ["status", "error"])
    report.sent += len(sent)
    report.failed += len(failed)


def send_chosen_reminders(due: list[Due], *, now: datetime | None = None) -> PassReport:
    """Claim and send reminders chosen elsewhere (records due for disposal, a client's
    request about their data), exactly as this pass does its own: each key once."""
    now = now or timezone.now()
    run = str(uuid.uuid4())
    report = PassReport()
    days: dict[str, date] = {}
    for start in range(0, len(due), BATCH_SIZE):
        with transaction.atomic():
            claimed = _claim(due[start : start + BATCH_SIZE], run, now)
        _send(claimed, report, now, days)
        report.batches += 1
    return report


def send_due_reminders(
    *, now: datetime | None = None, on_batch: Callable[[str, int], None] | None = None
) -> PassReport:
    """One pass over everything that may need a reminder today. Safe to run in parallel.

    `on_batch` is called after each batch with what it held ("agreements", "insurance"
    or "retaken", reminders that failed before) and its size, for measuring.
    """
    now = now or timezone.now()
    run = str(uuid.uuid4())
    report = PassReport()
    days: dict[str, date] = {}

    def handle(due: list[Due]) -> None:
        with transaction.atomic():
            claimed = _claim(due, run, now)
        _send(claimed, report, now, days)

    def done(what: str, size: int) -> None:
        if on_batch is not None:
            on_batch(what, size)

    for batch in _agreement_batches(now):
        due = []
        for agreement in batch:
            profile = agreement.coach.profile
            today = _today(profile.time_zone, now, days)
            due.extend(reminders_for_agreement(agreement, profile, today))
        handle(due)
        report.batches += 1
        done("agreements", len(batch))

    profiles = CoachProfile.objects.filter(
        remind_insurance=True,
        insurance_expires_on__gte=(now - timedelta(days=1)).date(),
        insurance_expires_on__lte=(now + timedelta(days=MAX_LEAD_DAYS + 1)).date(),
    ).order_by("pk")
    insurance = [
        item
        for profile in profiles.iterator(chunk_size=BATCH_SIZE)
        if (item := reminder_for_insurance(profile, _today(profile.time_zone, now, days)))
    ]
    for start in range(0, len(insurance), BATCH_SIZE):
        chunk = insurance[start : start + BATCH_SIZE]
        handle(chunk)
        done("insurance", len(chunk))

    while retaken := _retake_batch(run, now):
        _send(retaken, report, now, days)
        done("retaken", len(retaken))
    return report
