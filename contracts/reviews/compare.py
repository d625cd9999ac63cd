"""What changed between two snapshots, in words, for the side-by-side view of an amendment."""

from __future__ import annotations

from dataclasses import dataclass

from coaching.models import RecordClass
from contracts.drafting.sections import SECTION_TITLES
from contracts.models import Terms
from contracts.sharing import sharing_rules
from contracts.snapshot import Snapshot, terms_from_snapshot
from contracts.terms import RECIPIENT_PHRASES


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


def _field_label(name: str) -> str:
    field = Terms._meta.get_field(name)
    return str(getattr(field, "verbose_name", name)).capitalize()


def _describe(snapshot: Snapshot) -> dict[str, str]:
    """Every term of a snapshot as a readable line or block, keyed by its label."""
    agreement = terms_from_snapshot(snapshot)
    sponsor, signatory = snapshot["sponsor"], snapshot["signatory"]
    lines: dict[str, str] = {
        "Title": snapshot["title"],
        "Client": snapshot["client"]["name"],
        "Sponsor": sponsor["name"] if sponsor else "None (private client)",
        "Signs for the sponsor": signatory["name"] if signatory else "",
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
    for rule in sharing_rules(snapshot):
        level = rule.level.label if rule.level else "Not decided"
        lines[f"Shared: {rule.kind.label} with {RECIPIENT_PHRASES[rule.recipient]}"] = level
    lines["Limits of confidentiality"] = "\n".join(
        f"{item['title']}: {item['wording']}" for item in agreement.limit_items
    )
    for key, record in agreement.record_rules.items():
        lines[f"Records: {RecordClass(key).label}"] = (
            f"{record['retention_years']} years; {record['storage']}; {record['disposal']}"
        )
    extra = agreement.additional_terms if isinstance(agreement.additional_terms, dict) else {}
    for step, text in extra.items():
        lines[f"Additional terms: {SECTION_TITLES.get(step, step)}"] = str(text)
    return lines


def compare(before: Snapshot, after: Snapshot) -> list[Change]:
    """The terms that differ, in the order of the agreement."""
    old, new = _describe(before), _describe(after)
    labels = list(dict.fromkeys([*old, *new]))
    return [
        Change(label, old.get(label, ""), new.get(label, ""))
        for label in labels
        if old.get(label, "") != new.get(label, "")
    ]
