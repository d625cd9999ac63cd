"""An agreement in force, and sessions on it, for the tests of sessions and the log."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from coaching.models import User
from contracts.engagement.sessions import services
from contracts.models import (
    Agreement,
    AgreementStatus,
    AgreementVersion,
    CoachingSession,
    SessionFormat,
    SessionStatus,
)
from tests.contracts.signing_helpers import send_agreement


def in_force(coach: User, **fields: Any) -> Agreement:
    """A sent agreement whose version is marked signed by everyone (the signing itself is
    tested in tests/contracts/signing): 6 sessions from 11 January to 9 July 2027."""
    fields.setdefault("session_count", 6)
    version = send_agreement(coach, **fields)
    AgreementVersion.objects.filter(pk=version.pk).update(completed_at=timezone.now())
    Agreement.objects.filter(pk=version.agreement_id).update(status=AgreementStatus.SIGNED)
    return Agreement.objects.with_parties().get(pk=version.agreement_id)


def at(year: int, month: int, day: int, hour: int = 9) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=UTC)


def data(
    starts_at: datetime | None = None,
    *,
    status: str = SessionStatus.HELD,
    minutes: int = 60,
    pro_bono: bool = False,
    override_reason: str = "",
) -> services.SessionData:
    return services.SessionData(
        starts_at=starts_at or at(2027, 2, 1),
        minutes=minutes,
        format=SessionFormat.VIDEO,
        status=status,
        pro_bono=pro_bono,
        override_reason=override_reason,
    )


def log(agreement: Agreement, *args: Any, **kwargs: Any) -> CoachingSession:
    return services.session_log(
        agreement=agreement, coach=agreement.coach, data=data(*args, **kwargs)
    )
