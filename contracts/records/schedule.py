"""When each class of an agreement's records falls due for disposal.

The periods are those of the governing version: the newest version everyone signed, or,
for an agreement never signed, the newest version sent (declined or voided). They run
from the engagement's end: an early end the coach recorded, else the end date that
version states; for an agreement never signed, the day it was declined or voided.
A class falls due on the same calendar day its number of years later (29 February
falls back to the 28th). A version signed before a class had its own period keeps that
class as long as the agreement itself. The agreement and its evidence are disposed of
last: they stay as long as any other class of theirs is kept, since they describe why.

An engagement with no end (still out for signature, or signed without an end date and
not ended early) has no due dates. Nothing is due while a legal hold stands on the
agreement or on its client.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from coaching.models import RecordClass, User
from contracts.models import (
    Agreement,
    AgreementStatus,
    AgreementVersion,
    LegalHold,
    Termination,
    Tombstone,
    add_months,
)
from contracts.records.classes import DISPOSAL_ORDER, WHAT_IT_COVERS, held_count


@dataclass(frozen=True)
class ClassSchedule:
    record_class: RecordClass
    years: int
    due_on: date | None
    # Records of the class still held; None until counted.
    count: int | None = None

    @property
    def label(self) -> str:
        return str(self.record_class.label)

    @property
    def covers(self) -> str:
        return WHAT_IT_COVERS[self.record_class]


@dataclass(frozen=True)
class Schedule:
    agreement: Agreement
    basis: str  # which version the periods come from, in words
    ended_on: date | None
    ended_early: bool
    today: date
    classes: list[ClassSchedule]
    holds: list[LegalHold] = field(default_factory=list)

    @property
    def running(self) -> bool:
        """The engagement has not ended (or has no end): nothing of it is disposed of."""
        return self.ended_on is None or self.ended_on >= self.today

    @property
    def held(self) -> bool:
        return bool(self.holds)

    def due(self) -> list[ClassSchedule]:
        """The classes due now, in disposal order, that still hold records (once counted)."""
        if self.running or self.held:
            return []
        return [
            item
            for item in self.classes
            if item.due_on is not None and item.due_on <= self.today and item.count != 0
        ]

    def coming(self, *, within_days: int) -> list[ClassSchedule]:
        """The classes that fall due after today and within the days given."""
        if self.ended_on is None:
            return []
        return [
            item
            for item in self.classes
            if item.due_on is not None
            and 0 < (item.due_on - self.today).days <= within_days
            and item.count != 0
        ]

    def counted(self) -> Schedule:
        """The same schedule with the records each class still holds counted."""
        return Schedule(
            agreement=self.agreement,
            basis=self.basis,
            ended_on=self.ended_on,
            ended_early=self.ended_early,
            today=self.today,
            holds=self.holds,
            classes=[
                ClassSchedule(
                    item.record_class,
                    item.years,
                    item.due_on,
                    held_count(self.agreement, item.record_class),
                )
                for item in self.classes
            ],
        )


def coach_today(coach: User, now: datetime | None = None) -> date:
    """Today's date where the coach works (their profile's time zone)."""
    zone = zoneinfo.ZoneInfo(coach.profile.time_zone)
    return (now or timezone.now()).astimezone(zone).date()


def governing_version(agreement: Agreement) -> AgreementVersion | None:
    """The newest version everyone signed; else the newest version that ended unsigned."""
    versions = agreement.versions.order_by("-number")
    signed = versions.filter(completed_at__isnull=False).first()
    if signed is not None:
        return signed
    return versions.filter(ended_at__isnull=False).first()


def _years(records: Any, record_class: RecordClass, fallback: int) -> int:
    rule = records.get(record_class.value) if isinstance(records, dict) else None
    years = rule.get("retention_years") if isinstance(rule, dict) else None
    return years if isinstance(years, int) and years > 0 else fallback


def _parsed(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def active_holds(agreement: Agreement) -> list[LegalHold]:
    return list(
        LegalHold.objects.filter(lifted_at__isnull=True)
        .filter(Q(agreement=agreement) | Q(client_id=agreement.client_id))
        .order_by("placed_at")
    )


def agreement_schedule(
    agreement: Agreement, *, today: date | None = None, counted: bool = True
) -> Schedule | None:
    """The agreement's retention schedule, or None when it has none (a draft never sent)."""
    today = today or coach_today(agreement.coach)
    holds = active_holds(agreement)
    tombstone = Tombstone.objects.filter(agreement=agreement).first()
    if tombstone is not None:
        schedule = _from_tombstone(agreement, tombstone, today, holds)
    else:
        version = governing_version(agreement)
        if version is None:
            return None
        schedule = _from_version(agreement, version, today, holds)
    return schedule.counted() if counted else schedule


def _from_tombstone(
    agreement: Agreement, tombstone: Tombstone, today: date, holds: list[LegalHold]
) -> Schedule:
    ended = tombstone.ended_on
    kept = {name: {"retention_years": years} for name, years in tombstone.retention.items()}
    classes = []
    for record_class in DISPOSAL_ORDER:
        years = _years(kept, record_class, 1)
        classes.append(
            ClassSchedule(record_class, years, add_months(ended, 12 * years) if ended else None)
        )
    basis = "the disposed agreement's tombstone"
    return Schedule(agreement, basis, ended, False, today, classes, holds)


# An agreement in one of these states and never signed is still being worked on.
UNFINISHED = {AgreementStatus.DRAFT, AgreementStatus.SENT, AgreementStatus.PARTLY_SIGNED}


def _from_version(
    agreement: Agreement, version: AgreementVersion, today: date, holds: list[LegalHold]
) -> Schedule:
    snapshot: Any = version.snapshot or {}
    records = (snapshot.get("terms") or {}).get("records") or {}
    profile_years = agreement.coach.profile.retention_years()
    agreement_years = _years(records, RecordClass.AGREEMENT, profile_years[RecordClass.AGREEMENT])
    termination = Termination.objects.filter(agreement=agreement).first()
    ended: date | None
    if version.completed_at is not None:
        basis = f"version {version.number}, signed"
        if termination is not None:
            ended = termination.ended_on
        else:
            ended = _parsed((snapshot.get("dates") or {}).get("end"))
    else:
        basis = f"version {version.number}, never signed ({version.state.lower()})"
        if agreement.status in UNFINISHED or version.ended_at is None:
            ended = None  # reopened as a draft, or out for signature again
        else:
            zone = zoneinfo.ZoneInfo(agreement.coach.profile.time_zone)
            ended = version.ended_at.astimezone(zone).date()
    years = {
        record_class: _years(records, record_class, agreement_years)
        for record_class in DISPOSAL_ORDER
    }
    years[RecordClass.AGREEMENT] = max(years.values())
    classes = [
        ClassSchedule(
            record_class,
            years[record_class],
            add_months(ended, 12 * years[record_class]) if ended else None,
        )
        for record_class in DISPOSAL_ORDER
    ]
    early = termination is not None and version.completed_at is not None
    return Schedule(agreement, basis, ended, early, today, classes, holds)


def scheduled_agreements(coach: User | None = None) -> QuerySet[Agreement]:
    """Agreements that may have records due: sent at least once, not yet disposed of."""
    agreements = (
        Agreement.objects.filter(versions__isnull=False)
        .exclude(status=AgreementStatus.DISPOSED)
        .distinct()
    )
    if coach is not None:
        agreements = agreements.filter(coach=coach)
    return agreements.select_related("coach__profile", "client").order_by("pk")
