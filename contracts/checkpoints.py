"""Checkpoints: every agreement's audit head, signed with the seal's key, now and then.

A trail's chain shows an edited or removed event, but whoever can write to the database
could cut the tail of a trail and set the agreement's head back to match. A checkpoint
keeps every head where that cannot reach: each is chained to the checkpoint before it
and signed with the seal's key, which the database does not hold, so a trail shorter
than a checkpoint saw, or different from it, shows (see `verify_audit`). With
AUDIT_CHECKPOINT_DIR set, each checkpoint is also written there as a file, so that
removing the newest checkpoints from the database shows too.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone

from contracts.audit import Anchor
from contracts.models import Agreement, AuditCheckpoint
from contracts.snapshot import canonical_json

FILE_PREFIX = "audit-checkpoint-"

logger = logging.getLogger(__name__)


@functools.cache
def _key(path: str, mtime: float) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
    try:
        key = serialization.load_pem_private_key(
            Path(path).read_bytes(), password=settings.SEAL_KEY_PASSPHRASE.encode() or None
        )
    except (TypeError, ValueError) as error:
        raise ImproperlyConfigured(f"The seal key cannot be read ({path}): {error}") from None
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise ImproperlyConfigured("The seal key must be an RSA or an elliptic-curve key.")
    return key


@functools.cache
def _certificate(path: str, mtime: float) -> x509.Certificate:
    return x509.load_pem_x509_certificate(Path(path).read_bytes())


def _seal_file(path: Path) -> tuple[str, float]:
    if not path.exists():
        raise ImproperlyConfigured(
            "No seal key and certificate: set SEAL_KEY_FILE and SEAL_CERT_FILE, or run "
            "`python manage.py create_seal_certificate` for development."
        )
    return str(path), path.stat().st_mtime


def seal_certificate() -> x509.Certificate:
    return _certificate(*_seal_file(Path(settings.SEAL_CERT_FILE)))


def certificate_sha256(certificate: x509.Certificate) -> str:
    return certificate.fingerprint(hashes.SHA256()).hex()


def _sign(data: bytes) -> bytes:
    key = _key(*_seal_file(Path(settings.SEAL_KEY_FILE)))
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    return key.sign(data, ec.ECDSA(hashes.SHA256()))


def _signed_by(certificate: x509.Certificate, signature: bytes, data: bytes) -> bool:
    public_key = certificate.public_key()
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        else:
            return False
    except InvalidSignature:
        return False
    return True


def checkpoint_hash(checkpoint: AuditCheckpoint) -> str:
    """The hash a checkpoint should carry: of its number, time, heads, predecessor and signer."""
    fields = {
        "number": checkpoint.number,
        "taken_at": checkpoint.taken_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "heads": checkpoint.heads,
        "prev": checkpoint.prev_hash,
        "certificate": checkpoint.certificate_sha256,
    }
    return hashlib.sha256(canonical_json(fields)).hexdigest()


def current_heads() -> list[list[Any]]:
    """Every agreement with a trail: [id, number of events, hash of the last], in one query."""
    rows = (
        Agreement.objects.filter(audit_count__gt=0)
        .order_by("pk")
        .values_list("pk", "audit_count", "audit_head")
    )
    return [list(row) for row in rows]


def take_checkpoint(*, unless_within: timedelta | None = None) -> AuditCheckpoint | None:
    """Record and sign every agreement's audit head, chained to the last checkpoint.

    None when nothing changed since the last checkpoint, when it was taken less than
    `unless_within` ago, or when another process took this checkpoint at the same
    moment (one of them wins; the chain stays one). A constant number of queries.
    """
    latest = AuditCheckpoint.objects.order_by("-number").first()
    now = timezone.now()
    if latest is not None and unless_within and latest.taken_at > now - unless_within:
        return None
    heads = current_heads()
    if latest is None and not heads:
        return None
    signer = certificate_sha256(seal_certificate())
    if latest is not None and latest.heads == heads and latest.certificate_sha256 == signer:
        return None
    checkpoint = AuditCheckpoint(
        number=latest.number + 1 if latest else 1,
        taken_at=now,
        heads=heads,
        prev_hash=latest.hash if latest else "",
        certificate_sha256=signer,
    )
    checkpoint.hash = checkpoint_hash(checkpoint)
    checkpoint.signature = base64.b64encode(_sign(checkpoint.hash.encode())).decode()
    try:
        with transaction.atomic():
            checkpoint.save()
    except IntegrityError:
        return None
    if settings.AUDIT_CHECKPOINT_DIR:
        folder = Path(settings.AUDIT_CHECKPOINT_DIR)
        transaction.on_commit(lambda: _write_file(checkpoint, folder))
    return checkpoint


def _file_fields(checkpoint: AuditCheckpoint) -> dict[str, Any]:
    return {
        "number": checkpoint.number,
        "taken_at": checkpoint.taken_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "heads": checkpoint.heads,
        "prev_hash": checkpoint.prev_hash,
        "hash": checkpoint.hash,
        "certificate_sha256": checkpoint.certificate_sha256,
        "signature": checkpoint.signature,
    }


def _write_file(checkpoint: AuditCheckpoint, folder: Path) -> None:
    """One new file per checkpoint, never one written over."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / f"{FILE_PREFIX}{checkpoint.number:08d}.json").open("x") as file:
            json.dump(_file_fields(checkpoint), file)
    except OSError:
        logger.exception("Audit checkpoint %s could not be written to a file.", checkpoint.number)


