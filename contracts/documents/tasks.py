"""Background work for documents: rendering an agreement's PDF."""

from __future__ import annotations

from django.tasks import task

from contracts.models import AgreementPdf, PdfStatus


@task()
def render_agreement_pdf(pdf_id: int) -> None:
    """Render one agreement PDF into storage (once: a ready one is left alone)."""
    # WeasyPrint and pyHanko take seconds to import: only the process that renders pays.
    from contracts.documents.pdf import render_into

    row = AgreementPdf.objects.select_related("agreement", "version").get(pk=pdf_id)
    if row.status != PdfStatus.READY:
        render_into(row)
