"""The catalogue behind an agreement's structured sections.

Kinds of information, recipients and sharing levels (the sharing matrix), the
standard limits of confidentiality with their wording, and the record classes.
Agreements and templates keep these sections as JSON shaped by the functions
here, so one place says what a valid matrix, list of limits or records policy is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

from django.db import models

from coaching.models import RecordClass


class InformationKind(models.TextChoices):
    ATTENDANCE = "attendance", "Attendance and session dates"
    PROGRESS = "progress", "Progress against the agreed goals"
    THEMES = "themes", "The general themes of the coaching"
    CONTENT = "content", "What is said in coaching sessions"
    ASSESSMENTS = "assessments", "Assessment and psychometric results"
    FEEDBACK = "feedback", "Stakeholder feedback gathered for the client"
    INTAKE = "intake", "Answers to the intake questionnaire"
    NOTES = "notes", "The coach's notes"


# Kinds that coaching promises to keep between coach and client: never shared routinely.
PROTECTED_KINDS = {InformationKind.CONTENT, InformationKind.NOTES}


class Recipient(models.TextChoices):
    SPONSOR = "sponsor", "The sponsor (HR)"
    LINE_MANAGER = "line_manager", "The line manager"


RECIPIENT_PHRASES = {
    Recipient.SPONSOR: "the sponsor (HR)",
    Recipient.LINE_MANAGER: "the line manager",
}


class SharingLevel(models.TextChoices):
    NEVER = "never", "Never"
    CONSENT = "consent", "Only with the client's written consent each time"
    APPROVED_SUMMARY = "approved_summary", "A summary the client approves first"
    ROUTINE = "routine", "Routinely"


class SharingMethod(models.TextChoices):
    REPORT = "report", "a written report"
    MEETING = "meeting", "a three-way meeting"
    EMAIL = "email", "email"


class SharingTiming(models.TextChoices):
    AFTER_EACH = "after_each", "after each session"
    MONTHLY = "monthly", "monthly"
    MIDPOINT = "midpoint", "at the midpoint"
    MIDPOINT_AND_END = "midpoint_and_end", "at the midpoint and at the end"
    END = "end", "at the end of the engagement"


class PreparedBy(models.TextChoices):
    COACH = "coach", "the coach"
    CLIENT = "client", "the client"
    TOGETHER = "together", "the coach and the client together"


class SharingCell(TypedDict):
    level: str
    method: str
    timing: str
    prepared_by: str


Sharing = dict[str, dict[str, SharingCell]]


def sharing_cell(
    level: str = SharingLevel.NEVER, method: str = "", timing: str = "", prepared_by: str = ""
) -> SharingCell:
    return {"level": level, "method": method, "timing": timing, "prepared_by": prepared_by}


def default_sharing() -> Sharing:
    """Attendance is shared routinely; anything else only with the client's consent, or never."""
    consent = {
        InformationKind.PROGRESS,
        InformationKind.THEMES,
        InformationKind.ASSESSMENTS,
        InformationKind.FEEDBACK,
    }
    matrix: Sharing = {}
    for kind in InformationKind:
        row: dict[str, SharingCell] = {}
        for recipient in Recipient:
            if kind == InformationKind.ATTENDANCE:
                row[recipient] = sharing_cell(
                    SharingLevel.ROUTINE,
                    SharingMethod.EMAIL,
                    SharingTiming.MONTHLY,
                    PreparedBy.COACH,
                )
            elif kind in consent:
                row[recipient] = sharing_cell(
                    SharingLevel.CONSENT,
                    SharingMethod.MEETING,
                    SharingTiming.MIDPOINT_AND_END,
                    PreparedBy.CLIENT,
                )
            else:
                row[recipient] = sharing_cell()
        matrix[kind] = row
    return matrix


def normalised_sharing(raw: Any) -> Sharing:
    """Every kind and recipient present, unknown values replaced by 'not decided' ('')."""
    source = _as_dict(raw)
    matrix: Sharing = {}
    for kind in InformationKind:
        row_source = _as_dict(source.get(kind))
        row: dict[str, SharingCell] = {}
        for recipient in Recipient:
            cell = _as_dict(row_source.get(recipient))
            row[recipient] = {
                "level": _choice(cell.get("level"), SharingLevel),
                "method": _choice(cell.get("method"), SharingMethod),
                "timing": _choice(cell.get("timing"), SharingTiming),
                "prepared_by": _choice(cell.get("prepared_by"), PreparedBy),
            }
        matrix[kind] = row
    return matrix


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _choice(value: Any, choices: type[models.TextChoices]) -> str:
    return value if value in choices.values else ""


