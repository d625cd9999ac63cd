"""Sessions logged and planned under the agreement in force, checked against what it says.

The rules are read from the version in force (its frozen snapshot), never from the live
agreement, which may be a draft being amended meanwhile:
- the engagement dates: a session's day, in the coach's time zone, lies between them;
- the number of sessions agreed: sessions used (counted) and planned never exceed it;
- the cancellation terms: held sessions and no-shows count as used; a late cancellation
  counts or not as agreed; planned and rescheduled sessions do not count.
A session outside the dates or beyond the number agreed is refused (`SessionRefused`,
naming the field) unless the coach overrides it with a reason, which is kept and audited.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse

from coaching.models import User
from contracts.audit import coach_actor, record_event
from contracts.models import (
    Agreement,
    AgreementVersion,
    AuditEventKind,
    CoachingSession,
    FeeBasis,
    SessionFormat,
    SessionStatus,
)
from contracts.snapshot import snapshot_dates

OCCUPYING = Q(counted=True) | Q(status=SessionStatus.PLANNED)


class NotInForce(Exception):
    """The agreement has no version signed by everyone and in force."""


class SessionRefused(Exception):
    """The agreement in force does not allow this session; `field` is where it is said."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


class StaleSession(Exception):
    """The session changed since its page was built: `changed` names the fields whose
    saved value differs from what was submitted, `revision` is the saved revision."""

    def __init__(self, *, changed: list[str], revision: int) -> None:
        super().__init__(", ".join(changed))
        self.changed = changed
        self.revision = revision


@dataclass(frozen=True)
class SessionTerms:
    """What the version in force says about sessions."""

    version: AgreementVersion
    count: int | None
    start: date | None
    end: date | None
    minutes: int | None
    format: str
    pro_bono: bool
    late_hours: int | None
    late_counts: bool

    def counts(self, status: str) -> bool:
        """Whether a session with this status uses one of the sessions agreed."""
        if status == SessionStatus.LATE_CANCELLED:
            return self.late_counts
        return status in {SessionStatus.HELD, SessionStatus.NO_SHOW}


def session_terms(version: AgreementVersion) -> SessionTerms:
    terms = version.snapshot["terms"]
    dates = snapshot_dates(version.snapshot)
    late_counts = terms.get("late_cancellation_counts")
    return SessionTerms(
        version=version,
        count=terms["session_count"],
        start=dates["start"],
        end=dates["end"],
        minutes=terms["session_length_minutes"],
        format=terms["session_format"],
        pro_bono=terms["fee_basis"] == FeeBasis.PRO_BONO,
        late_hours=terms.get("late_cancellation_hours"),
        # Versions frozen before the choice was structured: the built-in terms said that
        # late cancellations are paid for, that is, count as sessions used.
        late_counts=True if late_counts is None else bool(late_counts),
    )


def terms_in_force(agreement: Agreement) -> SessionTerms | None:
    version = agreement.version_in_force()
    return session_terms(version) if version else None


@dataclass(frozen=True)
class Usage:
    """Sessions used and planned against the number agreed."""

    agreed: int | None
    used: int
    planned: int

    @property
    def left(self) -> int | None:
        return None if self.agreed is None else max(self.agreed - self.used, 0)

    @property
    def summary(self) -> str:
        """For example "4 of 6 used, 2 left; 1 planned"."""
        text = (
            f"{self.used} used"
            if self.agreed is None
            else f"{self.used} of {self.agreed} used, {self.left} left"
        )
        return f"{text}; {self.planned} planned" if self.planned else text


def usage(agreement: Agreement, terms: SessionTerms | None) -> Usage:
    counted = agreement.sessions.filter(counted=True).count()
    planned = agreement.sessions.filter(status=SessionStatus.PLANNED).count()
    return Usage(agreed=terms.count if terms else None, used=counted, planned=planned)


