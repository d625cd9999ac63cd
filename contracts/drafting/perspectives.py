"""Each party's view of one agreement: the same terms, addressed to the reader.

The coach sees everything. The client and the sponsor see the sections they agree
to, with the sharing matrix phrased for them ("You will receive ...", "You will
not receive ..."). The same view serves the preview, the signing page and the PDF.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum, StrEnum
from typing import Any

from coaching.models import ContactRole, RecordClass
from contracts.drafting.sections import agreement_sections
from contracts.models import Signer, SignerRole
from contracts.sharing import SharingRule, sharing_rules
from contracts.snapshot import Snapshot, snapshot_dates, terms_from_snapshot
from contracts.terms import InformationKind, PreparedBy, Recipient, SharingLevel


class Party(StrEnum):
    COACH = "coach"
    CLIENT = "client"
    SPONSOR = "sponsor"

    @property
    def label(self) -> str:
        return {"coach": "Coach", "client": "Client", "sponsor": "Sponsor"}[self.value]


@dataclass(frozen=True)
class SharingStatement:
    key: str
    shared: bool
    sentence: str
    # "routine", "conditional" (consent each time, or a summary approved first) or "never"
    condition: str = "routine"
    # The same in words, for the reader (the list marks it with an icon)
    mark: str = ""


def parties_for(*, two_party: bool) -> list[Party]:
    if two_party:
        return [Party.COACH, Party.CLIENT]
    return [Party.COACH, Party.CLIENT, Party.SPONSOR]


def reader_for(role: str) -> Party:
    """Whose view a person reads: those kept informed read the sponsor's."""
    return {
        SignerRole.COACH: Party.COACH,
        SignerRole.SPONSOR: Party.SPONSOR,
        SignerRole.OBSERVER: Party.SPONSOR,
    }.get(SignerRole(role), Party.CLIENT)


class _Usual(Enum):
    COLUMN = "usual"


# The column of the matrix a reader reads as "you" unless told otherwise: the sponsor's
# view is addressed to its signatory, who reads the sponsor's (HR) column.
USUAL = _Usual.COLUMN
type Column = Recipient | _Usual | None


def reader_column(signer: Signer) -> Recipient | None:
    """The column of the sharing matrix this person reads as theirs, if any: the sponsor's
    signatory, and anyone kept informed whose role is HR, the sponsor's; a line manager
    kept informed, the line manager's; anyone else, none."""
    if signer.role == SignerRole.SPONSOR:
        return Recipient.SPONSOR
    if signer.role == SignerRole.OBSERVER and signer.contact is not None:
        return {
            ContactRole.HR: Recipient.SPONSOR,
            ContactRole.LINE_MANAGER: Recipient.LINE_MANAGER,
        }.get(ContactRole(signer.contact.role))
    return None


def _you(reader: Party, you: Column) -> Recipient | None:
    if you is USUAL:
        return Recipient.SPONSOR if reader == Party.SPONSOR else None
    return you


def _subject(recipient: Recipient, reader: Party, you: Recipient | None) -> str:
    if recipient == you:
        return "You"
    if recipient == Recipient.SPONSOR:
        return "Your sponsor" if reader == Party.CLIENT else "The sponsor"
    return "Your line manager" if reader == Party.CLIENT else "The line manager"


def _client_name(reader: Party, client_name: str) -> tuple[str, str]:
    """How the reader is told about the client: (subject, possessive)."""
    if reader == Party.CLIENT:
        return "you", "your"
    return client_name, f"{client_name}'s"


# Who prepares what is shared, for the client: addressed as "you", like the rest.
PREPARED_FOR_CLIENT = {
    PreparedBy.COACH: "the coach",
    PreparedBy.CLIENT: "you",
    PreparedBy.TOGETHER: "you and the coach together",
}


def _condition(level: SharingLevel | None, reader: Party, client_name: str) -> tuple[str, str]:
    """How a rule is marked beside its sentence, as a class and in words: shared
    routinely, only on a condition (the client's consent each time, or a summary the
    client approves first), or not at all."""
    client, _possessive = _client_name(reader, client_name)
    you = reader == Party.CLIENT
    if level == SharingLevel.ROUTINE:
        return "routine", "Routinely"
    if level == SharingLevel.CONSENT:
        return "conditional", f"Only with {'your' if you else _possessive} consent each time"
    if level == SharingLevel.APPROVED_SUMMARY:
        return "conditional", f"Only once {client} {'approve' if you else 'approves'} it"
    return "never", "Not decided" if level is None else "Never"


