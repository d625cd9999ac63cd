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
from contracts import terms
from contracts.builder import agreement_steps
from contracts.models import Agreement
from contracts.snapshot import snapshot_dates, terms_from_snapshot


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


def _subject(recipient: terms.Recipient, reader: Party) -> str:
    if reader == Party.SPONSOR and recipient == terms.Recipient.SPONSOR:
        return "You"
    if recipient == terms.Recipient.SPONSOR:
        return "Your sponsor" if reader == Party.CLIENT else "The sponsor"
    return "Your line manager" if reader == Party.CLIENT else "The line manager"


def _client_name(reader: Party, client_name: str) -> tuple[str, str]:
    """How the reader is told about the client: (subject, possessive)."""
    if reader == Party.CLIENT:
        return "you", "your"
    return client_name, f"{client_name}'s"


def sharing_sentence(
    cell: terms.SharingCell,
    kind: terms.InformationKind,
    recipient: terms.Recipient,
    reader: Party,
    client_name: str,
) -> SharingStatement:
    subject = _subject(recipient, reader)
    what = kind.label[0].lower() + kind.label[1:]
    client, client_possessive = _client_name(reader, client_name)
    key = f"{kind}.{recipient}"
    level = cell["level"]
    if not level:
        return SharingStatement(key, False, f"{subject}: not decided yet.")
    if level == terms.SharingLevel.NEVER:
        sentence = f"{subject} will not receive {what}."
        return SharingStatement(key, False, sentence)
    if level == terms.SharingLevel.ROUTINE:
        core = f"{subject} will receive {what}"
    elif level == terms.SharingLevel.APPROVED_SUMMARY:
        approves = "approve" if reader == Party.CLIENT else "approves"
        core = f"{subject} will receive a summary of {what} that {client} {approves} first"
    else:
        consent = f"only with {client_possessive} written consent each time"
        core = f"{subject} will receive {what} {consent}"
    details = []
    if cell["method"]:
        details.append(f"by {terms.SharingMethod(cell['method']).label}")
    if cell["timing"]:
        details.append(terms.SharingTiming(cell["timing"]).label)
    if cell["prepared_by"]:
        details.append(f"prepared by {terms.PreparedBy(cell['prepared_by']).label}")
    sentence = core + (", " + ", ".join(details) if details else "") + "."
    return SharingStatement(key, True, sentence)


def recipient_heading(recipient: terms.Recipient, reader: Party, sponsor_name: str) -> str:
    if recipient == terms.Recipient.SPONSOR:
        who = {Party.CLIENT: "Your sponsor", Party.SPONSOR: "You"}.get(reader, "The sponsor")
        return f"{who}: HR at {sponsor_name}"
    who = "Your line manager" if reader == Party.CLIENT else "The line manager"
    return f"{who} at {sponsor_name}"


def sharing_statements(
    matrix: terms.Sharing, reader: Party, *, client_name: str, sponsor_name: str
) -> dict[str, list[SharingStatement]]:
    """For each recipient, what it will and will not receive, phrased for the reader."""
    return {
        recipient_heading(recipient, reader, sponsor_name): [
            sharing_sentence(matrix[kind][recipient], kind, recipient, reader, client_name)
            for kind in terms.InformationKind
        ]
        for recipient in terms.Recipient
    }


def statements_to_confirm(snapshot: dict[str, Any], reader: Party) -> list[SharingStatement]:
    """The sharing rules a signer confirms one by one before signing.

    The client confirms every flow of information about them; the sponsor confirms
    what it will and will not receive, and what the line manager will receive.
    """
    if snapshot["two_party"] or reader == Party.COACH:
        return []
    matrix = terms_from_snapshot(snapshot).sharing_matrix
    client_name = snapshot["client"]["name"]
    confirm = []
    for recipient in terms.Recipient:
        for kind in terms.InformationKind:
            statement = sharing_sentence(
                matrix[kind][recipient], kind, recipient, reader, client_name
            )
            for_sponsor = reader == Party.SPONSOR and recipient == terms.Recipient.SPONSOR
            if statement.shared or for_sponsor or kind in terms.PROTECTED_KINDS:
                confirm.append(statement)
    return confirm


def document_context(snapshot: dict[str, Any], reader: Party) -> dict[str, Any]:
    """Everything the agreement document template needs for one reader of a snapshot."""
    agreement_terms = terms_from_snapshot(snapshot)
    two_party = bool(snapshot["two_party"])
    steps = agreement_steps(two_party=two_party)
    sponsor = snapshot["sponsor"] or {}
    additional = agreement_terms.additional_terms
    insurance = snapshot["coach"].get("insurance") or {}
    return {
        "doc": snapshot,
        "terms": agreement_terms,
        "insurance_expires_on": (
            date.fromisoformat(insurance["expires_on"]) if insurance.get("expires_on") else None
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
                agreement_terms.sharing_matrix,
                reader,
                client_name=snapshot["client"]["name"],
                sponsor_name=sponsor.get("name", ""),
            )
        ),
        "sharing_matrix": _matrix_rows(agreement_terms) if reader == Party.COACH else [],
        "additional": additional if isinstance(additional, dict) else {},
        "numbers": {step.key: index for index, step in enumerate(steps, start=1)},
        "signatures_number": len(steps) + 1,
    }


def _cell_details(cell: terms.SharingCell) -> str:
    parts = [
        terms.SharingMethod(cell["method"]).label if cell["method"] else "",
        terms.SharingTiming(cell["timing"]).label if cell["timing"] else "",
        f"prepared by {terms.PreparedBy(cell['prepared_by']).label}"
        if cell["prepared_by"]
        else "",
    ]
    return ", ".join(part for part in parts if part)


def _matrix_rows(agreement: Agreement) -> list[dict[str, Any]]:
    matrix = agreement.sharing_matrix
    return [
        {
            "kind": kind.label,
            "cells": [
                {
                    "level": (
                        terms.SharingLevel(cell["level"]).label if cell["level"] else "Not decided"
                    ),
                    "never": cell["level"] in {"", terms.SharingLevel.NEVER},
                    "details": _cell_details(cell),
                }
                for cell in (matrix[kind][recipient] for recipient in terms.Recipient)
            ],
        }
        for kind in terms.InformationKind
    ]
