"""The disclosure log: every release of information outside coach and client.

Entries are append-only and hash-chained per coach, like the audit trail: each entry's
hash covers its fields (the content's SHA-256, never the content) and the previous
entry's hash, and entries are appended under the coach's row lock, so concurrent
releases build one chain. `verify_disclosures()` recomputes it and says where it breaks.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone

from coaching.models import User
from contracts.audit import event_hash
from contracts.models import (
    Agreement,
    AuditEvent,
    AuditEventKind,
    BreachRecord,
    DisclosureBasis,
    DisclosureEntry,
    Release,
)
from contracts.snapshot import canonical_json


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _digest(entry: DisclosureEntry) -> str:
    fields = {
        "coach": entry.coach_id,
        "seq": entry.seq,
        "agreement": entry.agreement_id,
        "client": entry.client_id,
        "what": entry.what,
        "content": entry.content_sha256,
        "to": [entry.to_name, entry.to_email, entry.to_role],
        "basis": [entry.basis, entry.basis_reference],
        "approved_by": entry.approved_by,
        "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "release": entry.release_id,
        "breach": entry.breach_id,
        "visible_to_client": entry.visible_to_client,
        "prev": entry.prev_hash,
    }
    return hashlib.sha256(canonical_json(fields)).hexdigest()


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str
    role: str


def disclosure_record(
    *,
    agreement: Agreement,
    what: str,
    content: str,
    to: Recipient,
    basis: DisclosureBasis,
    basis_reference: str,
    approved_by: str,
    release: Release | None = None,
    breach: BreachRecord | None = None,
    visible_to_client: bool = True,
    at: datetime | None = None,
) -> DisclosureEntry:
    """Append one entry to the coach's disclosure log (inside the caller's transaction,
    or its own). `content` is hashed, never stored here. `at` is when the information
    left (now, unless it was disclosed earlier, as under a limit of confidentiality)."""
    if not (what.strip() and to.name.strip() and basis_reference.strip() and approved_by.strip()):
        raise ValueError("A disclosure names what, to whom, its basis and who approved it.")
    if at is not None and timezone.is_naive(at):
        raise ValueError("A disclosure's time carries its time zone.")
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=agreement.coach_id).values("pk").get()
        last = (
            DisclosureEntry.objects.filter(coach_id=agreement.coach_id)
            .order_by("-seq")
            .values("seq", "hash")
            .first()
        )
        entry = DisclosureEntry(
            coach_id=agreement.coach_id,
            agreement=agreement,
            client_id=agreement.client_id,
            seq=(last["seq"] if last else 0) + 1,
            what=what[:200],
            content_sha256=content_hash(content),
            to_name=to.name[:150],
            to_email=to.email,
            to_role=to.role[:40],
            basis=basis,
            basis_reference=basis_reference[:200],
            approved_by=approved_by[:200],
            release=release,
            breach=breach,
            visible_to_client=visible_to_client,
            at=at or timezone.now(),
            prev_hash=last["hash"] if last else "",
        )
        entry.hash = _digest(entry)
        entry.save()
        return entry


@dataclass(frozen=True)
class DisclosureReport:
    entries: int
    problems: list[str]
    # The sequence numbers of the entries edited or out of place.
    broken: set[int] = field(default_factory=set)

    @property
    def intact(self) -> bool:
        return not self.problems


def verify_disclosures(coach: User) -> DisclosureReport:
    """Recompute the coach's chain; report each entry edited, removed or reordered."""
    problems: list[str] = []
    broken: set[int] = set()
    previous, expected, count = "", 1, 0
    disposed = disposed_entries(coach)
    for entry in DisclosureEntry.objects.filter(coach=coach).order_by("seq").iterator():
        count += 1
        if entry.seq != expected:
            problems.append(f"Entry {expected} is missing (found {entry.seq} next).")
            broken.add(entry.seq)
        if entry.prev_hash != previous:
            problems.append(f"Entry {entry.seq} does not follow the entry before it.")
            broken.add(entry.seq)
        if _digest(entry) != entry.hash and not (
            disposed.get(entry.seq) == entry.hash and _is_emptied(entry)
        ):
            problems.append(f"Entry {entry.seq} was changed.")
            broken.add(entry.seq)
        previous, expected = entry.hash, entry.seq + 1
    return DisclosureReport(entries=count, problems=problems, broken=broken)


def disposed_entries(coach: User) -> dict[int, str]:
    """The coach's entries whose content was disposed of (sequence number: hash), as the
    `records_disposed` events of their agreements' audit trails name them. Only events that
    match their own hash count: each is held in its trail's chain."""
    disposed: dict[int, str] = {}
    events = AuditEvent.objects.filter(
        agreement__coach=coach, kind=AuditEventKind.RECORDS_DISPOSED
    ).order_by("agreement_id", "seq")
    for event in events.iterator():
        named = event.data.get("disclosure_entries") if isinstance(event.data, dict) else None
        if not isinstance(named, list) or event_hash(event) != event.hash:
            continue
        for item in named:
            if isinstance(item, list) and len(item) == 2 and isinstance(item[0], int):
                disposed[item[0]] = str(item[1])
    return disposed


def _is_emptied(entry: DisclosureEntry) -> bool:
    return not (entry.what or entry.to_name or entry.to_email or entry.approved_by)
