"""Disposal: the content of a class of records deleted for good, and the log of it.

Rows are deleted, or, when a chained log or a kept record still points at them, emptied
of their content. Everything happens in the caller's transaction: a failure anywhere
leaves everything as it was. Stored files (PDFs) are deleted only once the transaction
is committed, and retried by the scheduler until they are gone (`FileDeletion`).

What remains: a disposal log entry per class (count, when, by whom, the SHA-256 of each
record deleted), an event in the agreement's audit trail recording the same, and, when
the agreement itself goes, its tombstone.

The audit trail stays verifiable (`verify_audit`): disposing of the agreement empties
the content of its earlier events (who, from where, what) but keeps each event's
number, kind, time and hash, and the chained `records_disposed` event names the events
it emptied; `verify_trail` accepts an event that no longer matches its hash only when
such an event covers it and its content is empty. Disclosure log entries are emptied
the same way, each named with its hash in the `records_disposed` event.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models.fields.files import FieldFile

from coaching.models import RecordClass, User
from contracts.audit import coach_actor, record_event
from contracts.models import (
    Agreement,
    AgreementPdf,
    AgreementStatus,
    AgreementVersion,
    AuditEvent,
    AuditEventKind,
    BreachRecord,
    ClientDecision,
    CoachingSession,
    DataRequest,
    DisclosureEntry,
    DisposalEntry,
    DisposalReason,
    FileDeletion,
    InformationRequest,
    Intake,
    OutgoingEmail,
    PrivateNote,
    Release,
    Review,
    Signer,
    SigningLink,
    Terms,
    ThreeWayMeeting,
    Tombstone,
)
from contracts.records.classes import (
    BREACH_KEPT,
    DISCLOSURE_KEPT,
    DISPOSAL_ORDER,
    RELEASE_KEPT,
    REQUEST_KEPT,
)
from contracts.records.schedule import Schedule
from contracts.snapshot import canonical_json

SCHEDULED = "Scheduled disposal (as chosen in the coach's profile)"

logger = logging.getLogger(__name__)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


def row_digest(row: models.Model) -> str:
    """SHA-256 of a row's stored fields, as it was before it was deleted."""
    fields = {
        "table": row._meta.db_table,
        **{f.attname: _plain(getattr(row, f.attname)) for f in row._meta.concrete_fields},
    }
    return hashlib.sha256(canonical_json(fields)).hexdigest()


@dataclass
class Removed:
    """What disposing of one class removed: a hash per record, files to delete, and
    whatever its audit event must name besides."""

    hashes: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    event_data: dict[str, Any] = field(default_factory=dict)

    def take[M: models.Model](self, rows: models.QuerySet[M]) -> list[M]:
        found = list(rows)
        self.hashes.extend(row_digest(row) for row in found)
        return found


def _reports(agreement: Agreement, removed: Removed) -> None:
    releases = removed.take(Release.objects.filter(agreement=agreement).exclude(RELEASE_KEPT))
    removed.files.extend(r.report_pdf.name for r in releases if r.report_pdf.name)
    Release.objects.filter(pk__in=[r.pk for r in releases]).update(
        title="", body="", client_comment="", report_pdf=""
    )
    decisions = ClientDecision.objects.filter(release__agreement=agreement)
    removed.take(decisions)
    decisions.delete()
    requests = InformationRequest.objects.filter(agreement=agreement).exclude(REQUEST_KEPT)
    removed.take(requests)
    requests.update(asked="", answer="")


def _disclosures(agreement: Agreement, removed: Removed) -> None:
    entries = list(
        DisclosureEntry.objects.filter(agreement=agreement)
        .exclude(DISCLOSURE_KEPT)
        .order_by("seq")
    )
    removed.hashes.extend(entry.hash for entry in entries)
    removed.event_data["disclosure_entries"] = [[entry.seq, entry.hash] for entry in entries]
    DisclosureEntry.objects.filter(pk__in=[entry.pk for entry in entries]).update(
        what="", to_name="", to_email="", to_role="", basis_reference="", approved_by=""
    )
    breaches = BreachRecord.objects.filter(agreement=agreement).exclude(BREACH_KEPT)
    removed.take(breaches)
    breaches.update(
        not_told_reason="",
        consulted=[],
        disclosed="",
        disclosed_to="",
        disclosed_how="",
        follow_up="",
        hidden_from_client_reason="",
    )


