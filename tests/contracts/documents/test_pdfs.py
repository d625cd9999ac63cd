import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client as HttpClient
from django.urls import reverse
from pypdf import PdfReader
from pytest_django import Settings

from coaching.models import User
from contracts.documents.seal import Verdict, seal_status
from contracts.documents.verification import verify_document
from contracts.models import (
    AgreementPdf,
    AuditEvent,
    AuditEventKind,
    PdfKind,
    PdfStatus,
    SignerRole,
)
from contracts.signing import services as signing
from tests.conftest import make_agreement
from tests.contracts.documents.conftest import ExecutedPdf
from tests.contracts.documents.helpers import (
    download,
    executed_url,
    shows,
    signed_agreement,
    text_of,
    upload,
)
from tests.contracts.signing_helpers import link_for, send_agreement, sign_as_coach, sign_by_link

pytestmark = pytest.mark.django_db

SECTIONS = [
    "Parties",
    "Coaching and roles",
    "Goals",
    "Sessions and dates",
    "Fees",
    "What is shared, and what is not",
    "Limits of confidentiality",
    "Conduct and duties",
    "Records",
    "Ethics, insurance and consents",
    "Ending and review",
    "Signatures",
]


def test_the_executed_pdf_has_every_section_party_and_signature(
    executed_pdf: ExecutedPdf,
) -> None:
    text = text_of(executed_pdf.data)
    for number, heading in enumerate(SECTIONS, start=1):
        assert f"{number}. {heading}" in text, heading
    names = [executed_pdf.client_name, executed_pdf.coach_name, executed_pdf.organisation_name]
    for name in names:
        assert name in text
    assert "Jamie Client Typed signature" in " ".join(text.split())
    assert "/Jamie Client/" not in text, "a typed name, not the slashes of a US filing"
    assert "Certificate of completion" in text
    sha256 = executed_pdf.version_sha256
    assert sha256 in text.replace(" ", "") or sha256[:12].upper() in text
    assert re.search(r"Page \d+ of \d+", text)


def test_the_executed_pdf_is_pdf_a_with_consistent_metadata_and_its_data_attached(
    executed_pdf: ExecutedPdf,
) -> None:
    pdf = executed_pdf.data
    assert pdf.startswith(b"%PDF-1.7")
    reader = PdfReader(io.BytesIO(pdf))
    xmp: Any = reader.xmp_metadata
    assert xmp is not None
    root: Any = reader.trailer["/Root"]
    raw = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in raw or "<pdfaid:part>3</pdfaid:part>" in raw
    assert 'pdfaid:conformance="A"' in raw or "<pdfaid:conformance>A</pdfaid:conformance>" in raw
    info: Any = reader.metadata
    assert info is not None
    assert info.title == xmp.dc_title["x-default"]
    assert info.producer == xmp.pdf_producer
    assert "/Version" not in root, "a PDF/A-3 file stays PDF 1.7"
    assert bool(root["/MarkInfo"]["/Marked"]), "tagged for accessibility"
    attachments = reader.attachments
    assert set(attachments) == {"agreement.json", "audit-trail.json"}
    assert executed_pdf.version_sha256.encode() in attachments["agreement.json"][0]


def test_the_seal_validates_and_breaks_when_one_byte_changes(executed_pdf: ExecutedPdf) -> None:
    pdf = executed_pdf.data
    status = seal_status(pdf)
    assert status.bottom_line and status.intact and status.trusted

    flipped = bytearray(pdf)
    flipped[len(flipped) // 2] ^= 0x01
    assert verify_document(bytes(flipped)).verdict == Verdict.MODIFIED
    assert verify_document(pdf).verdict == Verdict.AUTHENTIC


def test_a_pdf_is_rendered_once_per_version_and_every_download_is_logged(
    coach: User, signed_in: HttpClient
) -> None:
    version = signed_agreement(coach, signed_in)
    url = executed_url(version)
    first = download(signed_in, url)
    row = AgreementPdf.objects.get(kind=PdfKind.EXECUTED)
    second = download(signed_in, url)
    assert first == second
    assert AgreementPdf.objects.filter(kind=PdfKind.EXECUTED).count() == 1
    assert AgreementPdf.objects.get(kind=PdfKind.EXECUTED).ready_at == row.ready_at, (
        "not rendered again"
    )
    downloads = AuditEvent.objects.filter(kind=AuditEventKind.DOWNLOADED, version=version)
    assert downloads.count() == 2


def test_a_draft_is_watermarked_on_the_coachs_paper_with_their_text_as_text_and_fields(
    coach: User, signed_in: HttpClient
) -> None:
    coach.profile.paper_size = "letter"
    coach.profile.save()
    payload = "<script>alert('x')</script><b>bold</b>"
    agreement = make_agreement(coach=coach, complete=True, nature_of_coaching=payload)

    pdf = download(signed_in, reverse("contracts:agreement-pdf", args=[agreement.pk, "draft"]))

    reader = PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792), "US Letter"
    assert shows(pdf, "DRAFT")
    assert shows(pdf, payload), "the coach's HTML is printed as text"
    fields = reader.get_fields() or {}
    assert {"Signature-client", "Signature-sponsor", "Signature-coach"} <= set(fields)
    assert verify_document(pdf).verdict == Verdict.NOT_SEALED
    assert not AuditEvent.objects.filter(kind=AuditEventKind.DOWNLOADED).exists()


