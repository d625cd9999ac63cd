"""Emailed secrets: link tokens of 256 bits and 6-digit codes, stored only as hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.utils import timezone

from contracts.models import LinkPurpose, Signer, SigningLink


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_link(signer: Signer, purpose: LinkPurpose) -> tuple[str, SigningLink]:
    """A new link for the signer: the token (never stored) and the stored link."""
    token = secrets.token_urlsafe(32)
    days = settings.COPY_LINK_DAYS if purpose == LinkPurpose.VIEW else settings.SIGNING_LINK_DAYS
    link = SigningLink.objects.create(
        signer=signer,
        purpose=purpose,
        token_hash=token_digest(token),
        expires_at=timezone.now() + timedelta(days=days),
    )
    return token, link


class LinkProblem(StrEnum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"


@dataclass(frozen=True)
class LinkLookup:
    link: SigningLink | None
    problem: LinkProblem | None = None


def find_link(token: str, purpose: LinkPurpose) -> LinkLookup:
    """The link behind a token, or why it no longer works."""
    if not token or len(token) > 100:
        return LinkLookup(None, LinkProblem.UNKNOWN)
    link = (
        SigningLink.objects.select_related("signer__version__agreement__coach")
        .filter(token_hash=token_digest(token), purpose=purpose)
        .first()
    )
    if link is None:
        return LinkLookup(None, LinkProblem.UNKNOWN)
    if link.revoked_at is not None:
        return LinkLookup(link, LinkProblem.USED)
    if link.expires_at <= timezone.now():
        return LinkLookup(link, LinkProblem.EXPIRED)
    return LinkLookup(link)


def revoke_links(signers: list[Signer], purpose: LinkPurpose | None = None) -> None:
    links = SigningLink.objects.filter(signer__in=signers, revoked_at__isnull=True)
    if purpose is not None:
        links = links.filter(purpose=purpose)
    links.update(revoked_at=timezone.now())


def code_digest(signer_id: int, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{signer_id}:{code}".encode(), hashlib.sha256).hexdigest()


def issue_code(signer: Signer) -> str:
    """A fresh code for the signer; only its keyed hash is stored."""
    code = f"{secrets.randbelow(10**6):06d}"
    signer.code_hash = code_digest(signer.pk, code)
    signer.code_expires_at = timezone.now() + timedelta(minutes=settings.SIGNING_CODE_MINUTES)
    signer.code_attempts = 0
    signer.save(update_fields=["code_hash", "code_expires_at", "code_attempts"])
    return code