def _notes(agreement: Agreement, removed: Removed) -> None:
    notes = PrivateNote.objects.filter(agreement=agreement)
    removed.take(notes)
    notes.delete()
    reviews = Review.objects.filter(agreement=agreement).exclude(notes="")
    removed.take(reviews)
    reviews.update(notes="")


def _intake(agreement: Agreement, removed: Removed) -> None:
    intakes = Intake.objects.filter(agreement=agreement)
    removed.take(intakes)
    OutgoingEmail.objects.filter(intake__agreement=agreement).update(intake=None)
    intakes.delete()


def _sessions(agreement: Agreement, removed: Removed) -> None:
    meetings = ThreeWayMeeting.objects.filter(agreement=agreement)
    sessions = CoachingSession.objects.filter(agreement=agreement)
    removed.take(meetings)
    removed.take(sessions)
    # Notes and emails outlive the sessions and meetings they were about, when kept longer.
    PrivateNote.objects.filter(session__agreement=agreement).update(session=None)
    OutgoingEmail.objects.filter(meeting__agreement=agreement).update(meeting=None)
    meetings.delete()
    sessions.delete()


def _correspondence(agreement: Agreement, removed: Removed) -> None:
    emails = OutgoingEmail.objects.filter(agreement=agreement)
    removed.take(emails)
    emails.delete()


def _agreement(agreement: Agreement, removed: Removed) -> None:
    removed.hashes.extend(agreement.versions.order_by("number").values_list("sha256", flat=True))
    signers = Signer.objects.filter(version__agreement=agreement)
    removed.take(signers)
    pdfs = AgreementPdf.objects.filter(agreement=agreement)
    for pdf in pdfs:
        removed.hashes.append(pdf.sha256 or row_digest(pdf))
        if pdf.file.name:
            removed.files.append(pdf.file.name)
    removed.hashes.append(row_digest(agreement))
    SigningLink.objects.filter(signer__version__agreement=agreement).delete()
    pdfs.delete()
    signers.update(
        name="",
        email="",
        client=None,
        contact=None,
        code_hash="",
        confirmations=[],
        typed_name="",
        drawn_signature=None,
        intent="",
        decline_reason="",
        ip_address=None,
        user_agent="",
    )
    AgreementVersion.objects.filter(agreement=agreement).update(snapshot={})
    Review.objects.filter(agreement=agreement).update(notes="")
    blank = {field.name: field.get_default() for field in Terms._meta.fields}
    Agreement.objects.filter(pk=agreement.pk).update(
        **blank,
        title=f"Records disposed of ({agreement.reference})",
        status=AgreementStatus.DISPOSED,
        sponsor_signatory=None,
        programme=None,
        start_date=None,
        end_date=None,
        review_date=None,
        next_review_on=None,
        template_name="",
        last_step="",
    )
    agreement.stakeholders.clear()


def _nothing(agreement: Agreement, removed: Removed) -> None:
    """Assessments and stakeholder feedback are not kept in Tripartite."""


DISPOSERS = {
    RecordClass.REPORTS: _reports,
    RecordClass.DISCLOSURES: _disclosures,
    RecordClass.NOTES: _notes,
    RecordClass.INTAKE: _intake,
    RecordClass.SESSIONS: _sessions,
    RecordClass.CORRESPONDENCE: _correspondence,
    RecordClass.ASSESSMENTS: _nothing,
    RecordClass.FEEDBACK: _nothing,
    RecordClass.AGREEMENT: _agreement,
}


def _digest(hashes: list[str]) -> str:
    return hashlib.sha256("\n".join(hashes).encode()).hexdigest()


