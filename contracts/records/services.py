"""The records lifecycle's workflows: an engagement ended early, legal holds, disposal
confirmed by the coach or run by the scheduler's daily pass, and clients' requests
about their data. Each is one transaction; disposal itself is in `disposal`."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from coaching.models import Client, RecordClass, User
from contracts.audit import coach_actor, record_event, signer_actor
from contracts.models import (
    Agreement,
    AgreementStatus,
    AuditEventKind,
    DataRequest,
    DataRequestChannel,
    DataRequestKind,
    DisposalEntry,
    DisposalReason,
    LegalHold,
    RecordsPass,
    Signer,
    SignerRole,
    Termination,
    add_months,
)
from contracts.records.disposal import dispose_classes
from contracts.records.reminders import (
    data_request_reminder,
    data_request_reminders,
    disposal_reminders,
)
from contracts.records.schedule import (
    Schedule,
    agreement_schedule,
    coach_today,
    scheduled_agreements,
)
from contracts.reviews.reminders import send_chosen_reminders

# A day's pass left unfinished this long ago was left by a scheduler that died.
STALE_PASS = timedelta(minutes=30)
# How far ahead the page of records due looks; the longest lead of a disposal reminder.
COMING_DAYS = 90
MAX_LEAD_DAYS = 90

logger = logging.getLogger(__name__)


class RecordsError(Exception):
    """Why the records cannot be changed as asked; the message is for the coach."""


# An engagement ended early


def termination_record(
    *,
    agreement: Agreement,
    coach: User,
    ended_on: date,
    reason: str = "",
    request: HttpRequest | None = None,
) -> Termination:
    """Record that the signed engagement ended on `ended_on`, before its end date: the
    retention periods run from then. Recording it again moves the date."""
    with transaction.atomic():
        agreement = Agreement.objects.locked(agreement)
        version = agreement.versions.filter(completed_at__isnull=False).order_by("-number").first()
        if version is None:
            raise RecordsError("Only a signed engagement can end early.")
        today = coach_today(coach)
        if ended_on > today:
            raise RecordsError("Record the end once it has happened: the date is in the future.")
        dates = version.snapshot.get("dates") or {}
        start, end = dates.get("start"), dates.get("end")
        if start and ended_on < date.fromisoformat(start):
            raise RecordsError("The engagement cannot end before it started.")
        if end and ended_on >= date.fromisoformat(end):
            raise RecordsError("That is not earlier than the end date signed: nothing to record.")
        termination, _ = Termination.objects.update_or_create(
            agreement=agreement, defaults={"ended_on": ended_on, "reason": reason.strip()}
        )
        record_event(
            agreement,
            AuditEventKind.ENGAGEMENT_ENDED,
            actor=coach_actor(coach),
            version=version,
            request=request,
            data={"ended_on": ended_on.isoformat()},
        )
        return termination


# Legal holds


def _held_agreements(hold: LegalHold) -> QuerySet[Agreement]:
    if hold.agreement_id is not None:
        return Agreement.objects.filter(pk=hold.agreement_id)
    return Agreement.objects.filter(client=hold.client)


def hold_place(
    *,
    coach: User,
    reason: str,
    agreement: Agreement | None = None,
    client: Client | None = None,
    request: HttpRequest | None = None,
) -> LegalHold:
    """Hold an agreement's records, or every agreement of a client's: nothing held is
    disposed of until the hold is lifted."""
    if (agreement is None) == (client is None):
        raise ValueError("A hold is on one agreement or one client.")
    if not reason.strip():
        raise RecordsError("Say why the records are held.")
    with transaction.atomic():
        hold = LegalHold.objects.create(
            coach=coach, agreement=agreement, client=client, reason=reason.strip()
        )
        for held in _held_agreements(hold).order_by("pk"):
            record_event(
                held,
                AuditEventKind.HOLD_PLACED,
                actor=coach_actor(coach),
                request=request,
                data={"hold": hold.pk, "on": "agreement" if agreement else "client"},
            )
        return hold


def hold_lift(
    *, hold: LegalHold, coach: User, reason: str, request: HttpRequest | None = None
) -> LegalHold:
    """Lift a hold (once): the records it held follow their retention again."""
    if not reason.strip():
        raise RecordsError("Say why the hold is lifted.")
    with transaction.atomic():
        hold = LegalHold.objects.select_for_update().get(pk=hold.pk, coach=coach)
        if hold.lifted_at is not None:
            raise RecordsError("This hold was already lifted.")
        hold.lifted_at = timezone.now()
        hold.lift_reason = reason.strip()
        hold.save(update_fields=["lifted_at", "lift_reason"])
        for held in _held_agreements(hold).order_by("pk"):
            record_event(
                held,
                AuditEventKind.HOLD_LIFTED,
                actor=coach_actor(coach),
                request=request,
                data={"hold": hold.pk},
            )
        return hold


# Disposal at the end of the retention periods


def records_dispose(
    *, agreement: Agreement, coach: User | None, now: datetime | None = None, actor: str = ""
) -> list[DisposalEntry]:
    """Dispose of every class of the agreement's records that is due: confirmed by the
    coach, or by the daily pass (`coach` None) for a coach who chose that. Checked again
    under the agreement's lock: nothing of an engagement still running or held goes.
    An empty list when nothing is due (a second run, for example)."""
    with transaction.atomic():
        agreement = Agreement.objects.locked(agreement)
        schedule = agreement_schedule(agreement, today=coach_today(agreement.coach, now))
        if schedule is None or schedule.running:
            raise RecordsError(
                "The engagement is still running: nothing of it is disposed of before it ends."
            )
        if schedule.held:
            raise RecordsError("These records are on hold: lift the hold first.")
        due = {item.record_class for item in schedule.due()}
        if not due:
            return []
        return dispose_classes(
            agreement=agreement,
            classes=due,
            coach=coach,
            reason=DisposalReason.RETENTION,
            schedule=schedule,
            actor=actor,
        )


@dataclass
class Coming:
    """One agreement's records due now or soon, for the coach's page and the command."""

    schedule: Schedule
    due: list[RecordClass] = field(default_factory=list)
    soon: list[RecordClass] = field(default_factory=list)


def records_due(
    *, coach: User | None = None, within_days: int = COMING_DAYS, now: datetime | None = None
) -> list[Coming]:
    """Every agreement (of the coach, or of everyone) with records due for disposal now,
    held though due, or falling due within the days given, soonest first."""
    found: list[Coming] = []
    for agreement in _candidates(coach, within_days=within_days, now=now).iterator(chunk_size=200):
        today = coach_today(agreement.coach, now)
        schedule = agreement_schedule(agreement, today=today, counted=False)
        if schedule is None or schedule.ended_on is None:
            continue
        horizon = today + timedelta(days=within_days)
        if not any(item.due_on and item.due_on <= horizon for item in schedule.classes):
            continue
        schedule = schedule.counted()
        due = [
            item.record_class
            for item in schedule.classes
            if item.due_on and item.due_on <= today and item.count
        ]
        soon = [item.record_class for item in schedule.coming(within_days=within_days)]
        if due or soon:
            found.append(Coming(schedule=schedule, due=due, soon=soon))
    found.sort(key=lambda item: _first_due(item.schedule))
    return found


def _first_due(schedule: Schedule) -> date:
    days = [item.due_on for item in schedule.classes if item.due_on and item.count]
    return min(days) if days else date.max


def _candidates(
    coach: User | None, *, within_days: int, now: datetime | None
) -> QuerySet[Agreement]:
    """A cheap first sieve: every class is kept a year at least, so an engagement that
    ended (or is to end) later than a year before the horizon has nothing due yet."""
    cutoff = add_months((now or timezone.now()).date() + timedelta(days=within_days + 1), -12)
    return scheduled_agreements(coach).filter(
        Q(end_date__lte=cutoff)
        | Q(termination__ended_on__lte=cutoff)
        | Q(status__in=[AgreementStatus.DECLINED, AgreementStatus.VOIDED, AgreementStatus.DRAFT])
    )


@dataclass
class PassReport:
    ran: bool = False
    due: int = 0
    disposed: int = 0
    held: int = 0
    reminders: int = 0
    failed: int = 0


def _claim_day(day: date, run: str, now: datetime) -> bool:
    """Claim the day's pass: one scheduler does it, another takes it over only if the
    first left it unfinished long ago."""
    try:
        with transaction.atomic():
            RecordsPass.objects.create(day=day, claimed_by=run, started_at=now)
        return True
    except IntegrityError:
        taken = RecordsPass.objects.filter(
            day=day, finished_at__isnull=True, started_at__lt=now - STALE_PASS
        ).update(claimed_by=run, started_at=now)
        return taken == 1


def records_daily_pass(*, now: datetime | None = None) -> PassReport:
    """Once a day (the first scheduler pass of each UTC day): list what falls due, dispose
    of it where the coach chose automatic disposal, and remind coaches of disposals ahead
    and of clients' requests running out. Safe with two schedulers."""
    now = now or timezone.now()
    run = str(uuid.uuid4())
    day = now.astimezone(UTC).date()
    report = PassReport()
    if not _claim_day(day, run, now):
        return report
    report.ran = True
    reminders = []
    for coming in records_due(now=now, within_days=MAX_LEAD_DAYS):
        schedule = coming.schedule
        profile = schedule.agreement.coach.profile
        if coming.due and schedule.held:
            report.held += 1
        elif coming.due and profile.dispose_automatically:
            try:
                entries = records_dispose(agreement=schedule.agreement, coach=None, now=now)
                report.disposed += len(entries)
            except Exception:
                report.failed += 1
                logger.exception(
                    "Scheduled disposal failed for agreement %s; tried again tomorrow.",
                    schedule.agreement.pk,
                )
            schedule = agreement_schedule(schedule.agreement, today=schedule.today) or schedule
        else:
            report.due += len(coming.due)
        reminders.extend(disposal_reminders(schedule, profile))
    reminders.extend(data_request_reminders(day))
    report.reminders = send_chosen_reminders(reminders, now=now).sent
    RecordsPass.objects.filter(day=day, claimed_by=run).update(
        finished_at=timezone.now(), due=report.due, disposed=report.disposed
    )
    return report


