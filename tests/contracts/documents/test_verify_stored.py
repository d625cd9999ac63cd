"""`verify_pdf --all`: every sealed PDF in storage is there, as recorded, and its seal intact."""

import hashlib
import re
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from coaching.models import User
from contracts.models import Agreement, AgreementPdf, PdfKind, PdfStatus
from tests.conftest import make_agreement
from tests.contracts.documents.conftest import ExecutedPdf

pytestmark = pytest.mark.django_db


def stored_pdf(
    agreement: Agreement, data: bytes, *, recorded: bytes | None = None
) -> AgreementPdf:
    """A ready sealed PDF row whose file holds `data`, recorded with the hash of `recorded`."""
    pdf = AgreementPdf(
        agreement=agreement,
        kind=PdfKind.EXECUTED,
        paper_size="A4",
        source_hash=hashlib.sha256(str(AgreementPdf.objects.count()).encode()).hexdigest(),
        status=PdfStatus.READY,
        sha256=hashlib.sha256(data if recorded is None else recorded).hexdigest(),
        size=len(data),
    )
    pdf.file.save("signed.pdf", ContentFile(data))
    return pdf


def test_it_checks_every_stored_sealed_pdf_and_names_each_that_fails(
    coach: User, executed_pdf: ExecutedPdf, capsys: pytest.CaptureFixture[str]
) -> None:
    agreement = make_agreement(coach=coach)
    good = stored_pdf(agreement, executed_pdf.data)
    changed = bytearray(executed_pdf.data)
    changed[len(changed) // 3] ^= 0x20
    modified = stored_pdf(agreement, bytes(changed))
    replaced = stored_pdf(agreement, executed_pdf.data, recorded=b"another file")
    missing = stored_pdf(agreement, executed_pdf.data)
    missing.file.delete(save=False)

    with pytest.raises(CommandError, match=re.escape("3 of 4 sealed PDFs failed the check.")):
        call_command("verify_pdf", "--all")

    errors = capsys.readouterr().err
    of = f"of agreement {agreement.reference}"
    assert f"PDF {good.pk} " not in errors
    assert f"PDF {modified.pk} {of}: MODIFIED" in errors
    assert f"PDF {replaced.pk} {of}: its file is not the one recorded" in errors
    assert f"PDF {missing.pk} {of}: its file is missing from storage" in errors


def test_it_says_how_many_it_checked_when_all_pass(coach: User, executed_pdf: ExecutedPdf) -> None:
    stored_pdf(make_agreement(coach=coach), executed_pdf.data)
    out = StringIO()

    call_command("verify_pdf", "--all", stdout=out)

    assert "1 sealed PDFs checked: all authentic and as recorded." in out.getvalue()


def test_it_wants_a_file_or_all_not_both() -> None:
    with pytest.raises(CommandError, match="Give the FILE to check, or --all"):
        call_command("verify_pdf")
    with pytest.raises(CommandError, match="Give the FILE to check, or --all"):
        call_command("verify_pdf", "some.pdf", "--all")