def sharing_sentence(
    rule: SharingRule, reader: Party, client_name: str, *, you: Column = USUAL
) -> SharingStatement:
    """What `rule` lets its recipient receive, in a sentence addressed to the reader; `you`
    is the column the reader reads as theirs (by default the sponsor's, for the sponsor)."""
    subject = _subject(rule.recipient, reader, _you(reader, you))
    what = rule.kind.label[0].lower() + rule.kind.label[1:]
    if reader == Party.CLIENT:
        what = what.replace("for the client", "for you")
    client, client_possessive = _client_name(reader, client_name)
    condition, mark = _condition(rule.level, reader, client_name)
    if rule.level is None:
        sentence = f"{subject}: not decided yet."
        return SharingStatement(rule.key, False, sentence, condition, mark)
    if rule.level == SharingLevel.NEVER:
        sentence = f"{subject} will not receive {what}."
        return SharingStatement(rule.key, False, sentence, condition, mark)
    if rule.level == SharingLevel.ROUTINE:
        core = f"{subject} will receive {what}"
    elif rule.level == SharingLevel.APPROVED_SUMMARY:
        approves = "approve" if reader == Party.CLIENT else "approves"
        core = f"{subject} will receive a summary of {what} that {client} {approves} first"
    else:
        consent = f"only with {client_possessive} written consent each time"
        core = f"{subject} will receive {what} {consent}"
    details = []
    if rule.method:
        details.append(f"by {rule.method.label}")
    if rule.timing:
        details.append(rule.timing.label)
    if rule.prepared_by:
        by = (
            PREPARED_FOR_CLIENT[rule.prepared_by]
            if reader == Party.CLIENT
            else rule.prepared_by.label
        )
        details.append(f"prepared by {by}")
    sentence = core + (", " + ", ".join(details) if details else "") + "."
    return SharingStatement(rule.key, True, sentence, condition, mark)


def recipient_heading(
    recipient: Recipient, reader: Party, sponsor_name: str, *, you: Column = USUAL
) -> str:
    """Whom a list of sharing rules is about, for the reader: "You: HR at ..." only for
    the one who reads the sponsor's (HR) column, never for a line manager."""
    if recipient == _you(reader, you):
        role = "HR" if recipient == Recipient.SPONSOR else "the line manager"
        return f"You: {role} at {sponsor_name}"
    if recipient == Recipient.SPONSOR:
        who = "Your sponsor" if reader == Party.CLIENT else "The sponsor"
        return f"{who}: HR at {sponsor_name}"
    who = "Your line manager" if reader == Party.CLIENT else "The line manager"
    return f"{who} at {sponsor_name}"


def sharing_statements(
    rules: list[SharingRule],
    reader: Party,
    *,
    client_name: str,
    sponsor_name: str,
    you: Column = USUAL,
) -> dict[str, list[SharingStatement]]:
    """For each recipient, what it will and will not receive, phrased for the reader."""
    return {
        recipient_heading(recipient, reader, sponsor_name, you=you): [
            sharing_sentence(rule, reader, client_name, you=you)
            for rule in rules
            if rule.recipient == recipient
        ]
        for recipient in Recipient
    }


def document_context(snapshot: Snapshot, reader: Party, *, you: Column = USUAL) -> dict[str, Any]:
    """Everything the agreement document template needs for one reader of a snapshot;
    `you` is the column of the matrix the reader reads as theirs (see `reader_column`)."""
    agreement_terms = terms_from_snapshot(snapshot)
    two_party = bool(snapshot["two_party"])
    sections = agreement_sections(two_party=two_party)
    sponsor = snapshot["sponsor"]
    additional = agreement_terms.additional_terms
    insurance = snapshot["coach"]["insurance"]
    rules = sharing_rules(snapshot)
    return {
        "doc": snapshot,
        "terms": agreement_terms,
        "insurance_expires_on": (
            date.fromisoformat(insurance["expires_on"])
            if insurance and insurance["expires_on"]
            else None
        ),
        "dates": snapshot_dates(snapshot),
        "reader": reader,
        "two_party": two_party,
        "goals": agreement_terms.goal_items,
        "limits": agreement_terms.limit_items,
        "records": [
            {"label": RecordClass(key).label, **rule}
            for key, rule in agreement_terms.record_rules.items()
        ],
        "sharing": (
            {}
            if two_party
            else sharing_statements(
                rules,
                reader,
                client_name=snapshot["client"]["name"],
                sponsor_name=sponsor["name"] if sponsor else "",
                you=you,
            )
        ),
        "sharing_matrix": _matrix_rows(rules) if reader == Party.COACH else [],
        "additional": additional if isinstance(additional, dict) else {},
        "numbers": {section.key: index for index, section in enumerate(sections, start=1)},
        "signatures_number": len(sections) + 1,
    }


def _rule_details(rule: SharingRule) -> str:
    parts = [
        rule.method.label if rule.method else "",
        rule.timing.label if rule.timing else "",
        f"prepared by {rule.prepared_by.label}" if rule.prepared_by else "",
    ]
    return ", ".join(part for part in parts if part)


def _matrix_rows(rules: list[SharingRule]) -> list[dict[str, Any]]:
    return [
        {
            "kind": kind.label,
            "cells": [
                {
                    "level": rule.level.label if rule.level else "Not decided",
                    "never": not rule.shared,
                    "details": _rule_details(rule),
                }
                for rule in rules
                if rule.kind == kind
            ],
        }
        for kind in InformationKind
    ]
