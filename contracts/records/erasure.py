"""Erasure at the client's request (UK/EU GDPR art. 17): what may go goes now, what must
be kept is kept, each with its reason, and the client is told.

For each agreement of the client:
- on hold, or with its engagement still running: everything is kept (the coach records
  an early end first, when the client is stopping);
- never signed (a draft, or a version declined or voided): everything goes, the
  agreement included, leaving its tombstone;
- signed and ended: the coach's notes, the intake answers and the reports and released
  texts go; the signed agreement with its evidence, the session log, the disclosure log
  and the record of emails are kept until the end of the period the agreement states,
  for legal claims (art. 17(3)(e)) and, for the sessions, what was delivered and
  invoiced (art. 17(3)(b)). A class whose period has already run out goes too.
The client's own record (name, email) is erased once nothing of theirs is kept.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from coaching.emails import EmailNotSent, send_email
from coaching.models import Client, RecordClass, User
from contracts.models import (
    Agreement,
    AgreementStatus,
    DataRequest,
    DataRequestKind,
    DisposalEntry,
    DisposalReason,
)
from contracts.records.classes import held_count
from contracts.records.disposal import dispose_classes
from contracts.records.schedule import Schedule, active_holds, agreement_schedule, coach_today

ERASED_NAME = "Erased client"
ALWAYS_ERASED = {
    RecordClass.NOTES,
    RecordClass.INTAKE,
    RecordClass.REPORTS,
    RecordClass.ASSESSMENTS,
    RecordClass.FEEDBACK,
}
KEPT_FOR_CLAIMS = {
    RecordClass.AGREEMENT: (
        "The signed agreement and the evidence of its signing are kept in case of a legal "
        "claim (UK GDPR article 17(3)(e))."
    ),
    RecordClass.SESSIONS: (
        "The record of sessions and meetings held is kept with the agreement, as evidence "
        "of the coaching delivered and invoiced (article 17(3)(b) and (e))."
    ),
    RecordClass.DISCLOSURES: (
        "The disclosure log, which records what was shared about you, with whom and on what "
        "basis, is kept as evidence that the agreement was honoured (article 17(3)(e))."
    ),
    RecordClass.CORRESPONDENCE: (
        "The record of emails sent under the agreement (who, when, what became of them, not "
        "their content) is kept as evidence that notices were given (article 17(3)(e))."
    ),
}

logger = logging.getLogger(__name__)


class ErasureError(Exception):
    """Why the erasure cannot be carried out as asked; the message is for the coach."""


@dataclass(frozen=True)
class Kept:
    reference: str
    what: str
    why: str
    until: date | None = None


@dataclass
class ErasurePlan:
    erase: dict[int, set[RecordClass]] = field(default_factory=dict)
    erased: list[Kept] = field(default_factory=list)  # what goes, with the same fields
    kept: list[Kept] = field(default_factory=list)
    erase_client_record: bool = False

    @property
    def anything(self) -> bool:
        return bool(self.erase) or self.erase_client_record


def _counted(schedule: Schedule | None, agreement: Agreement) -> dict[RecordClass, int]:
    if schedule is not None:
        return {item.record_class: item.count or 0 for item in schedule.classes}
    return {record_class: held_count(agreement, record_class) for record_class in RecordClass}


def erasure_plan(*, client: Client, coach: User, now: datetime | None = None) -> ErasurePlan:
    """What erasing the client's data would erase, and what it would keep and why."""
    plan = ErasurePlan()
    today = coach_today(coach, now)
    agreements = Agreement.objects.filter(client=client, coach=coach).exclude(
        status=AgreementStatus.DISPOSED
    )
    for agreement in agreements.order_by("number"):
        _plan_agreement(plan, agreement, today)
    plan.erase_client_record = not plan.kept
    return plan