def _newest_file(folder: Path) -> tuple[str, AuditCheckpoint | None] | None:
    """The newest checkpoint file (its name, and the checkpoint it holds, None if unreadable)."""
    files = sorted(folder.glob(f"{FILE_PREFIX}*.json")) if folder.is_dir() else []
    if not files:
        return None
    try:
        fields = json.loads(files[-1].read_text())
        fields["taken_at"] = datetime.fromisoformat(fields["taken_at"])
        return files[-1].name, AuditCheckpoint(**fields)
    except (OSError, ValueError, TypeError, KeyError):
        return files[-1].name, None


def when(checkpoint: AuditCheckpoint) -> str:
    return checkpoint.taken_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _label(checkpoint: AuditCheckpoint) -> str:
    return f"Checkpoint {checkpoint.number} (of {when(checkpoint)})"


@dataclass(frozen=True)
class CheckpointReview:
    """What the checkpoints say: the newest one that holds, and what is wrong with any."""

    latest: AuditCheckpoint | None
    checked: int
    problems: list[str]

    def anchors(self) -> dict[int, Anchor]:
        """Each agreement's head as the newest checkpoint that holds saw it."""
        if self.latest is None:
            return {}
        source = f"the checkpoint of {when(self.latest)}"
        return {
            agreement_id: Anchor(seq=seq, hash=digest, source=source)
            for agreement_id, seq, digest in self.latest.heads
        }


def _own_problem(checkpoint: AuditCheckpoint, signer: x509.Certificate) -> str:
    """What is wrong with the checkpoint itself (its hash, its signature), if anything."""
    if checkpoint_hash(checkpoint) != checkpoint.hash:
        return f"{_label(checkpoint)} was changed after it was signed."
    try:
        signature = base64.b64decode(checkpoint.signature, validate=True)
    except ValueError:
        signature = b""
    if not _signed_by(signer, signature, checkpoint.hash.encode()):
        return f"{_label(checkpoint)} does not carry a valid signature of the seal."
    return ""


def review_checkpoints() -> CheckpointReview:
    """Check every checkpoint's hash, signature and link to the one before; find the newest
    that holds (in the database, or in AUDIT_CHECKPOINT_DIR when that one is newer).

    After the seal certificate changes, the checkpoints signed before the first one under
    the new certificate keep their chain but their signatures can no longer be checked.
    """
    problems: list[str] = []
    latest: AuditCheckpoint | None = None
    signer: x509.Certificate | None = None
    current, previous, expected, checked, under_current = "", "", 1, 0, False
    for checkpoint in AuditCheckpoint.objects.order_by("number").iterator(chunk_size=100):
        if signer is None:
            signer = seal_certificate()
            current = certificate_sha256(signer)
        checked += 1
        if checkpoint.number != expected:
            problems.append(f"Checkpoint {expected} is missing (found {checkpoint.number} next).")
        elif checkpoint.prev_hash != previous:
            problems.append(f"{_label(checkpoint)} does not follow the checkpoint before it.")
        previous, expected = checkpoint.hash, checkpoint.number + 1
        if checkpoint.certificate_sha256 != current and not under_current:
            if checkpoint_hash(checkpoint) != checkpoint.hash:
                problems.append(f"{_label(checkpoint)} was changed after it was signed.")
            continue
        under_current = True
        problem = _own_problem(checkpoint, signer)
        if problem:
            problems.append(problem)
        else:
            latest = checkpoint
    if checked and not under_current:
        problems.append(
            "No checkpoint is signed with the current seal certificate: take one now "
            "(manage.py audit_checkpoint)."
        )
    if settings.AUDIT_CHECKPOINT_DIR:
        latest = _newest_of(latest, Path(settings.AUDIT_CHECKPOINT_DIR), problems)
    return CheckpointReview(latest=latest, checked=checked, problems=problems)


def _newest_of(
    latest: AuditCheckpoint | None, folder: Path, problems: list[str]
) -> AuditCheckpoint | None:
    """The newer of the database's newest sound checkpoint and the newest file's."""
    newest = _newest_file(folder)
    if newest is None:
        return latest
    name, kept = newest
    if kept is None:
        problems.append(f"The checkpoint file {name} cannot be read.")
        return latest
    problem = _own_problem(kept, seal_certificate())
    if problem:
        problems.append(f"{problem.removesuffix('.')} (file {name}).")
        return latest
    stored = AuditCheckpoint.objects.filter(number=kept.number).values_list("hash").first()
    if stored is None:
        problems.append(
            f"{_label(kept)}, kept in {name}, is missing from the database: "
            "checkpoints were removed."
        )
    elif stored[0] != kept.hash:
        problems.append(f"{_label(kept)} differs from the one kept in {name}.")
    return kept if latest is None or kept.number > latest.number else latest
