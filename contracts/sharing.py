"""What an agreement lets a recipient receive: the one reading of the sharing matrix.

`sharing_rule(source, kind, recipient)` answers "may this recipient receive this kind
of information, and if so how, when and prepared by whom?" for a signed version, a
draft or a template. Every party's view, the PDFs, the checks and the comparison of
versions read the matrix through it; so will the answer to a sponsor's request.
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts.models import Agreement, AgreementVersion, Terms
from contracts.snapshot import Snapshot, terms_from_snapshot
from contracts.terms import (
    PROTECTED_KINDS,
    InformationKind,
    PreparedBy,
    Recipient,
    Sharing,
    SharingCell,
    SharingLevel,
    SharingMethod,
    SharingTiming,
)

type SharingSource = AgreementVersion | Terms | Snapshot


@dataclass(frozen=True)
class SharingRule:
    """One cell of the matrix. `level` is None while the coach has not decided."""

    kind: InformationKind
    recipient: Recipient
    level: SharingLevel | None
    method: SharingMethod | None = None
    timing: SharingTiming | None = None
    prepared_by: PreparedBy | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}.{self.recipient}"

    @property
    def decided(self) -> bool:
        return self.level is not None

    @property
    def shared(self) -> bool:
        """Whether anything of this kind may ever reach the recipient."""
        return self.level is not None and self.level != SharingLevel.NEVER

    @property
    def protected(self) -> bool:
        """A kind coaching keeps between coach and client."""
        return self.kind in PROTECTED_KINDS

    @property
    def has_details(self) -> bool:
        return bool(self.method and self.timing and self.prepared_by)


def _terms(source: SharingSource) -> tuple[Terms, bool]:
    """The terms to read, and whether there is no sponsor to share with at all."""
    if isinstance(source, AgreementVersion):
        snapshot = source.snapshot
        return terms_from_snapshot(snapshot), bool(snapshot["two_party"])
    if isinstance(source, Agreement):
        return source, source.is_two_party
    if isinstance(source, Terms):
        return source, False
    return terms_from_snapshot(source), bool(source["two_party"])


def _rule(kind: InformationKind, recipient: Recipient, cell: SharingCell) -> SharingRule:
    return SharingRule(
        kind=kind,
        recipient=recipient,
        level=SharingLevel(cell["level"]) if cell["level"] else None,
        method=SharingMethod(cell["method"]) if cell["method"] else None,
        timing=SharingTiming(cell["timing"]) if cell["timing"] else None,
        prepared_by=PreparedBy(cell["prepared_by"]) if cell["prepared_by"] else None,
    )


def matrix_rules(matrix: Sharing) -> list[SharingRule]:
    """Every rule of a (normalised) matrix, kind by kind, then recipient by recipient."""
    return [
        _rule(kind, recipient, matrix[kind][recipient])
        for kind in InformationKind
        for recipient in Recipient
    ]


def sharing_rules(source: SharingSource) -> list[SharingRule]:
    """Every rule of the agreement's matrix, in the catalogue's order.

    A private client's agreement has no sponsor: nothing is ever shared.
    """
    terms, two_party = _terms(source)
    if two_party:
        return [
            SharingRule(kind, recipient, SharingLevel.NEVER)
            for kind in InformationKind
            for recipient in Recipient
        ]
    return matrix_rules(terms.sharing_matrix)


def sharing_rule(
    source: SharingSource, kind: InformationKind, recipient: Recipient
) -> SharingRule:
    """What the agreement lets `recipient` receive of `kind` of information."""
    return next(
        rule for rule in sharing_rules(source) if rule.kind == kind and rule.recipient == recipient
    )
