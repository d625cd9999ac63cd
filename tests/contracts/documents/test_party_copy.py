"""Each party's sealed copy holds only what the agreement lets them see: where the others
signed from, and the checks of their codes, stay in the coach's copy."""

import io
import json

import pytest
from django.test import Client as HttpClient
from pypdf import PdfReader

from coaching.models import User
from contracts.documents.seal import Verdict
from contracts.documents.verification import verify_document
from contracts.models import AgreementPdf, AuditEvent, AuditEventKind, PdfKind, SignerRole
from tests.contracts.documents.conftest import ExecutedPdf
from tests.contracts.documents.helpers import (
    CLIENT_AGENT,
    CLIENT_IP,
    browser_past_the_code,
    certificate_text,
    download,
    signed_with_codes,
)
from tests.contracts.signing_helpers import link_for

pytestmark = pytest.mark.django_db

CODE_CHECKS = {"code_sent", "code_verified"}


def test_the_sponsor_downloads_a_sealed_copy_without_the_clients_address_or_code_checks(
    coach: User, signed_in: HttpClient
) -> None:
    version = signed_with_codes(coach, signed_in)
    sponsor = version.signers.get(role=SignerRole.SPONSOR)
    path = link_for(sponsor.email, "copy")

    pdf = download(browser_past_the_code(path, sponsor.email), path + "pdf/")

    verification = verify_document(pdf)
    assert verification.verdict == Verdict.AUTHENTIC
    assert verification.in_records, "the file this service rendered is found in its records"
    assert verification.reference == version.agreement.reference
    assert AgreementPdf.objects.get().kind == PdfKind.COPY
    assert AuditEvent.objects.filter(kind=AuditEventKind.DOWNLOADED, signer=sponsor).exists()
    reader = PdfReader(io.BytesIO(pdf))
    trail = reader.attachments["audit-trail.json"][0]
    events = json.loads(trail)
    certificate = certificate_text(pdf)  # where the coach's copy says where people signed from
    assert CLIENT_IP not in certificate
    assert CLIENT_AGENT.encode() not in pdf
    assert not any(key in event for event in events for key in ("ip", "user_agent"))
    assert not CODE_CHECKS & {event["kind"] for event in events}
    assert "signed" in {event["kind"] for event in events}
    assert "kept in the coach's copy" in certificate


def test_the_coachs_copy_keeps_every_address_device_and_code_check(
    executed_pdf: ExecutedPdf,
) -> None:
    trail = PdfReader(io.BytesIO(executed_pdf.data)).attachments["audit-trail.json"][0]
    assert {event["kind"] for event in json.loads(trail)} >= CODE_CHECKS
    assert CLIENT_IP.encode() in trail and CLIENT_AGENT.encode() in trail
    assert CLIENT_IP in certificate_text(executed_pdf.data)
