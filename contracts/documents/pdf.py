"""Agreement PDFs: a draft, a copy for signature, and the executed, sealed archive.

Every PDF is rendered from a snapshot (contracts.snapshot) through one Django
template, once per text, kind and paper size, by a background task
(contracts.documents.tasks); the file is kept in Django's storage and served
again from there (contracts.documents.services).

- Draft: watermarked DRAFT, with a signature field per party and wet-ink lines.
- For signature: the frozen version, with the same fields and lines, for those who
  sign on paper or with their own PDF software.
- Signed so far: the version with the signatures given until now, marked "Not yet
  signed by all parties" on every page; unsealed, for a signer to keep at once.
- Executed: PDF/A-3a (archival and tagged), with the machine-readable agreement and
  the audit trail attached, every signature, a certificate of completion that states
  the audit trail's head when it was sealed, and the platform's PAdES seal. (Signature
  fields would set NeedAppearances, which PDF/A forbids, so the executed file has none
  but the seal.)
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import json
import logging
import ssl
import time
from datetime import UTC
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from PIL import Image
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields
from weasyprint import HTML, Attachment
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from coaching.branding import Brand, brand_of, logo_for_print
from contracts.audit import TrailHead, trail_head
from contracts.audit_text import audit_entries
from contracts.documents.seal import ATTACHED_AGREEMENT, seal_pdf
from contracts.drafting.perspectives import Party, document_context
from contracts.models import (
    AgreementPdf,
    AgreementVersion,
    AuditEvent,
    AuditEventKind,
    PdfKind,
    PdfStatus,
    SignerRole,
)
from contracts.snapshot import Snapshot, agreement_snapshot, canonical_json, snapshot_hash

STATIC_DIR = (settings.BASE_DIR / "static").resolve()
# Events only the coach's copy shows: each party's checks of their emailed code.
CODE_EVENTS = {AuditEventKind.CODE_SENT, AuditEventKind.CODE_VERIFIED, AuditEventKind.CODE_FAILED}
CSS_PX_TO_PT = 0.75
SIGNATURE_FIELD_WIDTH = 220.0  # points
DRAWN_MAX_PIXELS = 3000 * 1200  # the largest drawing the signing page accepts

logger = logging.getLogger(__name__)


@functools.cache
def _unused_tls_context() -> ssl.SSLContext:
    """WeasyPrint's fetcher builds an HTTPS handler even when HTTPS is not allowed, and
    without a context of its own that handler loads the system's CA bundle, every
    render. No PDF fetches anything over the network: one bare context serves them all."""
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


class StaticOnlyFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type hints
    """Lets a PDF load only the project's own static files (fonts) and data: URLs.

    A file: URL is decoded and resolved (symlinks included) before it is compared with
    the static folder, and what is then opened is the resolved file, never the URL as
    given; any other scheme is refused.
    """

    def __init__(self, *, root: Path = STATIC_DIR) -> None:
        super().__init__(
            allowed_protocols={"file", "data"},
            fail_on_errors=True,
            ssl_context=_unused_tls_context(),
        )
        self.root = root.resolve()

    def fetch(self, url: str, headers: Any = None) -> Any:
        if url[:5].lower() == "data:":
            return super().fetch(url, headers)
        return super().fetch(self.static_file(url).as_uri(), headers)

    def static_file(self, url: str) -> Path:
        """The file a file: URL names, when it is one of the static files; else ValueError."""
        parts = urlsplit(url)
        try:
            if parts.scheme.lower() != "file" or parts.netloc not in {"", "localhost"}:
                raise ValueError(url)
            path = Path(unquote(parts.path, errors="strict"))
            resolved = path.resolve(strict=True) if path.is_absolute() else None
        except (OSError, RuntimeError, ValueError):
            resolved = None
        if resolved is None or not resolved.is_relative_to(self.root) or not resolved.is_file():
            raise ValueError("Only the project's static files may be used in a PDF.")
        return resolved


def _signature_blocks(
    version: AgreementVersion | None, snapshot: Snapshot
) -> list[dict[str, Any]]:
    """Who signs, and, once they have, how and when."""
    sponsor, signatory = snapshot["sponsor"], snapshot["signatory"]
    if version is None:
        roles = [
            ("client", snapshot["client"]["name"], ""),
            *([("sponsor", signatory["name"], sponsor["name"])] if signatory and sponsor else []),
            ("coach", snapshot["coach"]["name"], snapshot["coach"]["practice_name"]),
        ]
        return [{"role": r, "name": n, "organisation": o, "signer": None} for r, n, o in roles]
    blocks: list[dict[str, Any]] = []
    for signer in version.signers.exclude(role=SignerRole.OBSERVER):
        organisation = ""
        if signer.role == SignerRole.SPONSOR and sponsor:
            organisation = sponsor["name"]
        elif signer.role == SignerRole.COACH:
            organisation = snapshot["coach"]["practice_name"]
        drawn = _drawn_image(bytes(signer.drawn_signature or b""))
        not_reproduced = bool(signer.drawn_signature) and drawn is None
        if not_reproduced:
            logger.warning(
                "The drawn signature of the %s of %s, version %s, cannot be drawn: the PDF "
                "shows the typed name and says so in its certificate.",
                signer.role,
                snapshot["reference"],
                version.number,
            )
        blocks.append(
            {
                "role": signer.role,
                "name": signer.name,
                "organisation": organisation,
                "signer": signer,
                "drawn": drawn,
                "drawn_not_reproduced": not_reproduced,
            }
        )
    return blocks


def _drawn_image(png: bytes) -> str | None:
    """A stored drawing as a data: URL, once Pillow (which lays images out for WeasyPrint)
    has decoded it in full; None when there is none or it cannot be drawn, so that one
    bad image never stops a PDF."""
    if not png:
        return None
    try:
        with Image.open(io.BytesIO(png), formats=["PNG"]) as image:
            if image.width * image.height > DRAWN_MAX_PIXELS:
                return None
            image.load()
    except (Image.DecompressionBombError, OSError, SyntaxError, ValueError, EOFError):
        return None
    return f"data:image/png;base64,{base64.b64encode(png).decode()}"


def _events(
    version: AgreementVersion, *, kind: PdfKind, head: TrailHead | None = None
) -> list[AuditEvent]:
    """This version's events as the PDF's reader may see them, up to the head if given.

    Only this version's: earlier versions' may hold what one party wrote for the coach
    alone, such as a reason for declining. The parties' copy leaves out the checks of
    each one's emailed code; the coach's copy keeps every event.
    """
    events = AuditEvent.objects.filter(version=version).select_related("signer").order_by("seq")
    if head is not None:
        events = events.filter(seq__lte=head.seq)
    if kind == PdfKind.COPY:
        events = events.exclude(kind__in=CODE_EVENTS)
    found = list(events)
    for event in found:
        # The version in hand: joined, each event would load and decode its own copy of
        # the whole agreement (the snapshot).
        event.version = version
    return found


def pdf_html(
    snapshot: Snapshot,
    *,
    kind: PdfKind,
    paper_size: str,
    version: AgreementVersion | None = None,
    head: TrailHead | None = None,
    brand: Brand | None = None,
) -> str:
    """The HTML of the PDF: cover, contents, the coach's full view, signatures, certificate
    (with `head`, the audit trail's head at sealing, in a sealed one), in the practice's
    `brand`: its logo on the cover (inside the file) and its colour for headings and rules."""
    context = document_context(snapshot, Party.COACH)
    sealed = version is not None and kind.is_sealed
    events = _events(version, kind=kind, head=head) if sealed and version is not None else []
    context.update(
        kind=str(kind),
        sealed=kind.is_sealed,
        shows_signatures=kind.is_sealed or kind == PdfKind.PARTIAL,
        watermark=_watermark(kind, version),
        # Where each party signed from stays in the coach's copy.
        full_evidence=kind == PdfKind.EXECUTED,
        paper_size="letter" if paper_size == "letter" else "A4",
        version=version,
        source_hash=version.sha256 if version else snapshot_hash(snapshot),
        signatures=_signature_blocks(version, snapshot),
        events=events,
        audit_entries=audit_entries(events),
        audit_head=head if sealed else None,
        signature_events=[
            e for e in events if e.kind in {"signed", "completed", "version_frozen"}
        ],
        site_url=settings.SITE_URL,
        fonts_dir=STATIC_DIR.as_uri() + "/vendor",
        brand_color=brand.color if brand else "",
        brand_logo=logo_for_print(brand) if brand and brand.has_logo else None,
    )
    return render_to_string("contracts/pdf/agreement.html", context)


def machine_readable_attachments(
    agreement_json: bytes, trail_json: bytes, fetcher: URLFetcher
) -> list[Attachment]:
    """The agreement and its audit trail as files inside a sealed PDF (PDF/A-3)."""
    return [
        Attachment(
            string=agreement_json,
            name=ATTACHED_AGREEMENT,
            description="The signed agreement, machine-readable",
            relationship="Data",
            url_fetcher=fetcher,
        ),
        Attachment(
            string=trail_json,
            name="audit-trail.json",
            description="Every event of the agreement, hash-chained",
            relationship="Supplement",
            url_fetcher=fetcher,
        ),
    ]


def _machine_readable(
    version: AgreementVersion, *, kind: PdfKind, head: TrailHead | None = None
) -> tuple[bytes, bytes]:
    """The agreement (snapshot, version, signatures, the audit head when sealed) and this
    version's audit trail, as JSON.

    In the parties' copy, the trail says where no one acted from (network address, device)
    and leaves out the code checks; the hashes stay, so the order of events still shows.
    """
    agreement = {
        "agreement": version.snapshot,
        "version": {
            "number": version.number,
            "sha256": version.sha256,
            "frozen_at": version.frozen_at.astimezone(UTC).isoformat(),
            "completed_at": (
                version.completed_at.astimezone(UTC).isoformat() if version.completed_at else None
            ),
        },
        "signatures": [
            signer.evidence() for signer in version.signers.exclude(role=SignerRole.OBSERVER)
        ],
        # Read back by `verify_audit` from the sealed file: the trail must still hold it.
        **({"audit_head": {"seq": head.seq, "hash": head.hash}} if head else {}),
    }
    full = kind == PdfKind.EXECUTED
    trail = [
        {
            "seq": event.seq,
            "kind": event.kind,
            "at": event.at.astimezone(UTC).isoformat(),
            "actor": event.actor,
            **({"ip": event.ip_address, "user_agent": event.user_agent} if full else {}),
            "version_hash": event.version_hash,
            "data": event.data,
            "prev_hash": event.prev_hash,
            "hash": event.hash,
        }
        for event in _events(version, kind=kind, head=head)
    ]
    return canonical_json(agreement), json.dumps(trail, indent=1, ensure_ascii=False).encode()


def write_pdf(
    html: str,
    *,
    kind: PdfKind,
    version: AgreementVersion | None = None,
    head: TrailHead | None = None,
) -> bytes:
    """Lay out the HTML and write the PDF (with attachments, for the executed kind)."""
    fonts = FontConfiguration()
    fetcher = StaticOnlyFetcher()  # one per render, shared by the document and attachments
    document = HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=fetcher)
    if kind.is_sealed:
        if version is None:
            raise ValueError("Only a signed version can be rendered as executed.")
        agreement_json, trail_json = _machine_readable(version, kind=kind, head=head)
        attachments = machine_readable_attachments(agreement_json, trail_json, fetcher)
        pdf: bytes = document.write_pdf(
            font_config=fonts, pdf_variant="pdf/a-3a", attachments=attachments
        )
        return pdf
    rendered = document.render(font_config=fonts)
    pdf = rendered.write_pdf(pdf_tags=True)
    return _with_signature_fields(pdf, rendered)


def _with_signature_fields(pdf: bytes, rendered: Any) -> bytes:
    """An empty signature field beside each party's wet-ink line, for signing offline."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    for page_index, page in enumerate(rendered.pages):
        page_height = page.height * CSS_PX_TO_PT
        for anchor, (x1, y1, x2, y2) in page.anchors.items():
            if not anchor.startswith("sign-field-"):
                continue
            # Anchors are CSS pixels from the top left; PDF boxes are points from the bottom left.
            left = x1 * CSS_PX_TO_PT
            right = min(x2 * CSS_PX_TO_PT, left + SIGNATURE_FIELD_WIDTH)
            top, bottom = page_height - y1 * CSS_PX_TO_PT, page_height - y2 * CSS_PX_TO_PT
            fields.append_signature_field(
                writer,
                fields.SigFieldSpec(
                    sig_field_name=f"Signature-{anchor.removeprefix('sign-field-')}",
                    on_page=page_index,
                    box=(int(left), int(bottom), int(right), int(top)),
                ),
            )
    output = io.BytesIO()
    writer.write(output)  # type: ignore[no-untyped-call]  # pyHanko leaves write() unannotated
    return output.getvalue()


def _watermark(kind: PdfKind, version: AgreementVersion | None) -> str:
    """Across every page of a draft, and of a version no longer for signature."""
    if kind == PdfKind.DRAFT:
        return "DRAFT"
    if kind == PdfKind.RECORD and version is not None:
        return version.state.split()[0].upper()
    if kind == PdfKind.PARTIAL:
        return "NOT YET SIGNED\nBY ALL PARTIES"
    return ""


def build_pdf(row: AgreementPdf, *, head: TrailHead | None = None) -> bytes:
    """Render (and for the sealed kinds, seal, stating the audit `head`) the row's PDF."""
    version = row.version
    snapshot = agreement_snapshot(row.agreement) if version is None else version.snapshot
    kind = PdfKind(row.kind)
    # The practice's brand as it is when the PDF is made: each PDF is made once and kept.
    brand = brand_of(row.agreement.coach.profile)
    html = pdf_html(
        snapshot, kind=kind, paper_size=row.paper_size, version=version, head=head, brand=brand
    )
    pdf = write_pdf(html, kind=kind, version=version, head=head)
    if kind.is_sealed:
        pdf = seal_pdf(pdf, reason=f"Executed agreement {snapshot['reference']}")
    return pdf


def render_into(row: AgreementPdf) -> AgreementPdf:
    """Make the row's PDF and store it, once: if another worker stored it meanwhile (a
    task handed back after its worker seemed dead), this one's work is dropped. The file's
    name is the row's own, and a file left by a worker that died before marking the row
    ready is replaced, so a row never has two files.

    Any failure, in rendering or in storing, is recorded on the row (so the page says so
    and offers to try again) and raised (so the task says so too): no row is left "being
    prepared" by an error."""
    started = time.perf_counter()
    # Read before the events the PDF lists, so that it lists none past its head.
    head = trail_head(row.agreement_id) if PdfKind(row.kind).is_sealed else None
    row.started_at = timezone.now()
    AgreementPdf.objects.filter(pk=row.pk).exclude(status=PdfStatus.READY).update(
        started_at=row.started_at
    )
    try:
        pdf = build_pdf(row, head=head)
        with transaction.atomic():
            locked = AgreementPdf.objects.select_for_update().get(pk=row.pk)
            if locked.status == PdfStatus.READY:
                return locked
            name = row.file.field.generate_filename(row, f"{row.pk}-{row.filename}")
            if row.file.storage.exists(name):
                row.file.storage.delete(name)
            row.file.save(name.rsplit("/", 1)[-1], ContentFile(pdf), save=False)
            row.sha256 = hashlib.sha256(pdf).hexdigest()
            row.size = len(pdf)
            row.render_ms = int((time.perf_counter() - started) * 1000)
            row.status = PdfStatus.READY
            row.ready_at = timezone.now()
            row.error = ""
            row.audit_seq, row.audit_head = (head.seq, head.hash) if head else (None, "")
            row.save()
    except Exception as error:
        AgreementPdf.objects.filter(pk=row.pk).exclude(status=PdfStatus.READY).update(
            status=PdfStatus.FAILED, error=f"{type(error).__name__}: {error}"[:2000]
        )
        raise
    return row
