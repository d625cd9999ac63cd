"""/verify/ is open to anyone: the size it states is the size it takes, a check answers
within a few seconds whatever the file, and each network has a number of checks an hour."""

import io
import multiprocessing
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse
from pypdf import PdfReader, PdfWriter
from pytest_django import DjangoDbBlocker, Settings

from contracts.models import AgreementStatus, SignerRole
from tests.contracts.documents.helpers import sealing_sandbox
from tests.contracts.signing_helpers import link_for, send_agreement, sign_as_coach, sign_by_link

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("verify-bounds")]

MiB = 1024 * 1024
# Gunicorn's default worker timeout: a check must never come near it.
WORKER_TIMEOUT_SECONDS = 30
PARAGRAPH = "The coach and the client agree to work together on leadership in a new role. " * 40


@dataclass(frozen=True)
class SealedPdf:
    data: bytes
    pages: int


@pytest.fixture(scope="module")
def long_executed_pdf(
    django_db_setup: None,
    django_db_blocker: DjangoDbBlocker,
    seal_files: tuple[Path, Path],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[SealedPdf]:
    """A signed three-way agreement of some thirty pages, rendered and sealed by the app."""
    media = tmp_path_factory.mktemp("long-executed")
    with sealing_sandbox(django_db_blocker, seal_files, media) as (coach, http):
        version = send_agreement(coach, nature_of_coaching="\n\n".join([PARAGRAPH] * 29))
        agreement = version.agreement
        sign_by_link(link_for(agreement.client.email), name="Jamie Client")
        sponsor = version.signers.get(role=SignerRole.SPONSOR)
        sign_by_link(link_for(sponsor.email), name=sponsor.name)
        sign_as_coach(http, agreement)
        agreement.refresh_from_db()
        assert agreement.status == AgreementStatus.SIGNED
        response = http.get(reverse("contracts:agreement-pdf", args=[agreement.pk, "executed"]))
        assert response.status_code == 200
        data = b"".join(response)
    yield SealedPdf(data=data, pages=len(PdfReader(io.BytesIO(data)).pages))


def check(data: bytes, *, address: str = "203.0.113.7") -> tuple[int, str]:
    upload = SimpleUploadedFile("agreement.pdf", data, content_type="application/pdf")
    response = HttpClient(REMOTE_ADDR=address).post(
        reverse("contracts:verify"), {"document": upload}
    )
    return response.status_code, response.content.decode()


def retitled(pdf: bytes) -> bytes:
    """The sealed file with its title changed in an update appended to it, as any PDF
    editor saves a change."""
    writer = PdfWriter(io.BytesIO(pdf), incremental=True)
    writer.add_metadata({"/Title": "Leadership coaching (amended)"})
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def with_attachment(pdf: bytes, *, total: int) -> bytes:
    """The sealed file with a file attached in an update appended to it, `total` bytes in
    all (or a few less)."""
    size = total - len(pdf) - 10_000
    for _ in range(3):
        writer = PdfWriter(io.BytesIO(pdf), incremental=True)
        writer.add_attachment("notes.bin", random.Random(size).randbytes(size))
        output = io.BytesIO()
        writer.write(output)
        if len(output.getvalue()) >= total - 64:
            break
        size += total - len(output.getvalue())
    return output.getvalue()


def many_signature_fields(count: int) -> bytes:
    """A small, valid PDF whose form holds `count` empty signature fields: every one has to
    be read to find a seal among them."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm 3 0 R >>",
        b"<< /Type /Pages /Kids [] /Count 0 >>",
        b"<< /Fields [" + b" ".join(b"%d 0 R" % (4 + n) for n in range(count)) + b"] >>",
        *(b"<< /FT /Sig /T (Signature %d) >>" % n for n in range(count)),
    ]
    pdf, offsets = io.BytesIO(b"%PDF-1.7\n"), []
    pdf.seek(0, io.SEEK_END)
    for number, body in enumerate(objects, start=1):
        offsets.append(pdf.tell())
        pdf.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = pdf.tell()
    pdf.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    pdf.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    pdf.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    pdf.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return pdf.getvalue()


def test_a_modified_long_agreement_is_found_modified_well_within_a_workers_timeout(
    long_executed_pdf: SealedPdf,
) -> None:
    assert long_executed_pdf.pages >= 33
    assert check(long_executed_pdf.data)[1].count("Authentic and unmodified") == 1

    started = time.monotonic()
    status, page = check(retitled(long_executed_pdf.data))
    elapsed = time.monotonic() - started

    assert status == 200
    assert "Modified" in page
    assert elapsed < WORKER_TIMEOUT_SECONDS, f"{elapsed:.0f} s: the web worker would be killed"


def test_a_file_that_takes_too_long_to_read_could_not_be_checked(settings: Settings) -> None:
    # Minutes of reading for pyHanko, and under the size limit.
    pdf = many_signature_fields(150_000)
    assert len(pdf) < settings.PDF_UPLOAD_MAX_BYTES

    status, page = check(pdf)

    assert status == 200
    assert "Could not be checked" in page
    assert "could not be checked in the time allowed" in page
    assert multiprocessing.active_children() == [], "the check was stopped, not left running"


def test_a_file_just_over_the_stated_limit_is_refused_in_plain_words(settings: Settings) -> None:
    assert 15 * MiB == settings.PDF_UPLOAD_MAX_BYTES
    assert (
        "PDF file (up to 15 MB)" in HttpClient().get(reverse("contracts:verify")).content.decode()
    )

    status, page = check(b"%PDF-1.7\n" + b"0" * (15 * MiB + 1 - 9))

    assert status == 413
    assert "That file is larger than 15 MB, so it cannot be one of ours." in page
    assert "Choose the PDF file" not in page


def test_a_file_just_under_the_stated_limit_is_read_and_checked(
    long_executed_pdf: SealedPdf,
) -> None:
    pdf = with_attachment(long_executed_pdf.data, total=15 * MiB)
    assert 15 * MiB - 64 < len(pdf) <= 15 * MiB

    status, page = check(pdf)

    assert status == 200
    assert "Modified" in page, "read in full, checked, and found changed by the attachment"
    assert "Choose the PDF file" not in page


def test_checks_are_limited_per_network_per_hour(settings: Settings) -> None:
    for _ in range(30):
        assert check(b"not a pdf", address="198.51.100.4")[0] == 200
    status, page = check(b"not a pdf", address="198.51.100.4")
    assert status == 429
    assert "Too many checks from your network this hour" in page
    assert check(b"not a pdf", address="198.51.100.5")[0] == 200, "another network is not held"


def test_an_ipv6_network_cannot_spread_its_checks_over_its_addresses() -> None:
    for host in range(30):
        assert check(b"not a pdf", address=f"2001:db8:1:2::{host + 1:x}")[0] == 200
    assert check(b"not a pdf", address="2001:db8:1:2:ffff::1")[0] == 429
    assert check(b"not a pdf", address="2001:db8:1:3::1")[0] == 200
