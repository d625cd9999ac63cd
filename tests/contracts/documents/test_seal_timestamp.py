"""PAdES B-T: with a timestamp authority configured, the seal carries a trusted timestamp.

The authority is a real RFC 3161 server on this machine, answering over HTTP.
"""

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from asn1crypto import tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.keys import load_cert_from_pemder, load_private_key_from_pemder
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pytest_django import Settings
from weasyprint import HTML

from contracts.documents.seal import seal_pdf, seal_status


def make_tsa(folder: Path) -> tuple[Path, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test timestamp authority")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = folder / "tsa-key.pem", folder / "tsa-cert.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


@pytest.fixture
def tsa_url(settings: Settings, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    key_file, cert_file = make_tsa(tmp_path)
    stamper = DummyTimeStamper(
        tsa_cert=load_cert_from_pemder(str(cert_file)),  # type: ignore[no-untyped-call]  # pyHanko leaves it unannotated
        tsa_key=load_private_key_from_pemder(str(key_file), passphrase=None),
    )

    class Authority(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            reply = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Authority)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    settings.SEAL_TIMESTAMP_URL = url
    try:
        yield url, cert_file
    finally:
        server.shutdown()


def test_with_a_timestamp_authority_the_seal_is_pades_b_t(tsa_url: tuple[str, Path]) -> None:
    _, tsa_cert = tsa_url
    pdf = HTML(string="<p lang='en'>Signed.</p>").write_pdf(pdf_variant="pdf/a-3b")
    sealed = seal_pdf(pdf, reason="Test")

    status = seal_status(sealed, also_trusted=(tsa_cert,))
    assert status.bottom_line
    assert status.timestamp_validity is not None, "a signature timestamp: baseline B-T"
    assert status.timestamp_validity.intact and status.timestamp_validity.trusted
