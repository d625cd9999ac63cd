"""Downloading agreement PDFs (coach and parties) and checking a PDF's seal (anyone)."""

from __future__ import annotations

import ipaddress
from typing import IO, Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST, require_safe

from coaching import throttle
from coaching.http import CoachRequest, client_ip
from contracts.access import (
    SignerVisit,
    link_problem_page,
    owned_agreement,
    signed_copy_open,
    signed_in_this_browser,
    signer_link,
)
from contracts.audit import coach_actor, record_event, signer_actor
from contracts.documents.services import pdf_for, pdf_try_again
from contracts.links import UnknownLink
from contracts.models import (
    AgreementPdf,
    AgreementStatus,
    AuditEventKind,
    LinkPurpose,
    PdfKind,
    PdfStatus,
    Signer,
    SignerStatus,
)

VERIFICATIONS_PER_IP = 30  # per hour


def pdf_state(row: AgreementPdf, *, download: str, for_coach: bool) -> dict[str, str]:
    """How far a PDF has got, for the page that waits for it: pending, ready (with the
    address to download it) or failed (the reason, for the coach only)."""
    if row.status == PdfStatus.READY:
        return {"status": "ready", "message": "Your PDF is ready.", "download": download}
    if row.status == PdfStatus.FAILED:
        message = (
            f"The PDF could not be made. Reason: {row.error or 'not recorded'}"
            if for_coach
            else "Something went wrong while preparing it. Please try again later, or tell "
            "your coach."
        )
        return {"status": "failed", "message": message, "download": ""}
    since = row.started_at or row.requested_at
    doing = "Being made" if row.started_at else "Waiting its turn"
    return {
        "status": "pending",
        "message": f"{doing} since {timezone.localtime(since):%H:%M:%S}.",
        "download": "",
    }


def _asks_status(request: HttpRequest) -> bool:
    """A page waiting for the PDF asks how far it has got (?status=1), not for the file."""
    return request.GET.get("status") == "1"


def _pdf_response(
    request: HttpRequest, row: AgreementPdf, *, actor: str, signer: Signer | None = None
) -> HttpResponseBase:
    """The file when it is ready (and the download recorded), else a page that waits for it
    and shows the download once there; with ?status=1, how far it has got, as JSON."""
    for_coach = signer is None
    query = request.GET.copy()
    query.pop("status", None)
    download = request.path + (f"?{query.urlencode()}" if query else "")
    if _asks_status(request):
        state = JsonResponse(pdf_state(row, download=download, for_coach=for_coach))
        state["Cache-Control"] = "no-store"
        return state
    if row.status != PdfStatus.READY:
        query["status"] = "1"
        context = {
            "row": row,
            "for_coach": for_coach,
            "download_url": download,
            "status_url": f"{request.path}?{query.urlencode()}",
        }
        waiting = render(request, "contracts/documents/preparing.html", context, status=202)
        waiting["Cache-Control"] = "no-store"
        return waiting
    if row.version is not None:
        record_event(
            row.agreement,
            AuditEventKind.DOWNLOADED,
            actor=actor,
            version=row.version,
            signer=signer,
            request=request,
            data={"pdf": row.kind},
        )
    response = FileResponse(row.file.open("rb"), as_attachment=True, filename=row.filename)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def agreement_pdf(request: CoachRequest, pk: int, kind: str) -> HttpResponseBase:
    agreement = owned_agreement(request, pk)
    try:
        pdf_kind = PdfKind(kind)
    except ValueError:
        raise Http404("No such PDF.") from None
    version = agreement.current_version()
    retry = not _asks_status(request)
    if pdf_kind == PdfKind.DRAFT:
        if not agreement.is_editable:
            messages.info(request, "This agreement has been sent: download the frozen version.")
            return redirect(agreement)
        row = pdf_for(agreement, pdf_kind, retry_failed=retry)
    elif pdf_kind.is_sealed:  # the coach's copy, or the one the parties receive
        # The version in force, also while an amendment of it is drafted or sent.
        in_force = agreement.version_in_force()
        if in_force is None:
            messages.info(request, "The signed PDF exists once everyone has signed.")
            return redirect(agreement)
        row = pdf_for(agreement, pdf_kind, in_force, retry_failed=retry)
    elif pdf_kind == PdfKind.PARTIAL:
        if agreement.status != AgreementStatus.PARTLY_SIGNED or version is None:
            messages.info(
                request, "A copy as signed so far exists once someone has signed, until all have."
            )
            return redirect(agreement)
        row = pdf_for(agreement, pdf_kind, version, retry_failed=retry)
    elif pdf_kind == PdfKind.RECORD:
        if version is None or version.ended_at is None or version.completed_at:
            messages.info(request, "Only a voided or declined version is kept as a record.")
            return redirect(agreement)
        row = pdf_for(agreement, pdf_kind, version, retry_failed=retry)
    else:
        if version is None:
            messages.info(request, "Send the agreement first: its PDF for signature is frozen.")
            return redirect(agreement)
        row = pdf_for(agreement, pdf_kind, version, retry_failed=retry)
    return _pdf_response(request, row, actor=coach_actor(request.user))