def dispose_classes(
    *,
    agreement: Agreement,
    classes: set[RecordClass],
    coach: User | None,
    reason: DisposalReason,
    schedule: Schedule | None,
    data_request: DataRequest | None = None,
    actor: str = "",
) -> list[DisposalEntry]:
    """Dispose of the classes given, in order (the agreement last), in the caller's
    transaction, under the agreement's row lock the caller holds. The caller has checked
    that nothing here is running or held. Classes with nothing left are skipped."""
    by = actor or (coach_actor(coach) if coach is not None else SCHEDULED)
    entries: list[DisposalEntry] = []
    files: list[str] = []
    for record_class in DISPOSAL_ORDER:
        if record_class not in classes:
            continue
        removed = Removed()
        DISPOSERS[record_class](agreement, removed)
        if not removed.hashes:
            continue
        digest = _digest(removed.hashes)
        data: dict[str, Any] = {
            "class": record_class.value,
            "count": len(removed.hashes),
            "sha256": digest,
            "reason": reason.value,
            **removed.event_data,
        }
        if record_class == RecordClass.AGREEMENT:
            data["emptied_through"] = agreement.audit_count
        event = record_event(agreement, AuditEventKind.RECORDS_DISPOSED, actor=by, data=data)
        if record_class == RecordClass.AGREEMENT:
            _empty_trail(agreement, before=event.seq)
            _tombstone(agreement, schedule=schedule, event=event, by=by)
        entries.append(
            DisposalEntry.objects.create(
                coach_id=agreement.coach_id,
                agreement=agreement,
                client_id=agreement.client_id,
                reference=agreement.reference,
                record_class=record_class.value,
                count=len(removed.hashes),
                reason=reason,
                by=by,
                hashes=removed.hashes,
                digest=digest,
                audit_seq=event.seq,
                data_request=data_request,
            )
        )
        files.extend(removed.files)
    if files:
        ids = [FileDeletion.objects.create(name=name).pk for name in files]
        transaction.on_commit(lambda: files_delete(ids))
    return entries


def _empty_trail(agreement: Agreement, *, before: int) -> None:
    """Empty the content of the agreement's earlier events (keeping each one's number,
    kind, time and hash); earlier records of disposal name no one and stay whole."""
    AuditEvent.objects.filter(agreement=agreement, seq__lt=before).exclude(
        kind=AuditEventKind.RECORDS_DISPOSED
    ).update(actor="", ip_address=None, user_agent="", data={})


def _tombstone(
    agreement: Agreement, *, schedule: Schedule | None, event: AuditEvent, by: str
) -> None:
    versions = [
        {
            "number": version.number,
            "sha256": version.sha256,
            "frozen_at": version.frozen_at.isoformat(),
            "completed_at": version.completed_at.isoformat() if version.completed_at else None,
            "ended_at": version.ended_at.isoformat() if version.ended_at else None,
        }
        for version in agreement.versions.order_by("number")
    ]
    Tombstone.objects.create(
        agreement=agreement,
        reference=agreement.reference,
        ended_on=schedule.ended_on if schedule else None,
        retention={
            item.record_class.value: item.years for item in (schedule.classes if schedule else [])
        },
        versions=versions,
        audit_seq=event.seq,
        audit_head=event.hash,
        by=by,
    )


def files_delete(ids: list[int]) -> int:
    """Delete the stored files listed; each one gone has its row removed. How many went."""
    gone = 0
    for row in FileDeletion.objects.filter(pk__in=ids).order_by("pk"):
        gone += _delete_file(row)
    return gone


def _delete_file(row: FileDeletion) -> int:
    try:
        default_storage.delete(row.name)
        if default_storage.exists(row.name):
            raise OSError("the file is still there after it was deleted")
    except Exception as error:  # any storage backend's failure: tried again later
        FileDeletion.objects.filter(pk=row.pk).update(
            attempts=row.attempts + 1, last_error=f"{type(error).__name__}: {error}"[:300]
        )
        logger.warning("A disposed file could not be deleted yet (deletion %s).", row.pk)
        return 0
    FileDeletion.objects.filter(pk=row.pk).delete()
    return 1


def retry_file_deletions(*, limit: int = 200) -> int:
    """Try again the stored files not deleted yet (the scheduler, every pass)."""
    ids = list(FileDeletion.objects.order_by("created_at", "pk").values_list("pk", flat=True))
    return files_delete(ids[:limit])
