"""Is an uploaded PDF an unmodified executed agreement of this instance? Which one?"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from contracts.documents.seal import Verdict, check_seal
from contracts.models import AgreementPdf, PdfKind, PdfStatus


@dataclass(frozen=True)
class Verification:
    """What a PDF's seal says, in terms the person who uploaded it can use."""

    verdict: Verdict
    reference: str = ""
    version_number: int | None = None
    completed_at: datetime | None = None
    sealed_at: datetime | None = None
    in_records: bool = False


def verify_document(data: bytes, *, seconds: float | None = None) -> Verification:
    """Is this an unmodified executed agreement of this instance? Which one, signed when?

    With `seconds`, the seal is checked in a separate process stopped after that time;
    the verdict is then UNCHECKED (see contracts.documents.seal.check_seal).
    """
    check = check_seal(data, seconds=seconds)
    if check.verdict != Verdict.AUTHENTIC:
        return Verification(check.verdict)
    record = (
        AgreementPdf.objects.filter(
            sha256=hashlib.sha256(data).hexdigest(), kind__in=[PdfKind.EXECUTED, PdfKind.COPY]
        )
        .select_related("agreement", "version")
        .first()
    )
    if record is not None and record.version is not None:
        return Verification(
            Verdict.AUTHENTIC,
            reference=record.agreement.reference,
            version_number=record.version.number,
            completed_at=record.version.completed_at,
            sealed_at=check.signed_at,
            in_records=True,
        )
    attached = check.agreement or {}
    version = attached.get("version", {})
    completed = version.get("completed_at")
    return Verification(
        Verdict.AUTHENTIC,
        reference=attached.get("agreement", {}).get("reference", ""),
        version_number=version.get("number"),
        completed_at=datetime.fromisoformat(completed) if completed else None,
        sealed_at=check.signed_at,
    )


@dataclass(frozen=True)
class StoredCheck:
    """A sealed PDF kept in storage, checked: its seal's verdict, or why there is none."""

    pdf: AgreementPdf
    verdict: Verdict | None
    problem: str = ""


def verify_stored_pdfs() -> Iterator[StoredCheck]:
    """Every sealed PDF this instance made and stored, checked: its file is there, is the
    one its row recorded (SHA-256), and carries an intact seal of this instance."""
    ready = AgreementPdf.objects.filter(
        kind__in=[PdfKind.EXECUTED, PdfKind.COPY], status=PdfStatus.READY
    )
    for pdf in ready.select_related("agreement").order_by("pk").iterator():
        try:
            with pdf.file.open("rb") as stored:
                data = stored.read()
        except (FileNotFoundError, ValueError):  # ValueError: a row with no file name
            yield StoredCheck(pdf, None, "its file is missing from storage")
            continue
        if hashlib.sha256(data).hexdigest() != pdf.sha256:
            yield StoredCheck(pdf, None, "its file is not the one recorded (another SHA-256)")
            continue
        yield StoredCheck(pdf, verify_document(data).verdict)
