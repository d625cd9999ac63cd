"""PDFs of plain pages made from HTML: the coaching log, the disclosure log, a released
report. WeasyPrint and pyHanko take about a second to import, so they are imported here
when a PDF is made, never when a web process loads its URLs."""

from __future__ import annotations


def page_pdf(html: str) -> bytes:
    """The page as a PDF, fetching nothing but the app's own static files."""
    from weasyprint import HTML

    from contracts.documents.pdf import STATIC_DIR, StaticOnlyFetcher

    document = HTML(
        string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=StaticOnlyFetcher()
    )
    pdf: bytes = document.write_pdf()
    return pdf


def sealed_page_pdf(html: str, *, reason: str) -> bytes:
    """The page as a PDF, sealed like a signed agreement."""
    from contracts.documents.seal import seal_pdf

    return seal_pdf(page_pdf(html), reason=reason)
