"""What a three-way meeting covers, drawn from the signed agreement: the goals, what the
matrix says will be shared at that meeting, and what will not be shared at all.

Every reader of an agenda (the coach's page, the invitation emails, each party's page)
takes it from here, so all three parties read the same agenda.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import timedelta

from contracts.models import AgreementVersion, MeetingKind, ThreeWayMeeting
from contracts.sharing import SharingRule, sharing_rules
from contracts.terms import (
    PROTECTED_KINDS,
    RECIPIENT_PHRASES,
    Goal,
    InformationKind,
    SharingLevel,
    SharingMethod,
    SharingTiming,
    normalised_goals,
)

# The matrix's timings a meeting of each kind answers. A contracting meeting comes before
# there is anything to report; an extra meeting shares nothing the matrix did not time.
TIMINGS_AT: dict[str, set[SharingTiming]] = {
    MeetingKind.CONTRACTING: set(),
    MeetingKind.MIDPOINT: {SharingTiming.MIDPOINT, SharingTiming.MIDPOINT_AND_END},
    MeetingKind.CLOSE: {SharingTiming.END, SharingTiming.MIDPOINT_AND_END},
    MeetingKind.OTHER: set(),
}

PROTECTED_REASON = "kept between the coach and the client, always"


@dataclass(frozen=True)
class SharedItem:
    """One kind of information shared at the meeting, with whom and on what condition."""

    kind: InformationKind
    recipients: str
    condition: str
    prepared_by: str

    @property
    def label(self) -> str:
        return self.kind.label


@dataclass(frozen=True)
class NotShared:
    kind: InformationKind
    reason: str

    @property
    def label(self) -> str:
        return self.kind.label


@dataclass(frozen=True)
class Agenda:
    kind: MeetingKind
    goals: list[Goal]
    shared: list[SharedItem]
    not_shared: list[NotShared]


def _phrase(recipients: list[SharingRule]) -> str:
    return " and ".join(RECIPIENT_PHRASES[rule.recipient] for rule in recipients)


def _condition(level: SharingLevel) -> str:
    return {
        SharingLevel.ROUTINE: "as a matter of routine",
        SharingLevel.APPROVED_SUMMARY: "as a summary the client approves first",
        SharingLevel.CONSENT: "only if the client gives written consent at the time",
        SharingLevel.NEVER: "never",
    }[level]


def meeting_agenda(version: AgreementVersion, kind: str) -> Agenda:
    """The agenda of a meeting of this kind under this signed (or sent) version."""
    timings = TIMINGS_AT.get(kind, set())
    rules = sharing_rules(version)
    shared: list[SharedItem] = []
    not_shared: list[NotShared] = []
    for information in InformationKind:
        row = [rule for rule in rules if rule.kind == information]
        if information in PROTECTED_KINDS:
            not_shared.append(NotShared(information, PROTECTED_REASON))
            continue
        at_meeting = [
            rule
            for rule in row
            if rule.shared
            and rule.method == SharingMethod.MEETING
            and rule.timing in timings
            and rule.level is not None
        ]
        # Grouped by condition, so "the sponsor and the line manager" read as one line.
        for level in SharingLevel:
            same = [rule for rule in at_meeting if rule.level == level]
            if same:
                prepared = same[0].prepared_by
                shared.append(
                    SharedItem(
                        kind=information,
                        recipients=_phrase(same),
                        condition=_condition(level),
                        prepared_by=prepared.label if prepared else "",
                    )
                )
        never = [rule for rule in row if not rule.shared]
        if never:
            not_shared.append(NotShared(information, f"never shared with {_phrase(never)}"))
    return Agenda(
        kind=MeetingKind(kind),
        goals=normalised_goals(version.snapshot["terms"]["goals"]),
        shared=shared,
        not_shared=not_shared,
    )


def meeting_when(meeting: ThreeWayMeeting) -> str:
    """ "Tuesday 9 March 2027, 10:00 to 11:00 (Europe/London)": in the coach's time zone,
    named, since the parties may live in another."""
    zone = zoneinfo.ZoneInfo(meeting.agreement.coach.profile.time_zone)
    starts = meeting.starts_at.astimezone(zone)
    ends = starts + timedelta(minutes=meeting.minutes)
    return f"{starts:%A %-d %B %Y, %H:%M} to {ends:%H:%M} ({zone.key})"