def _plan_agreement(plan: ErasurePlan, agreement: Agreement, today: date) -> None:
    reference = agreement.reference
    schedule = agreement_schedule(agreement, today=today)
    counts = _counted(schedule, agreement)
    held = {record_class for record_class, count in counts.items() if count}
    if not held:
        return
    if active_holds(agreement):
        plan.kept.append(
            Kept(
                reference,
                "Every record of this agreement",
                "They are needed for a legal claim or a complaint (UK GDPR article 17(3)(e)).",
            )
        )
        return
    signed = agreement.versions.filter(completed_at__isnull=False).exists()
    never_sent = not agreement.versions.exists()
    if not never_sent and (schedule is None or schedule.running):
        plan.kept.append(
            Kept(
                reference,
                "Every record of this agreement",
                "The coaching under this "
                "agreement had not ended: its records are needed to provide it.",
            )
        )
        return
    if not signed:
        plan.erase[agreement.pk] = held
        plan.erased.append(Kept(reference, "Everything: the agreement was never signed", ""))
        return
    if schedule is None:  # signed, so never: a signed version always has a schedule
        return
    erase = {rc for rc in held if rc in ALWAYS_ERASED}
    for item in schedule.classes:
        if item.record_class not in held or item.record_class in ALWAYS_ERASED:
            continue
        if item.due_on is not None and item.due_on <= today:
            erase.add(item.record_class)
        else:
            plan.kept.append(
                Kept(reference, item.label, KEPT_FOR_CLAIMS[item.record_class], item.due_on)
            )
    if erase:
        plan.erase[agreement.pk] = erase
        plan.erased.extend(
            Kept(reference, str(record_class.label), "")
            for record_class in RecordClass
            if record_class in erase
        )


def erasure_carry_out(*, data_request: DataRequest, coach: User) -> list[DisposalEntry]:
    """Erase what the plan allows, in one transaction with the agreements locked; record
    what was kept and why on the request; tell the client once it is committed."""
    with transaction.atomic():
        data_request = DataRequest.objects.select_for_update().get(pk=data_request.pk, coach=coach)
        if data_request.kind != DataRequestKind.ERASURE:
            raise ErasureError("This request is for a copy of the data, not its erasure.")
        if data_request.completed_at is not None:
            raise ErasureError("This erasure was already carried out.")
        client = Client.objects.select_for_update().get(pk=data_request.client_id)
        for agreement in Agreement.objects.filter(client=client).order_by("pk"):
            Agreement.objects.locked(agreement)
        plan = erasure_plan(client=client, coach=coach)
        today = coach_today(coach)
        entries: list[DisposalEntry] = []
        for agreement in Agreement.objects.filter(pk__in=plan.erase).order_by("pk"):
            entries += dispose_classes(
                agreement=Agreement.objects.locked(agreement),
                classes=plan.erase[agreement.pk],
                coach=coach,
                reason=DisposalReason.ERASURE,
                schedule=agreement_schedule(agreement, today=today),
                data_request=data_request,
            )
        data_request.notice_to = client.email
        if plan.erase_client_record:
            _erase_client(client)
        data_request.completed_at = timezone.now()
        data_request.outcome = {
            "erased": [asdict(item) for item in plan.erased],
            "kept": [{**asdict(item), "until": str(item.until or "")} for item in plan.kept],
            "client_record": "erased" if plan.erase_client_record else "kept",
        }
        data_request.save(update_fields=["notice_to", "completed_at", "outcome"])
        request_id = data_request.pk
        transaction.on_commit(lambda: erasure_notify(data_request_id=request_id))
        return entries


def _erase_client(client: Client) -> None:
    client.name = ERASED_NAME
    client.email = f"erased-{client.pk}@erased.invalid"
    client.job_title = ""
    client.named_in_log_since = None
    client.archived_at = client.archived_at or timezone.now()
    client.save(update_fields=["name", "email", "job_title", "named_in_log_since", "archived_at"])


def erasure_notify(*, data_request_id: int) -> bool:
    """Email the client what was erased and what was kept and why (again, if the last try
    failed). Their address is forgotten once the mail server has taken the notice."""
    data_request = DataRequest.objects.select_related("coach__profile").get(pk=data_request_id)
    if data_request.notified_at is not None or not data_request.notice_to:
        return data_request.notified_at is not None
    coach = data_request.coach
    try:
        send_email(
            "erasure-notice",
            to=data_request.notice_to,
            reply_to=coach.email,
            context={
                "coach_name": coach.full_name,
                "practice_name": coach.profile.display_practice_name,
                "received_at": data_request.received_at,
                "outcome": data_request.outcome,
            },
        )
    except EmailNotSent as error:
        DataRequest.objects.filter(pk=data_request.pk).update(notice_error=str(error)[:300])
        logger.warning("The erasure notice of request %s was not sent.", data_request.pk)
        return False
    erased = data_request.outcome.get("client_record") == "erased"
    DataRequest.objects.filter(pk=data_request.pk).update(
        notified_at=timezone.now(),
        notice_error="",
        notice_to="" if erased else data_request.notice_to,
    )
    return True
