"""Asking for an agreement's PDF: the stored one, or a new one queued for rendering."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from coaching.branding import brand_of
from contracts.documents.tasks import render_agreement_pdf
from contracts.models import (
    Agreement,
    AgreementPdf,
    AgreementVersion,
    PdfKind,
    PdfStatus,
    SignerStatus,
)
from contracts.snapshot import agreement_snapshot, snapshot_hash


def pdf_for(
    agreement: Agreement,
    kind: PdfKind,
    version: AgreementVersion | None = None,
    *,
    retry_failed: bool = True,
) -> AgreementPdf:
    """The row for this text, kind and paper size: existing, or new and queued for rendering.

    A draft's text is the agreement as it stands (in the practice's current brand); any
    other kind's is the version's (with, for the copy signed so far, the signatures given
    until now). One that failed is queued again, unless `retry_failed` is False (a page
    asking how far it has got must not start it again at each question).
    """
    source_hash = version.sha256 if version else snapshot_hash(agreement_snapshot(agreement))
    brand = brand_of(agreement.coach.profile)
    if version is None and brand is not None:
        # A draft is made again when the practice's logo or colour changes; a version's
        # PDFs keep the look they were made with, like the text they were made from.
        source_hash = hashlib.sha256(f"{source_hash}:brand:{brand.revision}".encode()).hexdigest()
    if kind == PdfKind.RECORD and version is not None:
        # Two versions may share a text but not a fate: the watermark says which.
        fate = f"{source_hash}:{version.number}:{version.state}"
        source_hash = hashlib.sha256(fate.encode()).hexdigest()
    elif kind == PdfKind.PARTIAL and version is not None:
        # One rendering per set of signatures given so far.
        given = ",".join(
            f"{pk}@{signed_at}"
            for pk, signed_at in version.signers.filter(status=SignerStatus.SIGNED)
            .order_by("pk")
            .values_list("pk", "signed_at")
        )
        source_hash = hashlib.sha256(f"{source_hash}:signed-so-far:{given}".encode()).hexdigest()
    paper = agreement.coach.profile.paper_size
    existing = AgreementPdf.objects.filter(source_hash=source_hash, kind=kind, paper_size=paper)
    row = existing.first()
    if row is not None and row.status == PdfStatus.PENDING:
        return _asked_again_if_stuck(row)
    if row is not None and (row.status != PdfStatus.FAILED or not retry_failed):
        return row
    if row is None:
        try:
            with transaction.atomic():
                row = AgreementPdf.objects.create(
                    agreement=agreement,
                    version=version,
                    kind=kind,
                    paper_size=paper,
                    source_hash=source_hash,
                )
        except IntegrityError:  # someone asked for the same PDF at the same moment
            return existing.get()
    else:
        AgreementPdf.objects.filter(pk=row.pk).update(
            status=PdfStatus.PENDING, error="", requested_at=timezone.now(), started_at=None
        )
    render_agreement_pdf.enqueue(row.pk)
    row.refresh_from_db()
    return row


def pdf_try_again(*, row: AgreementPdf) -> bool:
    """The coach asks for a PDF that failed to be made once more; False if it had not
    failed (made meanwhile, or already being made again)."""
    taken = AgreementPdf.objects.filter(pk=row.pk, status=PdfStatus.FAILED).update(
        status=PdfStatus.PENDING, error="", requested_at=timezone.now(), started_at=None
    )
    if taken:
        render_agreement_pdf.enqueue(row.pk)
    return bool(taken)


def _asked_again_if_stuck(row: AgreementPdf) -> AgreementPdf:
    """A PDF still being prepared long after it was asked for lost its worker (killed,
    or the machine restarted): queue it again, once however many ask at that moment.
    Rendering is idempotent (a ready row is left alone), so a slow worker that does
    finish costs a second render at most, never a second file in use."""
    now = timezone.now()
    if row.requested_at > now - timedelta(seconds=settings.PDF_RENDER_STALE_SECONDS):
        return row
    taken = AgreementPdf.objects.filter(
        pk=row.pk, status=PdfStatus.PENDING, requested_at=row.requested_at
    ).update(requested_at=now)
    if taken:
        render_agreement_pdf.enqueue(row.pk)
        row.refresh_from_db()
    return row