@login_required
def pdf_status(request: CoachRequest, pk: int, pdf: int) -> HttpResponse:
    """How far one of the agreement's PDFs has got, as JSON, for its agreement page."""
    agreement = owned_agreement(request, pk)
    row = AgreementPdf.objects.filter(agreement=agreement, pk=pdf).first()
    if row is None:
        raise Http404("No such PDF.")
    download = reverse("contracts:agreement-pdf", args=[agreement.pk, row.kind])
    response = JsonResponse(pdf_state(row, download=download, for_coach=True))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def pdf_retry(request: CoachRequest, pk: int, pdf: int) -> HttpResponse:
    agreement = owned_agreement(request, pk)
    row = AgreementPdf.objects.filter(agreement=agreement, pk=pdf).first()
    if row is None:
        raise Http404("No such PDF.")
    if pdf_try_again(row=row):
        messages.success(request, "The PDF is being made again.")
    else:
        messages.info(request, "This PDF has not failed: it is ready or being made.")
    return redirect(agreement)


def _party_kind(signer: Signer, *, sealed_original: bool = False) -> PdfKind:
    """Which PDF a party gets of their version, as it stands."""
    version = signer.version
    if version.completed_at and version.ended_at and not sealed_original:
        # Superseded: the copy says so on every page. The sealed original, which cannot
        # carry a mark without breaking its seal, is one link further (?sealed=1).
        return PdfKind.RECORD
    if version.completed_at:
        return PdfKind.COPY
    if version.ended_at:
        return PdfKind.RECORD  # voided or declined: says so on every page
    if signer.status == SignerStatus.SIGNED:
        return PdfKind.PARTIAL  # their signature and the others' so far, marked as such
    return PdfKind.SIGNABLE


def _signer_pdf(
    request: HttpRequest, signer: Signer, *, sealed_original: bool = False
) -> HttpResponseBase:
    version = signer.version
    kind = _party_kind(signer, sealed_original=sealed_original)
    row = pdf_for(version.agreement, kind, version, retry_failed=not _asks_status(request))
    return _pdf_response(request, row, actor=signer_actor(signer), signer=signer)


def _party_pdf(request: HttpRequest, visit: SignerVisit) -> HttpResponseBase:
    return _signer_pdf(request, visit.signer, sealed_original=request.GET.get("sealed") == "1")


@signer_link(LinkPurpose.VIEW)
def copy_pdf(request: HttpRequest, visit: SignerVisit) -> HttpResponseBase:
    """A party's copy as PDF: sealed once everyone has signed, else the version for signature."""
    return _party_pdf(request, visit)


@signer_link(LinkPurpose.SIGN)
def sign_pdf(request: HttpRequest, visit: SignerVisit) -> HttpResponseBase:
    """The version being signed, as PDF, to read offline or sign on paper."""
    return _party_pdf(request, visit)


