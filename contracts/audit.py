"""The audit trail: append-only, hash-chained events for each agreement.

Every event's hash covers its own fields and the previous event's hash; the
agreement keeps the hash and number of its latest event. Editing, deleting or
reordering any event, or cutting the tail of the trail, breaks the chain, and
`verify_trail()` says where. Events are appended under the agreement's row lock,
so concurrent requests build one chain.

Whoever can write to the database could still cut the tail and set the agreement's
head back to match, or rewrite the chain from some event on. So heads are also kept
where the database cannot change them (signed checkpoints, sealed PDFs, the emails
the parties receive): `verify_trail()` checks the trail against each such anchor.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from coaching.http import client_ip
from coaching.models import User
from contracts.models import (
    Agreement,
    AgreementVersion,
    AuditEvent,
    AuditEventKind,
    Signer,
    TrailCheck,
)
from contracts.snapshot import canonical_json

USER_AGENT_LIMIT = 500


def _event_digest(
    *,
    agreement_id: int,
    seq: int,
    kind: str,
    at: datetime,
    version_id: int | None,
    signer_id: int | None,
    actor: str,
    ip_address: str | None,
    user_agent: str,
    version_hash: str,
    data: dict[str, Any],
    prev_hash: str,
) -> str:
    fields = {
        "agreement": agreement_id,
        "seq": seq,
        "kind": kind,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "version": version_id,
        "signer": signer_id,
        "actor": actor,
        "ip": ip_address,
        "user_agent": user_agent,
        "version_hash": version_hash,
        "data": data,
        "prev": prev_hash,
    }
    return hashlib.sha256(canonical_json(fields)).hexdigest()


def coach_actor(coach: User) -> str:
    """How the coach appears in the trail."""
    return f"Coach: {coach.full_name} <{coach.email}>"


def signer_actor(signer: Signer) -> str:
    """How a party appears in the trail: role, name and the email they were reached at."""
    return f"{signer.get_role_display()}: {signer.name} <{signer.email}>"


def _normalised_ip(raw: str) -> str | None:
    """The address as the database will store it (so the hash survives a round trip)."""
    try:
        return str(ipaddress.ip_address(raw.strip()))
    except ValueError:
        return None


def request_facts(request: HttpRequest | None) -> tuple[str | None, str]:
    """The caller's IP address and user agent, as evidence."""
    if request is None:
        return None, ""
    ip = _normalised_ip(client_ip(request))
    return ip, str(request.META.get("HTTP_USER_AGENT", ""))[:USER_AGENT_LIMIT]


def record_event(
    agreement: Agreement,
    kind: AuditEventKind,
    *,
    actor: str,
    version: AgreementVersion | None = None,
    signer: Signer | None = None,
    request: HttpRequest | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the agreement's trail.

    Takes the agreement's row lock (or relies on the caller's) so that the chain
    stays linear; the caller's transaction decides whether the event persists.
    """
    with transaction.atomic():
        head = (
            Agreement.objects.select_for_update()
            .values("audit_head", "audit_count")
            .get(pk=agreement.pk)
        )
        ip, user_agent = request_facts(request)
        version_hash = version.sha256 if version else ""
        payload = data or {}
        event = AuditEvent(
            agreement=agreement,
            seq=head["audit_count"] + 1,
            kind=kind,
            at=timezone.now(),
            version=version,
            signer=signer,
            actor=actor,
            ip_address=ip,
            user_agent=user_agent,
            version_hash=version_hash,
            data=payload,
            prev_hash=head["audit_head"],
        )
        event.hash = event_hash(event)
        event.save()
        Agreement.objects.filter(pk=agreement.pk).update(
            audit_head=event.hash, audit_count=event.seq
        )
        agreement.audit_head, agreement.audit_count = event.hash, event.seq
        return event


def event_hash(event: AuditEvent) -> str:
    """The hash the event should carry, given its fields and the hash before it."""
    return _event_digest(
        agreement_id=event.agreement_id,
        seq=event.seq,
        kind=event.kind,
        at=event.at,
        version_id=event.version_id,
        signer_id=event.signer_id,
        actor=event.actor,
        ip_address=event.ip_address,
        user_agent=event.user_agent,
        version_hash=event.version_hash,
        data=event.data,
        prev_hash=event.prev_hash,
    )


@dataclass(frozen=True)
class TrailHead:
    """The last event of a trail at some moment: its number and hash."""

    seq: int
    hash: str

    @property
    def fingerprint(self) -> str:
        """A short form of the hash, for people to compare by eye."""
        return f"{self.hash[:4]} {self.hash[4:8]} {self.hash[8:12]}".upper()


def trail_head(agreement_id: int) -> TrailHead:
    """The agreement's trail as it ends now."""
    seq, digest = Agreement.objects.values_list("audit_count", "audit_head").get(pk=agreement_id)
    return TrailHead(seq=seq, hash=digest)