# Clients' requests about their data


def _month_after(moment: datetime, coach: User) -> date:
    return add_months(coach_today(coach, moment), 1)


def data_request_record(
    *, coach: User, client: Client, kind: DataRequestKind, note: str = ""
) -> DataRequest:
    """A request the client made by email, letter or in person, recorded by the coach."""
    now = timezone.now()
    return DataRequest.objects.create(
        coach=coach,
        client=client,
        kind=kind,
        channel=DataRequestChannel.COACH,
        received_at=now,
        due_on=_month_after(now, coach),
        note=note.strip(),
    )


def data_request_from_link(
    *, signer: Signer, kind: DataRequestKind, request: HttpRequest | None = None
) -> DataRequest:
    """The client asks, through their link once the emailed code is verified. The coach is
    told at once; a request of the same kind still open is not made twice."""
    if signer.role != SignerRole.CLIENT or signer.client_id is None:
        raise RecordsError("Only the client can ask for their own data.")
    agreement = signer.version.agreement
    with transaction.atomic():
        Agreement.objects.locked(agreement)
        open_one = DataRequest.objects.filter(
            client_id=signer.client_id, kind=kind, completed_at__isnull=True
        ).first()
        if open_one is not None:
            return open_one
        now = timezone.now()
        data_request = DataRequest.objects.create(
            coach_id=agreement.coach_id,
            client_id=signer.client_id,
            kind=kind,
            channel=DataRequestChannel.LINK,
            received_at=now,
            due_on=_month_after(now, agreement.coach),
        )
        record_event(
            agreement,
            AuditEventKind.DATA_REQUESTED,
            actor=signer_actor(signer),
            version=signer.version,
            signer=signer,
            request=request,
            data={"request": data_request.pk, "kind": kind.value},
        )
        notice = data_request_reminder(data_request, moment="received")
        transaction.on_commit(lambda: send_chosen_reminders([notice]))
        return data_request


def data_request_answered(*, data_request: DataRequest, coach: User) -> DataRequest:
    """The coach has sent the client their copy: the request is closed."""
    with transaction.atomic():
        data_request = DataRequest.objects.select_for_update().get(pk=data_request.pk, coach=coach)
        if data_request.kind != DataRequestKind.ACCESS:
            raise RecordsError("An erasure is answered by erasing.")
        if data_request.exported_at is None:
            raise RecordsError("Download the client's data first, then send it to them.")
        if data_request.completed_at is None:
            data_request.completed_at = timezone.now()
            data_request.save(update_fields=["completed_at"])
        return data_request
