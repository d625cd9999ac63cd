"""The audit head sealed into each signed PDF: printed on its certificate, attached in its
data, and read back from the file by `verify_audit`, whatever the database says."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client as HttpClient
from pypdf import PdfReader

from coaching.models import User
from contracts.audit import verify_trail
from contracts.models import Agreement, AgreementPdf, AuditEvent, PdfKind
from tests.contracts.documents.helpers import (
    certificate_text,
    download,
    executed_url,
    signed_agreement,
)

pytestmark = pytest.mark.django_db


def _head_attached(pdf: bytes) -> dict[str, object]:
    attached = PdfReader(io.BytesIO(pdf)).attachments["agreement.json"][0]
    head: dict[str, object] = json.loads(attached)["audit_head"]
    return head


def test_a_cut_trail_is_caught_by_the_head_sealed_into_its_pdf_even_with_no_checkpoint(
    coach: User, signed_in: HttpClient, capsys: pytest.CaptureFixture[str]
) -> None:
    version = signed_agreement(coach, signed_in)
    agreement = version.agreement
    pdf = download(signed_in, executed_url(version))
    row = AgreementPdf.objects.get(kind=PdfKind.EXECUTED)
    assert row.audit_seq is not None
    sealed = AuditEvent.objects.get(agreement=agreement, seq=row.audit_seq)
    assert row.audit_head == sealed.hash
    certificate = certificate_text(pdf)
    assert f"Audit trail when sealed Event {sealed.seq}, SHA-256" in certificate
    assert sealed.hash in certificate.replace(" ", ""), "the hash, however it wraps"
    assert _head_attached(pdf) == {"seq": sealed.seq, "hash": sealed.hash}
    call_command("verify_audit")
    # The coach's copy, and the parties' copy that the completion emails carry.
    assert "against no checkpoint yet and 2 sealed PDFs: all intact" in capsys.readouterr().out

    # Cut the tail below the sealed head; reset the agreement's head and the PDF's record.
    kept = sealed.seq - 3
    last = AuditEvent.objects.get(agreement=agreement, seq=kept)
    AuditEvent.objects.filter(agreement=agreement, seq__gt=kept).delete()
    Agreement.objects.filter(pk=agreement.pk).update(audit_head=last.hash, audit_count=kept)
    AgreementPdf.objects.filter(pk=row.pk).update(audit_seq=kept, audit_head=last.hash)
    assert verify_trail(agreement).intact, "the chain alone no longer shows it"

    with pytest.raises(CommandError, match="1 of 1 audit trails have been altered"):
        call_command("verify_audit")
    errors = capsys.readouterr().err
    name = f"the sealed PDF of version 1 (the coach's copy, {row.paper_size})"
    assert (
        f"The trail ends at event {kept} but {name} saw event {sealed.seq}: events were removed."
    ) in errors
    assert (
        f"The database says {name} was sealed at event {kept}, but the file says event "
        f"{sealed.seq}: the database was changed."
    ) in errors


def test_a_sealed_pdf_that_was_replaced_cannot_vouch_and_says_so(
    coach: User, signed_in: HttpClient, capsys: pytest.CaptureFixture[str]
) -> None:
    version = signed_agreement(coach, signed_in)
    pdf = download(signed_in, executed_url(version))
    row = AgreementPdf.objects.get(kind=PdfKind.EXECUTED)
    flipped = bytearray(pdf)
    flipped[len(flipped) // 2] ^= 0x01
    with open(row.file.path, "wb") as file:
        file.write(bytes(flipped))

    with pytest.raises(CommandError, match="1 of 1 audit trails have been altered"):
        call_command("verify_audit")
    assert (
        "cannot vouch for the trail: its seal is broken (the file was changed)."
        in capsys.readouterr().err
    )