def test_the_version_for_signature_has_fields_and_no_watermark(coach: User) -> None:
    version = send_agreement(coach, sponsored=False)
    pdf = download(HttpClient(), link_for(version.agreement.client.email) + "pdf/")
    text = text_of(pdf)
    assert "DRAFT" not in text
    assert "For signature" in text
    fields = PdfReader(io.BytesIO(pdf)).get_fields() or {}
    assert set(fields) == {"Signature-client", "Signature-coach"}


def test_a_pdf_not_yet_rendered_shows_a_waiting_page(
    coach: User, signed_in: HttpClient, settings: Settings
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    agreement = make_agreement(coach=coach, complete=True)
    response = signed_in.get(reverse("contracts:agreement-pdf", args=[agreement.pk, "draft"]))
    assert response.status_code == 202
    assert "Preparing your PDF" in response.content.decode()
    assert AgreementPdf.objects.get().status == PdfStatus.PENDING


def test_another_coach_cannot_download(
    coach: User,
    other_coach: User,
    signed_in: HttpClient,
    sign_in: Callable[[User], HttpClient],
) -> None:
    version = signed_agreement(coach, signed_in)
    url = executed_url(version)
    assert sign_in(other_coach).get(url).status_code == 404
    assert HttpClient().get(url).status_code == 302


def test_the_verify_page_and_command_tell_authentic_from_modified(
    executed_pdf: ExecutedPdf, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = executed_pdf.data
    anyone = HttpClient()
    url = reverse("contracts:verify")
    ok = anyone.post(url, {"document": upload("signed.pdf", pdf)}).content.decode()
    assert "Authentic and unmodified" in ok
    assert f"agreement {executed_pdf.reference}, version 1" in ok
    assert "not in this service's records" in ok, "read from the data the file carries"

    changed = bytearray(pdf)
    changed[len(changed) // 3] ^= 0x20
    bad = anyone.post(url, {"document": upload("changed.pdf", bytes(changed))}).content.decode()
    assert "Modified" in bad
    junk = anyone.post(url, {"document": upload("notes.txt", b"hello")}).content.decode()
    assert "Not a PDF we can read" in junk
    empty = anyone.post(url, {})
    assert "Choose the PDF file to check." in empty.content.decode()

    good_file, bad_file = tmp_path / "good.pdf", tmp_path / "bad.pdf"
    good_file.write_bytes(pdf)
    bad_file.write_bytes(bytes(changed))
    call_command("verify_pdf", str(good_file))
    assert "AUTHENTIC" in capsys.readouterr().out
    with pytest.raises(CommandError, match="MODIFIED"):
        call_command("verify_pdf", str(bad_file))


def test_uploads_over_the_limit_are_refused_without_reading_them(settings: Settings) -> None:
    settings.PDF_UPLOAD_MAX_BYTES = 1024
    response = HttpClient().post(
        reverse("contracts:verify"), {"document": upload("big.pdf", b"%PDF" + b"0" * 200_000)}
    )
    assert response.status_code == 413
    assert "larger than" in response.content.decode()


def test_the_signed_pdf_carries_only_its_own_versions_trail(
    coach: User, signed_in: HttpClient
) -> None:
    first = send_agreement(coach)
    agreement = first.agreement
    client = first.signers.get(role=SignerRole.CLIENT)
    signing.signer_decline(signer=client, reason="Private to the coach: HR must not read this.")
    signing.agreement_reopen(agreement=agreement, coach=coach)
    second = signing.agreement_send(agreement=agreement, coach=coach)
    sign_by_link(link_for(agreement.client.email))
    sign_by_link(link_for(second.signers.get(role=SignerRole.SPONSOR).email))
    sign_as_coach(signed_in, agreement)

    pdf = download(signed_in, executed_url(second))
    attachments = PdfReader(io.BytesIO(pdf)).attachments
    trail = attachments["audit-trail.json"][0]
    assert b"HR must not read this" not in trail
    assert b"HR must not read this" not in pdf
    assert b'"kind": "declined"' not in trail, "version 1's events stay out"
    assert b'"kind": "signed"' in trail