class Jurisdiction(models.TextChoices):
    ENGLAND_WALES = "england_wales", "England and Wales"
    SCOTLAND = "scotland", "Scotland"
    NORTHERN_IRELAND = "northern_ireland", "Northern Ireland"
    IRELAND = "ireland", "Ireland"
    USA = "usa", "United States"
    CANADA = "canada", "Canada"
    AUSTRALIA = "australia", "Australia"
    NEW_ZEALAND = "new_zealand", "New Zealand"
    OTHER = "other", "Another jurisdiction"


UK_JURISDICTIONS = {
    Jurisdiction.ENGLAND_WALES,
    Jurisdiction.SCOTLAND,
    Jurisdiction.NORTHERN_IRELAND,
}


@dataclass(frozen=True)
class StandardLimit:
    key: str
    title: str
    wording: str
    uk_only: bool = False


STANDARD_LIMITS = [
    StandardLimit(
        "consent",
        "The client's written consent",
        "When the client gives written consent to a specific disclosure, to a named person.",
    ),
    StandardLimit(
        "illegal",
        "Serious illegal activity",
        "When the client discloses serious illegal activity that the coach cannot in "
        "conscience keep confidential.",
    ),
    StandardLimit(
        "law",
        "Required by law",
        "When the law, a court order or a subpoena requires the coach to disclose information.",
    ),
    StandardLimit(
        "harm",
        "Risk of serious harm",
        "When there is an imminent or likely risk of serious harm to the client or to others.",
    ),
    StandardLimit(
        "safeguarding",
        "Safeguarding",
        "When disclosure is needed to safeguard a child or an adult at risk of abuse or neglect.",
    ),
    StandardLimit(
        "terrorism",
        "Terrorism (United Kingdom)",
        "When the Terrorism Act 2000 (sections 19 and 38B) requires the coach to report "
        "information about acts of terrorism.",
        uk_only=True,
    ),
]
STANDARD_LIMIT_KEYS = {limit.key: limit for limit in STANDARD_LIMITS}


class LimitItem(TypedDict):
    key: str
    title: str
    wording: str


def standard_limit(key: str) -> LimitItem:
    limit = STANDARD_LIMIT_KEYS[key]
    return {"key": limit.key, "title": limit.title, "wording": limit.wording}


def default_limits(*, jurisdiction: str = Jurisdiction.ENGLAND_WALES) -> list[LimitItem]:
    uk = jurisdiction in UK_JURISDICTIONS
    return [standard_limit(limit.key) for limit in STANDARD_LIMITS if uk or not limit.uk_only]


def normalised_limits(raw: Any) -> list[LimitItem]:
    """Limits as a list of {key, title, wording}; negotiated ones have keys 'custom-N'."""
    items: list[LimitItem] = []
    for entry in raw if isinstance(raw, list) else []:
        if not isinstance(entry, dict):
            continue
        key, title, wording = (
            str(entry.get(name) or "").strip() for name in ("key", "title", "wording")
        )
        if key and title and wording:
            items.append({"key": key, "title": title, "wording": wording})
    return items


class RecordRule(TypedDict):
    retention_years: int | None
    storage: str
    disposal: str


Records = dict[str, RecordRule]

DEFAULT_STORAGE = "Encrypted storage controlled by the coach; never on the sponsor's systems."
DEFAULT_DISPOSAL = "Secure deletion of electronic copies and cross-cut shredding of paper."


def default_records(retention_years: dict[RecordClass, int] | None = None) -> Records:
    years = retention_years or {}
    return {
        record_class: {
            "retention_years": years.get(record_class, 7 if record_class == "agreement" else 3),
            "storage": DEFAULT_STORAGE,
            "disposal": DEFAULT_DISPOSAL,
        }
        for record_class in RecordClass
    }


def normalised_records(raw: Any) -> Records:
    source = _as_dict(raw)
    records: Records = {}
    for record_class in RecordClass:
        rule = _as_dict(source.get(record_class))
        years = rule.get("retention_years")
        records[record_class] = {
            "retention_years": years if isinstance(years, int) and 0 < years <= 50 else None,
            "storage": str(rule.get("storage") or "").strip(),
            "disposal": str(rule.get("disposal") or "").strip(),
        }
    return records


class Goal(TypedDict):
    goal: str
    measure: str


def normalised_goals(raw: Any) -> list[Goal]:
    goals: list[Goal] = []
    for entry in raw if isinstance(raw, list) else []:
        if isinstance(entry, dict) and str(entry.get("goal") or "").strip():
            goals.append(
                {
                    "goal": str(entry["goal"]).strip(),
                    "measure": str(entry.get("measure") or "").strip(),
                }
            )
    return goals