def head_at_completion(version: AgreementVersion) -> TrailHead | None:
    """The trail as it ended when everyone had signed the version, if they have."""
    found = (
        AuditEvent.objects.filter(version=version, kind=AuditEventKind.COMPLETED)
        .values_list("seq", "hash")
        .first()
    )
    return TrailHead(seq=found[0], hash=found[1]) if found else None


@dataclass(frozen=True)
class Anchor:
    """A head of the trail kept outside the database's reach: the trail must still hold it."""

    seq: int
    hash: str
    source: str  # who saw it, in the report's words: "the checkpoint of 2026-05-01 10:00 UTC"


@dataclass(frozen=True)
class TrailReport:
    agreement_id: int
    events: int
    problems: list[str]

    @property
    def intact(self) -> bool:
        return not self.problems


def verify_trail(agreement: Agreement, *, anchors: Iterable[Anchor] = ()) -> TrailReport:
    """Recompute the chain; report every event that was edited, removed or reordered,
    and every anchor the trail no longer holds (cut short, or rewritten)."""
    head = Agreement.objects.values("audit_head", "audit_count").get(pk=agreement.pk)
    anchors = list(anchors)
    wanted = {anchor.seq for anchor in anchors}
    seen: dict[int, str] = {}
    problems: list[str] = []
    previous, expected_seq, last_seq = "", 1, 0
    events = AuditEvent.objects.filter(agreement_id=agreement.pk).order_by("seq")
    emptied = emptied_through(agreement.pk)
    count = 0
    for event in events.iterator():
        count += 1
        last_seq = event.seq
        if event.seq in wanted:
            seen[event.seq] = event.hash
        if event.seq != expected_seq:
            problems.append(f"Event {expected_seq} is missing (found {event.seq} next).")
        if event.prev_hash != previous:
            problems.append(f"Event {event.seq} does not follow the event before it.")
        if event_hash(event) != event.hash and not (event.seq <= emptied and _is_emptied(event)):
            problems.append(f"Event {event.seq} ({event.get_kind_display()}) was changed.")
        previous, expected_seq = event.hash, event.seq + 1
    if count != head["audit_count"] or previous != head["audit_head"]:
        problems.append(
            f"The trail should end at event {head['audit_count']}; events were removed."
        )
    for anchor in sorted(anchors, key=lambda a: (a.seq, a.source)):
        problems.extend(_unheld(anchor, seen, last_seq=last_seq))
    return TrailReport(agreement_id=agreement.pk, events=count, problems=problems)


def emptied_through(agreement_id: int) -> int:
    """The last event whose content a disposal of the agreement emptied (0 if none).

    Taken only from `records_disposed` events that still match their own hash: the chain
    around them is checked as any other event is, so none can be slipped in.
    """
    emptied = 0
    disposals = AuditEvent.objects.filter(
        agreement_id=agreement_id, kind=AuditEventKind.RECORDS_DISPOSED
    ).order_by("seq")
    for event in disposals:
        through = event.data.get("emptied_through") if isinstance(event.data, dict) else None
        if isinstance(through, int) and through < event.seq and event_hash(event) == event.hash:
            emptied = max(emptied, through)
    return emptied


def _is_emptied(event: AuditEvent) -> bool:
    """Emptied by a disposal: nothing left of who, from where or what."""
    return (
        event.kind != AuditEventKind.RECORDS_DISPOSED
        and event.actor == ""
        and event.ip_address is None
        and event.user_agent == ""
        and event.data == {}
    )


