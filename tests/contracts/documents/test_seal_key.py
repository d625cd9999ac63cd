"""The seal's key: read once per process for every agreement sealed, and a replaced key
seals the next agreement."""

import os
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from pytest_django import Settings
from weasyprint import HTML

from contracts.documents import seal
from contracts.documents.seal import create_seal_certificate, seal_pdf, seal_status


@pytest.fixture
def unsealed() -> bytes:
    pdf: bytes = HTML(string="<p lang='en'>Signed.</p>").write_pdf(pdf_variant="pdf/a-3b")
    return pdf


def test_the_seal_key_is_parsed_once_for_every_agreement_sealed(
    unsealed: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    seal._signer.cache_clear()
    parsed: list[str] = []

    def counted(load: Any) -> Any:
        def parse(*args: Any, **kwargs: Any) -> Any:
            parsed.append(load.__name__)
            return load(*args, **kwargs)

        return parse

    for name in ("load_pem_private_key", "load_der_private_key"):
        monkeypatch.setattr(serialization, name, counted(getattr(serialization, name)))

    first = seal_pdf(unsealed, reason="First")
    second = seal_pdf(unsealed, reason="Second")

    assert parsed == ["load_pem_private_key"]
    for sealed in (first, second):
        status = seal_status(sealed)
        assert status.bottom_line and status.intact and status.trusted


def test_a_replaced_seal_key_seals_the_next_agreement_even_with_the_old_files_dates(
    unsealed: bytes, settings: Settings, tmp_path: Path
) -> None:
    """As when the new key is copied in with its dates kept (cp -p, rsync -t, a backup)."""
    key, cert = tmp_path / "seal-key.pem", tmp_path / "seal-cert.pem"
    create_seal_certificate(key_file=key, cert_file=cert, common_name="Old seal")
    settings.SEAL_KEY_FILE, settings.SEAL_CERT_FILE = key, cert
    seal_pdf(unsealed, reason="Before the change")
    dates = [(path.stat().st_atime_ns, path.stat().st_mtime_ns) for path in (key, cert)]

    create_seal_certificate(key_file=key, cert_file=cert, common_name="New seal")
    for path, (accessed, modified) in zip((key, cert), dates, strict=True):
        os.utime(path, ns=(accessed, modified))
    sealed = seal_pdf(unsealed, reason="After the change")

    status = seal_status(sealed)
    assert status.bottom_line and status.intact and status.trusted
    assert status.signing_cert.subject.native["common_name"] == "New seal"
