"""The certificate of completion tells the audit trail in sentences."""

import pytest

from tests.contracts.documents.conftest import ExecutedPdf
from tests.contracts.documents.helpers import certificate_text

pytestmark = pytest.mark.django_db


def test_the_certificate_tells_each_signers_confirmations_once(
    executed_pdf: ExecutedPdf,
) -> None:
    text = " ".join(certificate_text(executed_pdf.data).split())

    assert "Sharing rule confirmed" not in text
    assert "Limit of confidentiality confirmed" not in text
    assert text.count("confirmed what the sponsor's HR contact receives") == 2
    assert f"{executed_pdf.client_name}, the client, confirmed the limits of" in text
    assert "True" not in text and "None" not in text
