"""What changed between two snapshots, in words: the coach's side-by-side view of an
amendment, and the top of a party's signing page when they signed an earlier version.

Every term a party signs is described, so any change to the text signed shows up here:
the parties and their details, the dates, each section's fields, each goal, each cell
of the sharing matrix with how, when and by whom it is shared, each limit of
confidentiality, each record class and the additional terms.
"""

from __future__ import annotations

from dataclasses import dataclass

from coaching.models import RecordClass
from contracts.drafting.sections import SECTION_TITLES
from contracts.models import Terms
from contracts.sharing import SharingRule, sharing_rules
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


def rule_text(rule: SharingRule) -> str:
    """One cell of the matrix in words: the level, then how, when and by whom, when shared."""
    if rule.level is None:
        return "Not decided"
    if not rule.shared:
        return rule.level.label
    details = [
        f"by {rule.method.label}" if rule.method else "",
        rule.timing.label if rule.timing else "",
        f"prepared by {rule.prepared_by.label}" if rule.prepared_by else "",
    ]
    return "; ".join([rule.level.label, *(part for part in details if part)])


def _plain(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def _parties(snapshot: Snapshot) -> dict[str, tuple[str, str]]:
    coach, client = snapshot["coach"], snapshot["client"]
    sponsor, signatory = snapshot["sponsor"], snapshot["signatory"]
    insurance = coach["insurance"]
    return {
        "title": ("Title", snapshot["title"]),
        "coach": ("Coach", coach["name"]),
        "coach.practice": ("Coach's practice", coach["practice_name"]),
        "coach.contact": (
            "Coach's contact details",
            ", ".join(part for part in (coach["email"], coach["phone"]) if part),
        ),
        "coach.memberships": (
            "Coach's professional memberships",
            "\n".join(
                ", ".join(
                    part
                    for part in (
                        membership["body"],
                        membership["credential"],
                        f"member {membership['member_number']}"
                        if membership["member_number"]
                        else "",
                    )
                    if part
                )
                for membership in coach["memberships"]
            ),
        ),
        "coach.insurance": (
            "Coach's professional indemnity insurance",
            (
                f"{insurance['insurer']}, policy {insurance['policy_number']}, cover "
                f"{insurance['cover_amount'] or 'not stated'} {insurance['cover_currency']}, "
                f"valid until {insurance['expires_on'] or 'not stated'}"
            )
            if insurance
            else "",
        ),
        "client": ("Client", client["name"]),
        "client.details": (
            "Client's job title and email",
            ", ".join(part for part in (client["job_title"], client["email"]) if part),
        ),
        "sponsor": ("Sponsor", sponsor["name"] if sponsor else "None (private client)"),
        "sponsor.address": ("Sponsor's address", sponsor["address"] if sponsor else ""),
        "signatory": ("Signs for the sponsor", signatory["name"] if signatory else ""),
        "signatory.details": (
            "Signatory's job title and email",
            ", ".join(part for part in (signatory["job_title"], signatory["email"]) if part)
            if signatory
            else "",
        ),
        "stakeholders": (
            "Kept informed",
            "\n".join(
                ", ".join(
                    part for part in (person["name"], person["role"], person["job_title"]) if part
                )
                + f" ({person['email']})"
                for person in snapshot["stakeholders"]
            ),
        ),
        "dates.start": ("Coaching starts", snapshot["dates"]["start"] or ""),
        "dates.end": ("Coaching ends", snapshot["dates"]["end"] or ""),
        "dates.review": ("Review date", snapshot["dates"]["review"] or ""),
    }


def _describe(snapshot: Snapshot) -> dict[str, tuple[str, str]]:
    """Every term of a snapshot as (label, readable value), keyed by what it is, so that a
    reworded limit is matched with itself."""
    agreement = terms_from_snapshot(snapshot)
    lines = _parties(snapshot)
    skip = {"goals", "sharing", "confidentiality_limits", "records", "additional_terms"}
    for name in Terms.TERMS_FIELDS:
        if name in skip:
            continue
        display = getattr(agreement, f"get_{name}_display", None)
        value = display() if callable(display) else getattr(agreement, name)
        lines[f"terms.{name}"] = (_field_label(name), _plain(value))
    lines["goals"] = (
        "Goals",
        "\n".join(
            f"{goal['goal']} (measured by: {goal['measure']})" for goal in agreement.goal_items
        ),
    )
    if not snapshot["two_party"]:
        for rule in sharing_rules(snapshot):
            label = f"Shared: {rule.kind.label} with {RECIPIENT_PHRASES[rule.recipient]}"
            lines[f"sharing.{rule.key}"] = (label, rule_text(rule))
    for item in agreement.limit_items:
        lines[f"limit.{item['key']}"] = (
            "Limit of confidentiality",
            f"{item['title']}: {item['wording']}",
        )
    for key, record in agreement.record_rules.items():
        lines[f"records.{key}"] = (
            f"Records: {RecordClass(key).label}",
            f"{record['retention_years']} years; {record['storage']}; {record['disposal']}",
        )
    extra = agreement.additional_terms if isinstance(agreement.additional_terms, dict) else {}
    for step, text in extra.items():
        lines[f"additional.{step}"] = (
            f"Additional terms: {SECTION_TITLES.get(step, step)}",
            str(text),
        )
    return lines


def compare(before: Snapshot, after: Snapshot) -> list[Change]:
    """The terms that differ, in the order of the agreement."""
    old, new = _describe(before), _describe(after)
    missing = ("", "")
    return [
        Change(
            new.get(key, old.get(key, missing))[0],
            old.get(key, missing)[1],
            new.get(key, missing)[1],
        )
        for key in dict.fromkeys([*old, *new])
        if old.get(key, missing)[1] != new.get(key, missing)[1]
    ]