def usage_of(sessions: Iterable[CoachingSession], terms: SessionTerms | None) -> Usage:
    """The same, from sessions already loaded."""
    rows = list(sessions)
    return Usage(
        agreed=terms.count if terms else None,
        used=sum(1 for row in rows if row.counted),
        planned=sum(1 for row in rows if row.status == SessionStatus.PLANNED),
    )


class NoSuchTime(ValueError):
    """A wall-clock time that does not exist in the zone (the clocks go forward)."""


def local_datetime(day: date, at: time, zone_name: str) -> datetime:
    """The moment the coach means by a day and time in their own time zone."""
    zone = zoneinfo.ZoneInfo(zone_name)
    moment = datetime.combine(day, at, tzinfo=zone)
    # A time skipped when the clocks go forward comes back different from a round trip.
    back = moment.astimezone(zoneinfo.ZoneInfo("UTC")).astimezone(zone)
    if back.replace(tzinfo=None) != moment.replace(tzinfo=None):
        raise NoSuchTime(f"{at:%H:%M} does not exist on {day:%d %B %Y} in {zone_name}.")
    return moment


@dataclass(frozen=True)
class SessionData:
    """What the coach enters for a session."""

    starts_at: datetime
    minutes: int
    format: str
    status: str
    pro_bono: bool
    override_reason: str = ""

    def audit(self) -> dict[str, Any]:
        """The facts recorded in the audit trail: never notes or other free text but the
        reason for an override."""
        facts: dict[str, Any] = {
            "starts_at": self.starts_at.astimezone(zoneinfo.ZoneInfo("UTC")).isoformat(),
            "minutes": self.minutes,
            "format": self.format,
            "status": self.status,
            "pro_bono": self.pro_bono,
        }
        if self.override_reason:
            facts["override_reason"] = self.override_reason
        return facts


def _in_force(agreement: Agreement) -> SessionTerms:
    terms = terms_in_force(agreement)
    if terms is None:
        raise NotInForce(
            "Sessions are logged against an agreement in force: this one is not signed by "
            "everyone yet, or was voided."
        )
    return terms


def _check(
    agreement: Agreement,
    terms: SessionTerms,
    data: SessionData,
    *,
    exclude: int | None = None,
) -> None:
    """Refuse what the agreement in force does not allow, unless overridden with a reason."""
    if data.override_reason.strip():
        return
    zone = zoneinfo.ZoneInfo(agreement.coach.profile.time_zone)
    day = data.starts_at.astimezone(zone).date()
    if terms.start is not None and day < terms.start:
        raise SessionRefused(
            f"The engagement starts on {terms.start:%d %B %Y}: this day is before it. "
            "Choose a day within the agreement, or override with a reason.",
            field="day",
        )
    if terms.end is not None and day > terms.end:
        raise SessionRefused(
            f"The engagement ended on {terms.end:%d %B %Y}: this day is after it. Choose a "
            "day within the agreement, amend it with new dates, or override with a reason.",
            field="day",
        )
    occupies = terms.counts(data.status) or data.status == SessionStatus.PLANNED
    if terms.count is None or not occupies:
        return
    others = agreement.sessions.filter(OCCUPYING)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    taken = others.count()
    if taken + 1 > terms.count:
        raise SessionRefused(
            f"The agreement provides for {terms.count} session{'s' if terms.count != 1 else ''}"
            f", and {taken} {'are' if taken != 1 else 'is'} already used or planned. "
            "Amend the agreement, or override with a reason.",
            field="status",
        )


@transaction.atomic
def session_log(
    *,
    agreement: Agreement,
    coach: User,
    data: SessionData,
    request: HttpRequest | None = None,
) -> CoachingSession:
    """Log a session (held, cancelled, ...) or plan one, under the agreement in force."""
    agreement = Agreement.objects.locked(agreement)
    terms = _in_force(agreement)
    _check(agreement, terms, data)
    session = CoachingSession.objects.create(
        agreement=agreement,
        version=terms.version,
        starts_at=data.starts_at,
        minutes=data.minutes,
        format=data.format,
        status=data.status,
        counted=terms.counts(data.status),
        pro_bono=data.pro_bono,
        override_reason=data.override_reason.strip(),
    )
    record_event(
        agreement,
        AuditEventKind.SESSION_LOGGED,
        actor=coach_actor(coach),
        version=terms.version,
        request=request,
        data={"session": session.pk, **data.audit(), "counted": session.counted},
    )
    return session


