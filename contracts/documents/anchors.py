"""Every audit trail checked against what was kept of it outside its table.

Two kinds of anchor: the newest signed checkpoint (contracts.checkpoints), and the head
sealed into each signed PDF. A sealed head is read back from the stored file once its
seal is checked, never taken from the database alone, so that changing the database
cannot hide a trail cut short or rewritten.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Any

from contracts.audit import Anchor, TrailReport, record_full_check, verify_trail
from contracts.checkpoints import CheckpointReview, review_checkpoints
from contracts.documents.seal import Verdict, check_seal
from contracts.models import Agreement, AgreementPdf, PdfKind, PdfStatus

COPY_NAMES = {PdfKind.EXECUTED: "the coach's copy", PdfKind.COPY: "the parties' copy"}
SEAL_FAILURES = {
    Verdict.MODIFIED: "its seal is broken (the file was changed)",
    Verdict.FOREIGN: "it is not sealed by this instance",
    Verdict.NOT_SEALED: "it is not sealed",
    Verdict.NOT_PDF: "it cannot be read as a PDF",
    Verdict.UNCHECKED: "its seal could not be checked",
}


@dataclass
class SealedHeads:
    """The heads sealed into the stored PDFs, and what stops any PDF from vouching."""

    anchors: dict[int, list[Anchor]] = field(default_factory=dict)
    problems: dict[int, list[str]] = field(default_factory=dict)
    read: int = 0


def sealed_heads(*, agreement_id: int | None = None) -> SealedHeads:
    """Read every sealed PDF (of one agreement, if given) and the head sealed into it."""
    rows = AgreementPdf.objects.filter(
        kind__in=list(COPY_NAMES), status=PdfStatus.READY
    ).select_related("version")
    if agreement_id is not None:
        rows = rows.filter(agreement_id=agreement_id)
    found = SealedHeads()
    for row in rows.order_by("pk").iterator(chunk_size=50):
        found.read += 1
        anchor, problems = _sealed_head(row)
        if anchor is not None:
            found.anchors.setdefault(row.agreement_id, []).append(anchor)
        if problems:
            found.problems.setdefault(row.agreement_id, []).extend(problems)
    return found


def _sealed_head(row: AgreementPdf) -> tuple[Anchor | None, list[str]]:
    number = row.version.number if row.version else "?"
    name = f"sealed PDF of version {number} ({COPY_NAMES[PdfKind(row.kind)]}, {row.paper_size})"
    try:
        with row.file.open("rb") as file:
            data = file.read()
    except (OSError, ValueError):
        return None, [f"The {name} is missing from storage."]
    check = check_seal(data)
    if check.verdict != Verdict.AUTHENTIC:
        failure = SEAL_FAILURES[check.verdict]
        return None, [f"The {name} cannot vouch for the trail: {failure}."]
    problems = []
    if hashlib.sha256(data).hexdigest() != row.sha256:
        problems.append(f"The {name} is not the file recorded when it was made.")
    seq, digest = _head_in(check.agreement or {})
    if (seq, digest) != (row.audit_seq, row.audit_head):
        problems.append(
            f"The database says the {name} was sealed at event {row.audit_seq or 0}, "
            f"but the file says event {seq or 0}: the database was changed."
        )
    anchor = Anchor(seq=seq, hash=digest, source=f"the {name}") if seq else None
    return anchor, problems


def _head_in(attached: dict[str, Any]) -> tuple[int | None, str]:
    head = attached.get("audit_head")
    if isinstance(head, dict) and isinstance(head.get("seq"), int):
        return head["seq"], str(head.get("hash", ""))
    return None, ""  # sealed before heads were sealed in


@dataclass(frozen=True)
class AuditReport:
    """Every trail checked against its chain, the newest checkpoint and its sealed PDFs."""

    checked: int
    altered: list[TrailReport]
    checkpoints: CheckpointReview
    sealed_pdfs: int
    removed: list[str]

    @property
    def intact(self) -> bool:
        return not (self.altered or self.checkpoints.problems or self.removed)


def verify_audit_trails(*, agreement_id: int | None = None) -> AuditReport:
    """Check each trail (or one) against its own chain and every anchor kept of it, and
    note the outcome where the agreement's page reads it (`record_full_check`)."""
    review = review_checkpoints()
    checkpointed = review.anchors()
    sealed = sealed_heads(agreement_id=agreement_id)
    agreements = Agreement.objects.order_by("pk").only("pk")
    if agreement_id is not None:
        agreements = agreements.filter(pk=agreement_id)
    present: set[int] = set()
    altered: list[TrailReport] = []
    for agreement in agreements.iterator(chunk_size=200):
        present.add(agreement.pk)
        anchors = sealed.anchors.get(agreement.pk, [])
        if agreement.pk in checkpointed:
            anchors = [*anchors, checkpointed[agreement.pk]]
        report = verify_trail(agreement, anchors=anchors)
        report = replace(
            report, problems=[*report.problems, *sealed.problems.get(agreement.pk, [])]
        )
        record_full_check(report)
        if report.problems:
            altered.append(report)
    expected = set(checkpointed) if agreement_id is None else set(checkpointed) & {agreement_id}
    removed = [
        f"Agreement {pk} is missing, but {checkpointed[pk].source} saw "
        f"{checkpointed[pk].seq} events in its trail: it was removed."
        for pk in sorted(expected - present)
    ]
    return AuditReport(
        checked=len(present),
        altered=altered,
        checkpoints=review,
        sealed_pdfs=sealed.read,
        removed=removed,
    )
