"""Each party's view of one agreement: the same terms, addressed to the reader.

The coach sees everything. The client and the sponsor see the sections they agree
to, with the sharing matrix phrased for them ("You will receive ...", "You will
not receive ..."). The same view serves the preview, the signing page and the PDF.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from coaching.models import RecordClass
from contracts import terms
from contracts.builder import STEP_TITLES, steps_for
from contracts.models import Agreement, Payer


class Party(StrEnum):
    COACH = "coach"
    CLIENT = "client"
    SPONSOR = "sponsor"

    @property
    def label(self) -> str:
        return {"coach": "Coach", "client": "Client", "sponsor": "Sponsor"}[self.value]


@dataclass(frozen=True)
class SharingStatement:
    kind: str
    recipient: str
    shared: bool
    decided: bool
    sentence: str


def parties_for(agreement: Agreement) -> list[Party]:
    if agreement.is_two_party:
        return [Party.COACH, Party.CLIENT]
    return [Party.COACH, Party.CLIENT, Party.SPONSOR]


def _subject(recipient: terms.Recipient, reader: Party) -> str:
    if reader == Party.SPONSOR and recipient == terms.Recipient.SPONSOR:
        return "You"
    if recipient == terms.Recipient.SPONSOR:
        return "Your sponsor" if reader == Party.CLIENT else "The sponsor"
    return "Your line manager" if reader == Party.CLIENT else "The line manager"


def _client_name(reader: Party, agreement: Agreement) -> tuple[str, str]:
    """How the reader is told about the client: (subject, possessive)."""
    if reader == Party.CLIENT:
        return "you", "your"
    name = agreement.client.name
    return name, f"{name}'s"


def sharing_sentence(
    cell: terms.SharingCell,
    kind: terms.InformationKind,
    recipient: terms.Recipient,
    reader: Party,
    agreement: Agreement,
) -> SharingStatement:
    subject = _subject(recipient, reader)
    what = kind.label[0].lower() + kind.label[1:]
    client, client_possessive = _client_name(reader, agreement)
    level = cell["level"]
    if not level:
        return SharingStatement(
            what, recipient.label, False, False, f"{subject} — not decided yet."
        )
    if level == terms.SharingLevel.NEVER:
        sentence = f"{subject} will not receive {what}."
        return SharingStatement(what, recipient.label, False, True, sentence)
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
    return SharingStatement(what, recipient.label, True, True, sentence)


def recipient_heading(recipient: terms.Recipient, reader: Party, agreement: Agreement) -> str:
    organisation = agreement.organisation.name if agreement.organisation else "the sponsor"
    if recipient == terms.Recipient.SPONSOR:
        who = {Party.CLIENT: "Your sponsor", Party.SPONSOR: "You"}.get(reader, "The sponsor")
        return f"{who}: HR at {organisation}"
    who = "Your line manager" if reader == Party.CLIENT else "The line manager"
    return f"{who} at {organisation}"


def sharing_statements(agreement: Agreement, reader: Party) -> dict[str, list[SharingStatement]]:
    """For each recipient, what it will and will not receive, phrased for the reader."""
    matrix = agreement.sharing_matrix
    return {
        recipient_heading(recipient, reader, agreement): [
            sharing_sentence(matrix[kind][recipient], kind, recipient, reader, agreement)
            for kind in terms.InformationKind
        ]
        for recipient in terms.Recipient
    }


def document_context(agreement: Agreement, reader: Party) -> dict[str, Any]:
    """Everything the agreement document template needs for one reader."""
    profile = getattr(agreement.coach, "profile", None)
    shows_fees = reader != Party.CLIENT or agreement.payer != Payer.SPONSOR
    return {
        "agreement": agreement,
        "reader": reader,
        "two_party": agreement.is_two_party,
        "profile": profile,
        "memberships": list(agreement.coach.memberships.all()),
        "stakeholders": list(agreement.stakeholders.select_related("organisation")),
        "goals": agreement.goal_items,
        "limits": agreement.limit_items,
        "records": [
            {"label": _record_label(key), **rule} for key, rule in agreement.record_rules.items()
        ],
        "sharing": sharing_statements(agreement, reader) if not agreement.is_two_party else {},
        "sharing_matrix": _matrix_rows(agreement) if reader == Party.COACH else [],
        "shows_fees": shows_fees,
        "additional": agreement.additional_terms
        if isinstance(agreement.additional_terms, dict)
        else {},
        "step_titles": STEP_TITLES,
        "numbers": {step.key: index for index, step in enumerate(steps_for(agreement), start=1)},
        "signatures_number": len(steps_for(agreement)) + 1,
    }


def _record_label(key: str) -> str:
    return RecordClass(key).label


def _matrix_rows(agreement: Agreement) -> list[dict[str, Any]]:
    matrix = agreement.sharing_matrix
    rows = []
    for kind in terms.InformationKind:
        cells = []
        for recipient in terms.Recipient:
            cell = matrix[kind][recipient]
            cells.append(
                {
                    "level": terms.SharingLevel(cell["level"]).label
                    if cell["level"]
                    else "Not decided",
                    "never": cell["level"] in {"", terms.SharingLevel.NEVER},
                    "details": ", ".join(
                        label
                        for label in (
                            terms.SharingMethod(cell["method"]).label if cell["method"] else "",
                            terms.SharingTiming(cell["timing"]).label if cell["timing"] else "",
                            f"prepared by {terms.PreparedBy(cell['prepared_by']).label}"
                            if cell["prepared_by"]
                            else "",
                        )
                        if label
                    ),
                }
            )
        rows.append({"kind": kind.label, "cells": cells})
    return rows