def _unheld(anchor: Anchor, seen: dict[int, str], *, last_seq: int) -> list[str]:
    if anchor.seq > last_seq:
        ends = f"ends at event {last_seq}" if last_seq else "is empty"
        return [
            f"The trail {ends} but {anchor.source} saw event {anchor.seq}: events were removed."
        ]
    if anchor.seq not in seen:
        return [f"Event {anchor.seq}, which {anchor.source} saw, is missing."]
    if seen[anchor.seq] != anchor.hash:
        return [
            f"Event {anchor.seq} is not the one {anchor.source} saw: "
            "the trail was rewritten from there or before."
        ]
    return []


def check_new_events(agreement: Agreement) -> TrailReport:
    """The trail as far as it has been checked, and every event added since, each checked
    against the one before it: what the agreement's page shows, at the same cost however
    long the trail. A problem a whole-trail check found (`record_full_check`) stays
    reported until a later whole check finds none."""
    head = Agreement.objects.values("audit_head", "audit_count").get(pk=agreement.pk)
    mark = TrailCheck.objects.filter(agreement_id=agreement.pk).first()
    seq, checked_hash = (mark.seq, mark.hash) if mark else (0, "")
    if mark and mark.problems:
        return TrailReport(agreement.pk, events=head["audit_count"], problems=list(mark.problems))
    problems: list[str] = []
    previous, expected_seq = checked_hash, seq + 1
    events = AuditEvent.objects.filter(agreement_id=agreement.pk, seq__gte=max(seq, 1))
    rows = events.order_by("seq").iterator()
    # The last event checked must still be there as it was: a trail cut back to an
    # earlier event, or rewritten from one, shows even when nothing was added since.
    if seq and (
        (found := next(rows, None)) is None or (found.seq, found.hash) != (seq, checked_hash)
    ):
        problems.append(f"Event {seq}, checked before, is missing or no longer the same.")
    for event in rows:
        if event.seq != expected_seq:
            problems.append(f"Event {expected_seq} is missing (found {event.seq} next).")
        if event.prev_hash != previous:
            problems.append(f"Event {event.seq} does not follow the event before it.")
        if event_hash(event) != event.hash:
            problems.append(f"Event {event.seq} ({event.get_kind_display()}) was changed.")
        previous, expected_seq = event.hash, event.seq + 1
    last = expected_seq - 1
    if last != head["audit_count"] or previous != head["audit_head"]:
        problems.append(
            f"The trail should end at event {head['audit_count']}; events were removed."
        )
    if not problems and last > seq:
        _advance(agreement.pk, seq=last, digest=previous, checked_before=mark)
    return TrailReport(agreement.pk, events=head["audit_count"], problems=problems)


def _advance(
    agreement_id: int, *, seq: int, digest: str, checked_before: TrailCheck | None
) -> None:
    """Move the mark forward; a page that checked a shorter stretch at the same moment
    never moves it back."""
    if checked_before is not None:
        TrailCheck.objects.filter(agreement_id=agreement_id, seq__lt=seq).update(
            seq=seq, hash=digest
        )
        return
    try:
        with transaction.atomic():
            TrailCheck.objects.create(agreement_id=agreement_id, seq=seq, hash=digest)
    except IntegrityError:  # another request marked it first
        TrailCheck.objects.filter(agreement_id=agreement_id, seq__lt=seq).update(
            seq=seq, hash=digest
        )


def record_full_check(report: TrailReport) -> None:
    """Note what a whole-trail check found: the mark moves to the trail's end when it is
    intact, and the problems are what the agreement's page shows otherwise."""
    head = Agreement.objects.values("audit_head", "audit_count").get(pk=report.agreement_id)
    seq, digest = (head["audit_count"], head["audit_head"]) if report.intact else (0, "")
    TrailCheck.objects.update_or_create(
        agreement_id=report.agreement_id,
        defaults={
            "seq": seq,
            "hash": digest,
            "full_check_at": timezone.now(),
            "problems": report.problems,
        },
    )


def agreements_due_a_full_check(limit: int) -> list[Agreement]:
    """The agreements whose trails were checked whole longest ago, or never: what the
    scheduler checks on each pass, a few at a time, round and round."""
    return list(
        Agreement.objects.filter(audit_count__gt=0)
        .order_by(F("trail_check__full_check_at").asc(nulls_first=True), "pk")
        .only("pk")[:limit]
    )