@require_safe
def signed_pdf(request: HttpRequest) -> HttpResponseBase:
    """From the thank-you page, in the browser that signed: the agreement as signed so far
    (marked "Not yet signed by all parties"), or as it became since (sealed, or marked as
    declined or voided). For a day after signing; afterwards the emailed copy serves."""
    signer = signed_in_this_browser(request)
    if signer is None:
        response: HttpResponseBase = link_problem_page(request, UnknownLink())
    elif not signed_copy_open(signer):
        messages.info(
            request,
            "The download from this page has closed. When everyone has signed, your copy "
            "comes by email.",
        )
        response = redirect("contracts:signed")
    else:
        response = _signer_pdf(request, signer)
    response["Cache-Control"] = "private, no-store"
    return response


class _PdfUploadHandler(MemoryFileUploadHandler):
    """Keeps an upload in memory up to PDF_UPLOAD_MAX_BYTES, whatever
    FILE_UPLOAD_MAX_MEMORY_SIZE says (with which Django's own handler would drop any file
    over 2.5 MB without a word). Bytes past the limit are counted, not kept, so that a
    file too large is refused by its size."""

    def handle_raw_input(
        self,
        input_data: IO[bytes],
        META: dict[str, str],
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> None:
        self.activated = True  # the request's length was checked before it was read

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        room = settings.PDF_UPLOAD_MAX_BYTES + 1 - start
        if room > 0:
            self.file.write(raw_data[:room])
        return None


@csrf_exempt
def verify(request: HttpRequest) -> HttpResponse:
    """Check an uploaded PDF's seal. The upload stays in memory and is never stored.

    Refused before anything is read: a request larger than the limit allows, and more
    than VERIFICATIONS_PER_IP checks an hour from one address (one /64 network in IPv6).
    """
    if request.method == "POST":
        declared = request.META.get("CONTENT_LENGTH", "")
        too_large = settings.PDF_UPLOAD_MAX_BYTES + 64 * 1024
        if declared.isascii() and declared.isdigit() and int(declared) > too_large:
            return _too_large(request)
        if not throttle.spend_token(
            "verify-ip",
            _network(client_ip(request)),
            capacity=VERIFICATIONS_PER_IP,
            per_seconds=3600,
        ):
            context = {
                "max_size": _max_size(),
                "error": "Too many checks from your network this hour. Please try again later.",
            }
            return render(request, "contracts/documents/verify.html", context, status=429)
        request.upload_handlers = [_PdfUploadHandler(request)]
    return _verify(request)


def _network(address: str) -> str:
    """What one caller holds: an IPv4 address, or the /64 network of an IPv6 one."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def _max_size() -> str:
    """The limit as the page states it, rounded down: never more than is accepted."""
    size = settings.PDF_UPLOAD_MAX_BYTES
    if size < 1024 * 1024:
        return f"{size // 1024} KB"
    tenths = size * 10 // (1024 * 1024)
    return f"{tenths // 10} MB" if tenths % 10 == 0 else f"{tenths // 10}.{tenths % 10} MB"


def _too_large(request: HttpRequest) -> HttpResponse:
    max_size = _max_size()
    context = {
        "max_size": max_size,
        "error": f"That file is larger than {max_size}, so it cannot be one of ours.",
    }
    return render(request, "contracts/documents/verify.html", context, status=413)


@csrf_protect
def _verify(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"max_size": _max_size()}
    if request.method != "POST":
        return render(request, "contracts/documents/verify.html", context)
    upload = request.FILES.get("document")
    if upload is None:
        context["error"] = "Choose the PDF file to check."
        return render(request, "contracts/documents/verify.html", context, status=400)
    if upload.size is None or upload.size > settings.PDF_UPLOAD_MAX_BYTES:
        return _too_large(request)
    # pyHanko takes a second to import: only a process that checks a seal pays for it.
    from contracts.documents.verification import verify_document

    context["result"] = verify_document(upload.read(), seconds=settings.PDF_VERIFY_SECONDS)
    context["filename"] = upload.name
    return render(request, "contracts/documents/verify.html", context)
