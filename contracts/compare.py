"""What changed between two snapshots, in words, for the side-by-side view of an amendment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coaching.models import RecordClass
from contracts import terms
from contracts.builder import STEP_TITLES
from contracts.models import Terms
from contracts.snapshot import terms_from_snapshot


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


def _field_label(name: str) -> str:
    field = Terms._meta.get_field(name)
    return str(getattr(field, "verbose_name", name)).capitalize()


def _describe(snapshot: dict[str, Any]) -> dict[str, str]:
    """Every term of a snapshot as a readable line or block, keyed by its label."""
    agreement = terms_from_snapshot(snapshot)
    lines: dict[str, str] = {
        "Title": snapshot["title"],
        "Client": snapshot["client"]["name"],
        "Sponsor": (snapshot["sponsor"] or {}).get("name", "None (private client)"),
        "Signs for the sponsor": (snapshot["signatory"] or {}).get("name", ""),
        "Kept informed": ", ".join(p["name"] for p in snapshot["stakeholders"]),
        "Coaching starts": snapshot["dates"]["start"] or "",
        "Coaching ends": snapshot["dates"]["end"] or "",
        "Review date": snapshot["dates"]["review"] or "",
    }
    skip = {"goals", "sharing", "confidentiality_limits", "records", "additional_terms"}
    for name in Terms.TERMS_FIELDS:
        if name in skip:
            continue
        display = getattr(agreement, f"get_{name}_display", None)
        value = display() if callable(display) else getattr(agreement, name)
        lines[_field_label(name)] = "" if value is None else str(value)
    lines["Goals"] = "\n".join(
        f"{goal['goal']} (measured by: {goal['measure']})" for goal in agreement.goal_items
    )
    matrix = agreement.sharing_matrix
    for kind in terms.InformationKind:
        for recipient in terms.Recipient:
            cell = matrix[kind][recipient]
            level = terms.SharingLevel(cell["level"]).label if cell["level"] else "Not decided"
            lines[f"Shared: {kind.label} with {terms.RECIPIENT_PHRASES[recipient]}"] = level
    lines["Limits of confidentiality"] = "\n".join(
        f"{item['title']}: {item['wording']}" for item in agreement.limit_items
    )
    for key, rule in agreement.record_rules.items():
        lines[f"Records: {RecordClass(key).label}"] = (
            f"{rule['retention_years']} years; {rule['storage']}; {rule['disposal']}"
        )
    extra = agreement.additional_terms if isinstance(agreement.additional_terms, dict) else {}
    for step, text in extra.items():
        lines[f"Additional terms: {STEP_TITLES.get(step, step)}"] = str(text)
    return lines


def compare(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    """The terms that differ, in the order of the agreement."""
    old, new = _describe(before), _describe(after)
    labels = list(dict.fromkeys([*old, *new]))
    return [
        Change(label, old.get(label, ""), new.get(label, ""))
        for label in labels
        if old.get(label, "") != new.get(label, "")
    ]
