"""Three-way meetings: planning them, inviting the three parties, rescheduling, and the
note of what was agreed.

A meeting belongs to the version of the agreement it was planned under (signed, or sent
and waiting for signatures: a contracting meeting often comes before the signatures).
Its `revision` counts changes of time, length or place; the calendar invitation's
SEQUENCE is `revision - 1`, so each reschedule reaches calendars as an update of the
same event. The agreed note is versioned by its own text (`note_base`), so recording it
never bumps the calendar sequence.
"""

from __future__ import annotations

import hashlib
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from coaching.models import User
from contracts.agenda import Agenda, meeting_agenda
from contracts.audit import coach_actor, record_event
from contracts.models import (
    Agreement,
    AgreementVersion,
    AuditEventKind,
    EmailKind,
    MeetingKind,
    SignerRole,
    ThreeWayMeeting,
)
from contracts.outbox import email_queue

STANDARD_KINDS = (MeetingKind.CONTRACTING, MeetingKind.MIDPOINT, MeetingKind.CLOSE)
INVITED_ROLES = (SignerRole.CLIENT, SignerRole.SPONSOR, SignerRole.COACH)
AGREED_NOTE_LIMIT = 2000


class MeetingError(Exception):
    """Why a meeting cannot be planned or changed now; the message is for the coach."""


class MeetingChanged(MeetingError):
    """Someone changed the meeting since the coach opened the page."""


def meeting_version(agreement: Agreement) -> AgreementVersion | None:
    """The version meetings are planned under: the one in force, else the one out for
    signature. None for a draft, a voided or declined agreement, or a private client's
    (no sponsor, so no three-way meeting)."""
    if agreement.is_two_party:
        return None
    in_force = agreement.version_in_force()
    if in_force is not None:
        return in_force
    current = agreement.current_version()
    return current if current is not None and current.ended_at is None else None


def engagement_dates(version: AgreementVersion) -> tuple[date | None, date | None]:
    """The start and end of the coaching as the version says."""
    dates = version.snapshot["dates"]
    start, end = dates["start"], dates["end"]
    return (
        date.fromisoformat(start) if start else None,
        date.fromisoformat(end) if end else None,
    )


def coach_zone(agreement: Agreement) -> zoneinfo.ZoneInfo:
    """Meetings are dated in the coach's time zone."""
    return zoneinfo.ZoneInfo(agreement.coach.profile.time_zone)


def local_day(agreement: Agreement, moment: datetime) -> date:
    return moment.astimezone(coach_zone(agreement)).date()


def date_problem(version: AgreementVersion, kind: str, day: date) -> str | None:
    """Why a meeting of this kind cannot be on that day, if it cannot."""
    start, end = engagement_dates(version)
    if end is not None and day > end:
        return f"That is after the coaching ends ({end:%-d %B %Y}): choose a date on or before it."
    if kind != MeetingKind.CONTRACTING and start is not None and day < start:
        return (
            f"That is before the coaching starts ({start:%-d %B %Y}): only the contracting "
            "meeting comes before it."
        )
    return None


def ordering_warnings(meeting: ThreeWayMeeting) -> list[str]:
    """What looks odd about the meeting's date, though it is allowed."""
    warnings: list[str] = []
    others = {
        m.kind: m
        for m in meeting.agreement.meetings.exclude(pk=meeting.pk).filter(kind__in=STANDARD_KINDS)
    }
    order: list[str] = list(STANDARD_KINDS)
    if meeting.kind in order:
        place = order.index(meeting.kind)
        for earlier in order[:place]:
            other = others.get(earlier)
            if other is not None and other.starts_at > meeting.starts_at:
                warnings.append(
                    f"The {meeting.get_kind_display().lower()} is before the "
                    f"{other.get_kind_display().lower()}."
                )
    start, _ = engagement_dates(meeting.version)
    day = local_day(meeting.agreement, meeting.starts_at)
    if meeting.kind == MeetingKind.CONTRACTING and start is not None and day > start:
        warnings.append(
            "The contracting meeting usually comes before the first session: this one is "
            "after the coaching starts."
        )
    if meeting.starts_at < timezone.now():
        warnings.append("That time has passed: invitations to it would arrive too late.")
    return warnings


def _locked(meeting: ThreeWayMeeting) -> ThreeWayMeeting:
    return (
        ThreeWayMeeting.objects.select_for_update(of=("self",))
        .select_related("agreement", "version")
        .get(pk=meeting.pk)
    )


def _planned_event(
    meeting: ThreeWayMeeting, coach: User, request: HttpRequest | None, *, change: bool
) -> None:
    record_event(
        meeting.agreement,
        AuditEventKind.MEETING_PLANNED,
        actor=coach_actor(coach),
        version=meeting.version,
        request=request,
        data={
            "meeting": meeting.pk,
            "kind": meeting.kind,
            "starts_at": meeting.starts_at.isoformat(),
            "minutes": meeting.minutes,
            "revision": meeting.revision,
            "change": change,
        },
    )


@transaction.atomic
def meeting_plan(
    *,
    agreement: Agreement,
    coach: User,
    kind: str,
    starts_at: datetime,
    minutes: int,
    location: str,
    request: HttpRequest | None = None,
) -> ThreeWayMeeting:
    """Date one meeting of the plan (or an extra one, of kind "other")."""
    agreement = Agreement.objects.locked(agreement)
    version = meeting_version(agreement)
    if version is None:
        raise MeetingError(
            "Meetings are planned once a three-way agreement has been sent for signature."
        )
    if kind not in MeetingKind.values:
        raise MeetingError("Choose the kind of meeting.")
    if kind in STANDARD_KINDS and agreement.meetings.filter(kind=kind).exists():
        raise MeetingError(
            f"The {MeetingKind(kind).label.lower()} is already planned: change its date there."
        )
    problem = date_problem(version, kind, local_day(agreement, starts_at))
    if problem:
        raise MeetingError(problem)
    meeting = ThreeWayMeeting.objects.create(
        agreement=agreement,
        version=version,
        kind=kind,
        starts_at=starts_at,
        minutes=minutes,
        location=location,
    )
    _planned_event(meeting, coach, request, change=False)
    return meeting


