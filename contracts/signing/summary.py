"""What a client or sponsor signatory reads before the full text: the agreement in brief,
what each recipient will and will not receive, and, for someone who signed an earlier
version of the same agreement, what changed since.

A signer confirms each limit of confidentiality and each recipient's table once. Someone
signing an amendment confirms only the limits and tables that changed since the version
they signed: the rest they confirmed then, and it is the same text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.template.defaultfilters import floatformat
from django.utils.formats import date_format

from contracts.drafting.perspectives import Party, reader_for
from contracts.models import Signer, SignerStatus
from contracts.reviews.compare import Change, compare, rule_text
from contracts.sharing import SharingRule, sharing_rules
from contracts.snapshot import Snapshot, snapshot_dates, terms_from_snapshot
from contracts.terms import LimitItem, PreparedBy, Recipient, SharingLevel, SharingMethod


@dataclass(frozen=True)
class Fact:
    label: str
    text: str


@dataclass(frozen=True)
class SharingRow:
    """Kinds of information that reach a recipient the same way (or never)."""

    answer: str
    details: str
    shared: bool
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class RecipientTable:
    """One recipient's column of the sharing matrix, in the reader's words."""

    recipient: Recipient
    name: str
    rows: tuple[SharingRow, ...]
    keys: tuple[str, ...]  # the rules a confirmation of this table covers

    @property
    def field_name(self) -> str:
        return f"share_{self.recipient}"

    @property
    def heading(self) -> str:
        return f"What {self.name} will and will not receive"

    @property
    def confirmation(self) -> str:
        return f"I understand what {self.name} will and will not receive."


@dataclass(frozen=True)
class EarlierSignature:
    """The version this signer signed before, and what differs in the one they sign now."""

    number: int
    changes: list[Change]
    limits: frozenset[str]  # limits added or reworded since
    recipients: frozenset[str]  # recipients whose table changed since


@dataclass(frozen=True)
class SigningSummary:
    facts: list[Fact]
    tables: list[RecipientTable]
    limits: list[LimitItem]
    earlier: EarlierSignature | None

    @property
    def limits_to_confirm(self) -> list[LimitItem]:
        if self.earlier is None:
            return self.limits
        return [item for item in self.limits if item["key"] in self.earlier.limits]

    @property
    def tables_to_confirm(self) -> list[RecipientTable]:
        if self.earlier is None:
            return self.tables
        return [table for table in self.tables if table.recipient in self.earlier.recipients]


def _day(value: date | None) -> str:
    return date_format(value, "j F Y") if value else "a date to be set"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _facts(snapshot: Snapshot, reader: Party) -> list[Fact]:
    coach, client = snapshot["coach"], snapshot["client"]
    sponsor, signatory = snapshot["sponsor"], snapshot["signatory"]
    terms = terms_from_snapshot(snapshot)
    you_client = " (you)" if reader == Party.CLIENT else ""
    facts = [
        Fact(
            "Coach",
            coach["name"]
            + (
                f", {coach['practice_name']}"
                if coach["practice_name"] and coach["practice_name"] != coach["name"]
                else ""
            ),
        ),
        Fact("Client", client["name"] + you_client),
    ]
    if sponsor and not snapshot["two_party"]:
        signs = (
            f"; {signatory['name']}{' (you)' if reader == Party.SPONSOR else ''} signs for it"
            if signatory
            else ""
        )
        facts.append(Fact("Sponsor", f"{sponsor['name']}, which pays for the coaching{signs}"))
        if snapshot["stakeholders"]:
            facts.append(
                Fact(
                    "Kept informed, not signing",
                    "; ".join(
                        f"{person['name']} ({_lower_first(person['role'])})"
                        for person in snapshot["stakeholders"]
                    ),
                )
            )
    dates = snapshot_dates(snapshot)
    facts.append(
        Fact(
            "Dates",
            f"{_day(dates['start'])} to {_day(dates['end'])}; the agreement is reviewed on "
            f"{_day(dates['review'])}.",
        )
    )
    sessions = (
        f"{terms.session_count} session{'s' if terms.session_count != 1 else ''}"
        if terms.session_count
        else "Number of sessions not set"
    )
    if terms.session_length_minutes:
        sessions += f" of {terms.session_length_minutes} minutes"
    if terms.session_frequency:
        sessions += f", {terms.session_frequency}"
    if terms.session_format:
        sessions += f", {_lower_first(terms.get_session_format_display())}"
    facts.append(Fact("Sessions", sessions + "."))
    facts.append(Fact("Fee", _fee(snapshot)))
    return facts


def _fee(snapshot: Snapshot) -> str:
    terms = terms_from_snapshot(snapshot)
    if terms.fee_basis == "pro_bono":
        return "None: the coaching is pro bono."
    if terms.fee_basis == "separate":
        return "Paid by the sponsor, as set out in a separate contract with the coach."
    if not terms.fee_basis:
        return "Not set."
    amount = (
        f": {floatformat(terms.fee_amount, '2g')} {terms.fee_currency}"
        if terms.fee_amount is not None
        else ""
    )
    payer = f", paid by {_lower_first(terms.get_payer_display())}" if terms.payer else ""
    return f"{terms.get_fee_basis_display()}{amount}{payer}."


def _recipient_name(recipient: Recipient, reader: Party, snapshot: Snapshot) -> str:
    if recipient == Recipient.SPONSOR:
        sponsor = snapshot["sponsor"]
        return f"{sponsor['name']}'s HR contact" if sponsor else "the sponsor's HR contact"
    if reader == Party.CLIENT:
        return "your line manager"
    return f"{snapshot['client']['name']}'s line manager"


def _answer(rule: SharingRule, reader: Party, client_name: str) -> tuple[str, str]:
    """Whether the recipient receives this kind of information, and how, when and
    prepared by whom, in the reader's words."""
    client = reader == Party.CLIENT
    answers = {
        SharingLevel.NEVER: "No, never",
        SharingLevel.ROUTINE: "Yes, routinely",
        SharingLevel.APPROVED_SUMMARY: (
            "A summary you approve first" if client else f"A summary {client_name} approves first"
        ),
        SharingLevel.CONSENT: (
            "Only with your written consent, each time"
            if client
            else f"Only with {client_name}'s written consent, each time"
        ),
    }
    answer = answers[rule.level] if rule.level else "Not decided"
    if not rule.shared:
        return answer, ""
    methods = {
        SharingMethod.REPORT: "in a written report",
        SharingMethod.MEETING: "at a three-way meeting",
        SharingMethod.EMAIL: "by email",
    }
    preparers = {
        PreparedBy.COACH: "the coach",
        PreparedBy.CLIENT: "you" if client else client_name,
        PreparedBy.TOGETHER: (
            "you and the coach together" if client else f"the coach and {client_name} together"
        ),
    }
    parts = [
        methods[rule.method] if rule.method else "",
        rule.timing.label if rule.timing else "",
        f"prepared by {preparers[rule.prepared_by]}" if rule.prepared_by else "",
    ]
    details = ", ".join(part for part in parts if part)
    return answer, details[:1].upper() + details[1:]


