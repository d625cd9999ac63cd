"""The platform seal: a PAdES signature over every executed agreement, and its checking.

The key and certificate come from settings (SEAL_KEY_FILE, SEAL_CERT_FILE) and are
parsed once per process (and again only when the files change), so a seal costs a few
tens of milliseconds.

Checking a file someone uploads reads untrusted bytes, so it can be bounded: the check
then runs in a separate process that is killed when its time is up (and that cannot
take more than CHECK_MEMORY_BYTES of memory), and the answer is "could not be checked".
"""

from __future__ import annotations

import asyncio
import functools
import io
import json
import logging
import multiprocessing
import resource
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from asn1crypto import keys, pem
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyhanko.keys import load_cert_from_pemder, load_certs_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

SEAL_FIELD = "TripartiteSeal"
# Room for the CMS signature: an RSA 4096 signature with its certificate fits in 8 KB;
# a timestamp token adds its authority's certificate chain.
SEAL_BYTES = 8 * 1024
SEAL_BYTES_WITH_TIMESTAMP = 24 * 1024
ATTACHED_AGREEMENT = "agreement.json"
# A bounded check may use this much address space; a sealed agreement needs a fraction.
CHECK_MEMORY_BYTES = 1024**3

logger = logging.getLogger(__name__)


def create_seal_certificate(
    *, key_file: Path, cert_file: Path, common_name: str, days: int = 3650
) -> None:
    """A self-signed RSA seal certificate, for development and tests.

    RSA, not ECDSA: pyHanko marks a PDF sealed with an ECDSA P-256 key as PDF 2.0
    (ISO 32002), which contradicts the PDF/A-3 (PDF 1.7) archive it seals.
    """
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Tripartite"),
        ]
    )
    now = datetime.now(UTC)
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(usage, critical=True)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_file.parent.mkdir(parents=True, exist_ok=True)
    cert_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_file.chmod(0o600)
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))


class KeptKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner parses its private key again for every signature, which
    for RSA (with the key checks it implies) costs over 100 ms; this one keeps it."""

    def __init__(self, *args: Any, private_key: RSAPrivateKey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        if mechanism == "rsassa_pkcs1v15":
            digest = getattr(hashes, digest_algorithm.upper())()
            return self._private_key.sign(data, PKCS1v15(), digest)
        return bytes(super().sign_raw(data, digest_algorithm))


@functools.lru_cache(maxsize=1)
def _signer(key_data: bytes, cert_data: bytes) -> signers.SimpleSigner:
    """The signer for this key and certificate, each parsed here once. The files' contents
    are the cache's key: a replaced key seals the next agreement, whatever its dates."""
    passphrase = settings.SEAL_KEY_PASSPHRASE.encode() or None
    load = (
        serialization.load_pem_private_key
        if pem.detect(key_data)
        else serialization.load_der_private_key
    )
    private_key = load(key_data, password=passphrase)
    (certificate,) = load_certs_from_pemder_data(cert_data)
    signing_key = keys.PrivateKeyInfo.load(
        private_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    registry = SimpleCertificateStore()  # type: ignore[no-untyped-call]  # pyHanko leaves it unannotated
    if isinstance(private_key, RSAPrivateKey):
        return KeptKeySigner(
            signing_cert=certificate,
            signing_key=signing_key,
            cert_registry=registry,
            private_key=private_key,
        )
    return signers.SimpleSigner(
        signing_cert=certificate, signing_key=signing_key, cert_registry=registry
    )


def seal_signer() -> signers.SimpleSigner:
    key_file, cert_file = Path(settings.SEAL_KEY_FILE), Path(settings.SEAL_CERT_FILE)
    try:
        key_data, cert_data = key_file.read_bytes(), cert_file.read_bytes()
    except FileNotFoundError as error:
        raise ImproperlyConfigured(
            "No seal key and certificate: set SEAL_KEY_FILE and SEAL_CERT_FILE, or run "
            "`python manage.py create_seal_certificate` for development."
        ) from error
    try:
        return _signer(key_data, cert_data)
    except (TypeError, ValueError, UnsupportedAlgorithm) as error:
        raise ImproperlyConfigured(
            f"The seal key or certificate could not be read ({key_file}, {cert_file})."
        ) from error


def _off_event_loop[T](function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run pyHanko, whose synchronous API calls asyncio.run(), away from any event loop
    already running in this thread (under ASGI, or beside a browser driver in tests)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def seal_pdf(pdf: bytes, *, reason: str) -> bytes:
    """Seal a PDF with a PAdES signature (baseline B, or B-T with a timestamp authority)."""
    return _off_event_loop(_seal_pdf, pdf, reason=reason)


def _seal_pdf(pdf: bytes, *, reason: str) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    if writer._info is not None:
        # pyHanko appends itself to the Info producer but writes only itself in the XMP
        # producer; PDF/A wants the two to agree, so let it write both afresh.
        info = writer._info.get_object()  # type: ignore[no-untyped-call]  # pyHanko leaves get_object() unannotated
        if "/Producer" in info:
            del info["/Producer"]
            writer.mark_update(writer._info)
    metadata = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=settings.SITE_URL,
    )
    timestamper = (
        timestamps.HTTPTimeStamper(settings.SEAL_TIMESTAMP_URL)
        if settings.SEAL_TIMESTAMP_URL
        else None
    )
    # A fixed reservation spares pyHanko a trial signature to measure the space needed.
    reserved = SEAL_BYTES_WITH_TIMESTAMP if timestamper else SEAL_BYTES
    output: io.BytesIO = signers.sign_pdf(
        writer,
        metadata,
        signer=seal_signer(),
        timestamper=timestamper,
        bytes_reserved=reserved,
    )
    return output.getvalue()


def seal_status(data: bytes, *, also_trusted: tuple[Path, ...] = ()) -> Any:
    """pyHanko's full validation status of the seal (for tests and diagnostics).

    `also_trusted` are further certificates to trust, such as a timestamp authority's.
    """
    roots = [
        load_cert_from_pemder(str(path))  # type: ignore[no-untyped-call]  # pyHanko leaves it unannotated
        for path in (settings.SEAL_CERT_FILE, *also_trusted)
    ]
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    seal = next(sig for sig in reader.embedded_signatures if sig.field_name == SEAL_FIELD)
    return _off_event_loop(validate_pdf_signature, seal, ValidationContext(trust_roots=roots))


class Verdict(StrEnum):
    AUTHENTIC = "authentic"
    MODIFIED = "modified"
    FOREIGN = "foreign"
    NOT_SEALED = "not_sealed"
    NOT_PDF = "not_pdf"
    UNCHECKED = "unchecked"  # not within the time or memory allowed


@dataclass(frozen=True)
class SealCheck:
    verdict: Verdict
    signed_at: datetime | None = None
    agreement: dict[str, Any] | None = None


def check_seal(data: bytes, *, seconds: float | None = None) -> SealCheck:
    """Is this PDF sealed by this instance and unchanged since? Reads its attached data too.

    With `seconds`, the check runs in a separate process that is killed once that time
    is up, and the verdict is then UNCHECKED; the caller never waits much longer.
    """
    # A PDF starts with its header and ends with its end-of-file marker, each within
    # 1 KB (where pyHanko looks too). Checked first, as pyHanko reads what follows the
    # marker back to front one byte at a time: seconds for megabytes.
    if b"%PDF-" not in data[:1024] or b"%%EOF" not in data[-1024:]:
        return SealCheck(Verdict.NOT_PDF)
    cert_file = str(settings.SEAL_CERT_FILE)
    if seconds is None:
        return _check_seal(data, cert_file)
    return _check_seal_in_a_process(data, cert_file, seconds=seconds)


def _check_seal(data: bytes, cert_file: str) -> SealCheck:
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except MemoryError:
        raise
    except Exception:
        return SealCheck(Verdict.NOT_PDF)
    seals = [sig for sig in signatures if sig.field_name == SEAL_FIELD]
    if not seals:
        return SealCheck(Verdict.NOT_SEALED)
    seal = seals[-1]
    root = load_cert_from_pemder(cert_file)  # type: ignore[no-untyped-call]  # pyHanko leaves it unannotated
    trust = ValidationContext(trust_roots=[root])
    try:
        # Without the difference analysis: it explains what later revisions changed,
        # walking the whole object graph of every revision (minutes for a tagged PDF of
        # some thirty pages), and any later revision is a modification here anyway.
        status = _off_event_loop(validate_pdf_signature, seal, trust, skip_diff=True)
    except MemoryError:
        raise
    except Exception:
        return SealCheck(Verdict.MODIFIED)
    if not status.intact or not status.valid:
        return SealCheck(Verdict.MODIFIED)
    if not status.trusted:
        return SealCheck(Verdict.FOREIGN)
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return SealCheck(Verdict.MODIFIED)
    return SealCheck(
        Verdict.AUTHENTIC,
        signed_at=status.signer_reported_dt,
        agreement=_attached_agreement(reader),
    )


# A fork server, started once per web process with pyHanko (and the main module) already
# imported, makes each bounded check a cheap fork, and never forks the web process itself,
# which may run threads.
_processes = multiprocessing.get_context("forkserver")


def _check_seal_in_a_process(data: bytes, cert_file: str, *, seconds: float) -> SealCheck:
    _processes.set_forkserver_preload(["__main__", __name__])
    receiving, sending = _processes.Pipe(duplex=False)
    process = _processes.Process(
        target=_check_seal_and_send, args=(sending, data, cert_file), daemon=True
    )
    with receiving:
        try:
            process.start()
        except Exception:
            logger.exception("No process could be started to check a seal.")
            return SealCheck(Verdict.UNCHECKED)
        finally:
            sending.close()
        # The time starts once the process has the file: starting the fork server (once
        # per web process) is not the file's doing.
        try:
            if not receiving.poll(seconds):
                return SealCheck(Verdict.UNCHECKED)
            check = receiving.recv()
        except Exception:  # the process ended without an answer (out of memory)
            return SealCheck(Verdict.UNCHECKED)
        finally:
            if process.is_alive():
                process.kill()
            process.join()
            process.close()
    return check if isinstance(check, SealCheck) else SealCheck(Verdict.UNCHECKED)


def _check_seal_and_send(connection: Connection, data: bytes, cert_file: str) -> None:
    """The bounded check, in its own process: at most CHECK_MEMORY_BYTES of memory."""
    resource.setrlimit(resource.RLIMIT_AS, (CHECK_MEMORY_BYTES, CHECK_MEMORY_BYTES))
    try:
        check = _check_seal(data, cert_file)
    except MemoryError:
        check = SealCheck(Verdict.UNCHECKED)
    connection.send(check)
    connection.close()


def _attached_agreement(reader: PdfFileReader) -> dict[str, Any] | None:
    """The machine-readable agreement attached to the PDF, if it has one."""
    try:
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
        for index in range(0, len(names), 2):
            if str(names[index]) == ATTACHED_AGREEMENT:
                stream = names[index + 1].get_object()["/EF"]["/F"].get_object()
                attached: dict[str, Any] = json.loads(stream.data)
                return attached
    except (KeyError, TypeError, ValueError):
        return None
    return None
