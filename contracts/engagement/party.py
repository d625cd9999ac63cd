"""What each party's own page shows of the engagement: the selection, by role and by the
signed sharing matrix.

- The client sees their sessions, the status of their intake (never its answers, which
  stay with the coach), their three-way meetings with agendas and agreed notes, and
  their consents.
- The sponsor's signatory, and anyone kept informed, see only what the matrix gives
  their recipient column *routinely*: attendance (session dates, held and missed) when
  "attendance" is routine for them. Anything consent-based or approved first is released
  through a request, never shown on a page. The sponsor's signatory also sees the
  meetings they are invited to, with agendas and agreed notes.
- Who is which recipient: the sponsor's signatory, and an observer whose contact role is
  HR, read the sponsor's column; an observer whose role is line manager, the line
  manager's. An observer of another role is in no column the parties agreed, so the
  matrix gives them nothing.
- Private notes and intake answers are never read here at all.

Only a version in force, or one out for signature, shows any of this: the page of an
ended version is kept for the record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from contracts.agenda import Agenda, meeting_agenda, meeting_when
from contracts.drafting.perspectives import reader_column
from contracts.models import (
    CoachingSession,
    Intake,
    IntakeStatus,
    SessionStatus,
    Signer,
    SignerRole,
    ThreeWayMeeting,
)
from contracts.sharing import sharing_rule
from contracts.terms import InformationKind, Recipient, SharingLevel

MISSED = {SessionStatus.LATE_CANCELLED, SessionStatus.NO_SHOW}


@dataclass(frozen=True)
class SessionLine:
    starts_at: datetime
    minutes: int | None
    status: str


@dataclass(frozen=True)
class Attendance:
    sessions: list[SessionLine]
    held: int
    missed: int
    planned: int
    agreed: int | None


@dataclass(frozen=True)
class MeetingLine:
    meeting: ThreeWayMeeting
    when: str
    agenda: Agenda


@dataclass(frozen=True)
class Consents:
    named_in_log_since: datetime | None
    health_consent_at: datetime | None


@dataclass(frozen=True)
class PartyView:
    role: str
    recipient: Recipient | None
    attendance: Attendance | None = None
    intake_status: str | None = None
    meetings: list[MeetingLine] = field(default_factory=list)
    consents: Consents | None = None

    @property
    def is_client(self) -> bool:
        return self.role == SignerRole.CLIENT

    @property
    def shows_anything(self) -> bool:
        return bool(
            self.attendance or self.intake_status or self.meetings or self.consents is not None
        )


def recipient_for(signer: Signer) -> Recipient | None:
    """The column of the sharing matrix this person reads, if any: the one their copy of
    the agreement addresses as theirs."""
    return reader_column(signer)


def _attendance(signer: Signer, *, with_details: bool) -> Attendance:
    version = signer.version
    sessions = list(
        CoachingSession.objects.filter(agreement_id=version.agreement_id)
        .exclude(status=SessionStatus.RESCHEDULED)
        .only("starts_at", "minutes", "status")
    )
    lines = [
        SessionLine(
            starts_at=s.starts_at,
            minutes=s.minutes if with_details else None,
            status=s.get_status_display()
            if with_details
            else ("Missed" if s.status in MISSED else s.get_status_display()),
        )
        for s in sessions
    ]
    return Attendance(
        sessions=lines,
        held=sum(s.status == SessionStatus.HELD for s in sessions),
        missed=sum(s.status in MISSED for s in sessions),
        planned=sum(s.status == SessionStatus.PLANNED for s in sessions),
        agreed=version.snapshot["terms"]["session_count"],
    )


def _meetings(signer: Signer) -> list[MeetingLine]:
    meetings = ThreeWayMeeting.objects.filter(
        agreement_id=signer.version.agreement_id
    ).select_related("version", "agreement__coach__profile")
    return [
        MeetingLine(meeting=m, when=meeting_when(m), agenda=meeting_agenda(m.version, m.kind))
        for m in meetings
    ]


def party_view(signer: Signer) -> PartyView:
    """What this party's page shows of the engagement (see the module's docstring)."""
    version = signer.version
    recipient = recipient_for(signer)
    if version.ended_at is not None or signer.role == SignerRole.COACH:
        return PartyView(role=signer.role, recipient=recipient)
    if signer.role == SignerRole.CLIENT:
        intake = (
            Intake.objects.filter(agreement_id=version.agreement_id)
            .exclude(status=IntakeStatus.WITHDRAWN)
            .only("status", "health_consent_at")
            .first()
        )
        client = signer.client
        return PartyView(
            role=signer.role,
            recipient=None,
            attendance=_attendance(signer, with_details=True),
            intake_status=intake.get_status_display() if intake else None,
            meetings=_meetings(signer),
            consents=Consents(
                named_in_log_since=client.named_in_log_since if client else None,
                health_consent_at=intake.health_consent_at if intake else None,
            ),
        )
    routine_attendance = (
        recipient is not None
        and sharing_rule(version, InformationKind.ATTENDANCE, recipient).level
        == SharingLevel.ROUTINE
    )
    return PartyView(
        role=signer.role,
        recipient=recipient,
        attendance=_attendance(signer, with_details=False) if routine_attendance else None,
        meetings=_meetings(signer) if signer.role == SignerRole.SPONSOR else [],
    )