def _saved(session: CoachingSession) -> SessionData:
    return SessionData(
        starts_at=session.starts_at,
        minutes=session.minutes,
        format=session.format,
        status=session.status,
        pro_bono=session.pro_bono,
        override_reason=session.override_reason,
    )


def _changed(saved: SessionData, submitted: SessionData) -> list[str]:
    return [
        name
        for name in ("starts_at", "minutes", "format", "status", "pro_bono", "override_reason")
        if getattr(saved, name) != getattr(submitted, name)
    ]


@transaction.atomic
def session_change(
    *,
    session: CoachingSession,
    coach: User,
    data: SessionData,
    revision: int,
    request: HttpRequest | None = None,
) -> CoachingSession:
    """Change a session, as seen at `revision`: a session changed since is refused
    (`StaleSession`), so that no one's change is lost unknowingly."""
    agreement = Agreement.objects.locked(session.agreement)
    session = CoachingSession.objects.get(pk=session.pk, agreement=agreement)
    saved = _saved(session)
    if session.revision != revision:
        raise StaleSession(changed=_changed(saved, data), revision=session.revision)
    terms = _in_force(agreement)
    _check(agreement, terms, data, exclude=session.pk)
    changed = _changed(saved, data)
    session.starts_at, session.minutes = data.starts_at, data.minutes
    session.format, session.status, session.pro_bono = data.format, data.status, data.pro_bono
    session.override_reason = data.override_reason.strip()
    session.counted = terms.counts(data.status)
    session.revision += 1
    session.save()
    record_event(
        agreement,
        AuditEventKind.SESSION_CHANGED,
        actor=coach_actor(coach),
        version=terms.version,
        request=request,
        data={
            "session": session.pk,
            "changed": changed,
            **data.audit(),
            "counted": session.counted,
        },
    )
    return session


@transaction.atomic
def session_delete(
    *,
    session: CoachingSession,
    coach: User,
    revision: int,
    request: HttpRequest | None = None,
) -> None:
    """Remove a session logged by mistake (the audit trail keeps that it was)."""
    agreement = Agreement.objects.locked(session.agreement)
    session = CoachingSession.objects.get(pk=session.pk, agreement=agreement)
    if session.revision != revision:
        raise StaleSession(changed=[], revision=session.revision)
    facts = {"session": session.pk, "deleted": True, **_saved(session).audit()}
    version = agreement.version_in_force() or session.version
    session.delete()
    record_event(
        agreement,
        AuditEventKind.SESSION_CHANGED,
        actor=coach_actor(coach),
        version=version,
        request=request,
        data=facts,
    )


def defaults(terms: SessionTerms) -> dict[str, Any]:
    """A new session's length, format and pro bono flag, as agreed."""
    return {
        "minutes": terms.minutes or 60,
        "format": terms.format or SessionFormat.VIDEO,
        "pro_bono": terms.pro_bono,
    }


def panel(*, agreement: Agreement) -> dict[str, Any]:
    """What the engagement page shows of the sessions: used, left, planned, the next one."""
    terms = terms_in_force(agreement)
    sessions = list(agreement.sessions.only("starts_at", "status", "counted", "minutes"))
    now = datetime.now(zoneinfo.ZoneInfo("UTC"))
    upcoming = [
        row for row in sessions if row.status == SessionStatus.PLANNED and row.starts_at >= now
    ]
    return {
        "agreement": agreement,
        "in_force": terms is not None,
        "usage": usage_of(sessions, terms),
        "next_session": upcoming[0] if upcoming else None,
        "time_zone": agreement.coach.profile.time_zone,
        "url": reverse("contracts:sessions", args=[agreement.pk]),
    }
