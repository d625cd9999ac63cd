"""Each party's view of one agreement: the same terms, addressed to the reader.

The coach sees everything. The client and the sponsor see the sections they agree
to, with the sharing matrix phrased for them ("You will receive ...", "You will
not receive ..."). The same view serves the preview, the signing page and the PDF.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from coaching.models import RecordClass
from contracts.drafting.sections import agreement_sections
from contracts.models import SignerRole
from contracts.sharing import SharingRule, sharing_rules
from contracts.snapshot import Snapshot, snapshot_dates, terms_from_snapshot
from contracts.terms import InformationKind, Recipient, SharingLevel


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


def _subject(recipient: Recipient, reader: Party) -> str:
    if reader == Party.SPONSOR and recipient == Recipient.SPONSOR:
        return "You"
    if recipient == Recipient.SPONSOR:
        return "Your sponsor" if reader == Party.CLIENT else "The sponsor"
    return "Your line manager" if reader == Party.CLIENT else "The line manager"


def _client_name(reader: Party, client_name: str) -> tuple[str, str]:
    """How the reader is told about the client: (subject, possessive)."""
    if reader == Party.CLIENT:
        return "you", "your"
    return client_name, f"{client_name}'s"


def sharing_sentence(rule: SharingRule, reader: Party, client_name: str) -> SharingStatement:
    subject = _subject(rule.recipient, reader)
    what = rule.kind.label[0].lower() + rule.kind.label[1:]
    client, client_possessive = _client_name(reader, client_name)
    if rule.level is None:
        return SharingStatement(rule.key, False, f"{subject}: not decided yet.")
    if rule.level == SharingLevel.NEVER:
        return SharingStatement(rule.key, False, f"{subject} will not receive {what}.")
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
        details.append(f"prepared by {rule.prepared_by.label}")
    sentence = core + (", " + ", ".join(details) if details else "") + "."
    return SharingStatement(rule.key, True, sentence)


def recipient_heading(recipient: Recipient, reader: Party, sponsor_name: str) -> str:
    if recipient == Recipient.SPONSOR:
        who = {Party.CLIENT: "Your sponsor", Party.SPONSOR: "You"}.get(reader, "The sponsor")
        return f"{who}: HR at {sponsor_name}"
    who = "Your line manager" if reader == Party.CLIENT else "The line manager"
    return f"{who} at {sponsor_name}"


def sharing_statements(
    rules: list[SharingRule], reader: Party, *, client_name: str, sponsor_name: str
) -> dict[str, list[SharingStatement]]:
    """For each recipient, what it will and will not receive, phrased for the reader."""
    return {
        recipient_heading(recipient, reader, sponsor_name): [
            sharing_sentence(rule, reader, client_name)
            for rule in rules
            if rule.recipient == recipient
        ]
        for recipient in Recipient
    }


def document_context(snapshot: Snapshot, reader: Party) -> dict[str, Any]:
    """Everything the agreement document template needs for one reader of a snapshot."""
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