@transaction.atomic
def meeting_change(
    *,
    meeting: ThreeWayMeeting,
    coach: User,
    revision: int,
    starts_at: datetime,
    minutes: int,
    location: str,
    request: HttpRequest | None = None,
) -> ThreeWayMeeting:
    """Reschedule or move a meeting. If the parties were invited, each gets the update
    (the same calendar event, its SEQUENCE one higher)."""
    meeting = _locked(meeting)
    if meeting.revision != revision:
        raise MeetingChanged(
            "This meeting was changed since you opened the page: here it is as it is now. "
            "Make your change again if it is still needed."
        )
    unchanged = (meeting.starts_at, meeting.minutes, meeting.location) == (
        starts_at,
        minutes,
        location,
    )
    if unchanged:
        return meeting
    version = meeting_version(meeting.agreement) or meeting.version
    problem = date_problem(version, meeting.kind, local_day(meeting.agreement, starts_at))
    if problem:
        raise MeetingError(problem)
    meeting.version = version
    meeting.starts_at, meeting.minutes, meeting.location = starts_at, minutes, location
    meeting.revision += 1
    meeting.save(update_fields=["version", "starts_at", "minutes", "location", "revision"])
    _planned_event(meeting, coach, request, change=True)
    if meeting.invited_at is not None:
        _queue_invitations(meeting)
    return meeting


def _queue_invitations(meeting: ThreeWayMeeting) -> int:
    invited = meeting.version.signers.filter(role__in=INVITED_ROLES)
    count = 0
    for signer in invited:
        email_queue(kind=EmailKind.MEETING_INVITATION, signer=signer, meeting=meeting)
        count += 1
    meeting.invited_at = timezone.now()
    meeting.save(update_fields=["invited_at"])
    return count


@transaction.atomic
def meeting_invite(
    *, meeting: ThreeWayMeeting, coach: User, request: HttpRequest | None = None
) -> int:
    """Email the client, the sponsor and the coach an invitation with the agenda and a
    calendar file. Returns how many emails were queued."""
    meeting = _locked(meeting)
    current = meeting_version(meeting.agreement)
    if current is None:
        raise MeetingError(
            "The agreement is neither in force nor out for signature: there is no one to invite."
        )
    if current != meeting.version:
        # Amended since it was planned: the new version's parties and terms apply.
        meeting.version = current
        meeting.save(update_fields=["version"])
    if meeting.starts_at < timezone.now():
        raise MeetingError("This meeting's time has passed: change its date first.")
    return _queue_invitations(meeting)


def note_base(meeting: ThreeWayMeeting) -> str:
    """The version of the agreed note a form started from: a digest of its text."""
    return hashlib.sha256(meeting.agreed_note.encode()).hexdigest()[:16]


@transaction.atomic
def meeting_record_agreed(
    *,
    meeting: ThreeWayMeeting,
    coach: User,
    note: str,
    base: str,
    request: HttpRequest | None = None,
) -> ThreeWayMeeting:
    """Record what the meeting agreed, for all three parties to read on their pages."""
    meeting = _locked(meeting)
    if note_base(meeting) != base:
        raise MeetingChanged(
            "The note was changed since you opened the page: here it is as it is now. "
            "Add your changes to it again."
        )
    if meeting.starts_at > timezone.now():
        raise MeetingError("The meeting has not taken place yet.")
    note = note.strip()
    if len(note) > AGREED_NOTE_LIMIT:
        raise MeetingError(f"Keep the note under {AGREED_NOTE_LIMIT} characters.")
    if note == meeting.agreed_note:
        return meeting
    meeting.agreed_note = note
    meeting.agreed_recorded_at = timezone.now()
    meeting.save(update_fields=["agreed_note", "agreed_recorded_at"])
    record_event(
        meeting.agreement,
        AuditEventKind.MEETING_NOTE,
        actor=coach_actor(coach),
        version=meeting.version,
        request=request,
        data={"meeting": meeting.pk, "kind": meeting.kind, "characters": len(note)},
    )
    return meeting


@dataclass(frozen=True)
class MeetingWithAgenda:
    meeting: ThreeWayMeeting
    agenda: Agenda

    @property
    def ends_at(self) -> datetime:
        return self.meeting.starts_at + timedelta(minutes=self.meeting.minutes)


def with_agendas(meetings: list[ThreeWayMeeting]) -> list[MeetingWithAgenda]:
    """Each meeting with its agenda (the meetings' versions selected with them)."""
    return [MeetingWithAgenda(m, meeting_agenda(m.version, m.kind)) for m in meetings]


def panel(*, agreement: Agreement) -> dict[str, Any]:
    """The meetings card of the engagement hub: dated meetings, and those still to date."""
    meetings = list(agreement.meetings.all())
    planned = {m.kind for m in meetings}
    return {
        "agreement": agreement,
        "meetings": meetings,
        "to_plan": [kind for kind in STANDARD_KINDS if kind not in planned],
        "can_plan": meeting_version(agreement) is not None,
        "url": reverse("contracts:meetings", args=[agreement.pk]),
    }