# What reaches the recipient comes first, the most freely shared first; "never" last.
LEVEL_ORDER = [
    SharingLevel.ROUTINE,
    SharingLevel.APPROVED_SUMMARY,
    SharingLevel.CONSENT,
    SharingLevel.NEVER,
    None,
]


def _rows(rules: list[SharingRule], reader: Party, client_name: str) -> tuple[SharingRow, ...]:
    """One row per way of sharing, listing every kind of information shared that way."""
    grouped: dict[tuple[str, str], list[SharingRule]] = {}
    for rule in rules:
        grouped.setdefault(_answer(rule, reader, client_name), []).append(rule)
    ordered = sorted(grouped.items(), key=lambda item: LEVEL_ORDER.index(item[1][0].level))
    return tuple(
        SharingRow(answer, details, group[0].shared, tuple(rule.kind.label for rule in group))
        for (answer, details), group in ordered
    )


def recipient_tables(snapshot: Snapshot, reader: Party) -> list[RecipientTable]:
    """For each recipient, every kind of information and whether, how, when and by whom it
    reaches them. A private client's agreement has no recipients."""
    if snapshot["two_party"]:
        return []
    rules = sharing_rules(snapshot)
    client_name = snapshot["client"]["name"]
    return [
        RecipientTable(
            recipient=recipient,
            name=_recipient_name(recipient, reader, snapshot),
            rows=_rows(
                [rule for rule in rules if rule.recipient == recipient], reader, client_name
            ),
            keys=tuple(rule.key for rule in rules if rule.recipient == recipient),
        )
        for recipient in Recipient
    ]


def earlier_signature(signer: Signer) -> Signer | None:
    """The same person's signature, in the same role, on an earlier version of this
    agreement (the newest one), if any. Someone new in the role has signed nothing yet."""
    version = signer.version
    if version.number == 1:
        return None
    earlier = (
        Signer.objects.filter(
            version__agreement_id=version.agreement_id,
            version__number__lt=version.number,
            role=signer.role,
            status=SignerStatus.SIGNED,
        )
        .select_related("version")
        .order_by("-version__number")
    )
    return next(
        (person for person in earlier if person.email.casefold() == signer.email.casefold()),
        None,
    )


def _limits_changed(before: Snapshot, after: Snapshot) -> frozenset[str]:
    old_terms, new_terms = terms_from_snapshot(before), terms_from_snapshot(after)
    new_limits = new_terms.limit_items
    jurisdiction = ("jurisdiction", "jurisdiction_other")
    if any(getattr(old_terms, name) != getattr(new_terms, name) for name in jurisdiction):
        return frozenset(item["key"] for item in new_limits)
    old_limits = {item["key"]: item for item in old_terms.limit_items}
    return frozenset(item["key"] for item in new_limits if old_limits.get(item["key"]) != item)


def _recipients_changed(before: Snapshot, after: Snapshot) -> frozenset[str]:
    if before["two_party"]:
        return frozenset(Recipient)

    def columns(snapshot: Snapshot) -> dict[str, list[str]]:
        rules = sharing_rules(snapshot)
        return {
            recipient: [rule_text(rule) for rule in rules if rule.recipient == recipient]
            for recipient in Recipient
        }

    old, new = columns(before), columns(after)
    return frozenset(recipient for recipient in Recipient if old[recipient] != new[recipient])


def signing_summary(signer: Signer) -> SigningSummary:
    """Everything the signing page shows above the full text, for this signer."""
    return summary_with(signer, earlier_signature(signer))


def summary_with(signer: Signer, earlier: Signer | None) -> SigningSummary:
    """The summary for a signer whose `earlier_signature` was looked up already."""
    snapshot = signer.version.snapshot
    reader = reader_for(signer.role)
    return SigningSummary(
        facts=_facts(snapshot, reader),
        tables=recipient_tables(snapshot, reader),
        limits=terms_from_snapshot(snapshot).limit_items,
        earlier=(
            EarlierSignature(
                number=earlier.version.number,
                changes=compare(earlier.version.snapshot, snapshot),
                limits=_limits_changed(earlier.version.snapshot, snapshot),
                recipients=_recipients_changed(earlier.version.snapshot, snapshot),
            )
            if earlier
            else None
        ),
    )
