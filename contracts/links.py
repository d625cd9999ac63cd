"""Emailed secrets and why a link may not work.

Link tokens of 256 bits and 6-digit codes are stored only as hashes. `resolve_link()`
turns a token into its live link or raises a `LinkProblem`: one exception class per
reason (unknown, expired, used, already signed, declined, declined by another party,
withdrawn, not yet the signer's turn, code required), each shown on its own page by
`contracts.access`.
The signing services raise the same exceptions when a signer's state changed under
them, so a person always sees the page that explains where they stand.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from enum import StrEnum
from typing import ClassVar

from django.conf import settings
from django.utils import timezone

from contracts.models import AgreementStatus, LinkPurpose, Signer, SignerStatus, SigningLink

MAX_TOKEN_LENGTH = 100


class LinkProblem(Exception):
    """Why a signer's link cannot do what was asked, now. The message is for the person."""

    message: ClassVar[str] = "This link does not work."

    def __init__(self, signer: Signer | None = None) -> None:
        super().__init__(self.message)
        self.signer = signer


class UnknownLink(LinkProblem):
    message = "We could not find this link."


class ExpiredLink(LinkProblem):
    message = "This link has expired."


class UsedLink(LinkProblem):
    message = "This link has already been used."


class AlreadySigned(LinkProblem):
    message = "You have already signed this agreement."


class AlreadyDeclined(LinkProblem):
    message = "You declined this agreement."


class Withdrawn(LinkProblem):
    message = "This agreement is no longer waiting for signatures."


class DeclinedByAnother(LinkProblem):
    message = "This agreement was declined and is not in force."


class NotYourTurn(LinkProblem):
    message = "It is not your turn to sign yet."


class CodeRequired(LinkProblem):
    message = "Enter the code we emailed you before signing."


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_link(signer: Signer, purpose: LinkPurpose) -> tuple[str, SigningLink]:
    """A new link for the signer: the token (never stored) and the stored link."""
    token = secrets.token_urlsafe(32)
    days = {
        LinkPurpose.VIEW: settings.COPY_LINK_DAYS,
        LinkPurpose.INTAKE: settings.INTAKE_LINK_DAYS,
    }.get(purpose, settings.SIGNING_LINK_DAYS)
    link = SigningLink.objects.create(
        signer=signer,
        purpose=purpose,
        token_hash=token_digest(token),
        expires_at=timezone.now() + timedelta(days=days),
    )
    return token, link


def signer_state_problem(signer: Signer) -> LinkProblem | None:
    """What a signing link can no longer do because of where its signer stands. A version
    that ended unsigned says why, to those who had signed too: their signature binds no one."""
    if signer.status == SignerStatus.DECLINED:
        return AlreadyDeclined(signer)
    version = signer.version
    if version.ended_at is not None and version.completed_at is None:
        return DeclinedByAnother(signer) if version.declined_by else Withdrawn(signer)
    if signer.status == SignerStatus.SIGNED:
        return AlreadySigned(signer)
    if version.agreement.status == AgreementStatus.VOIDED or version.ended_at is not None:
        return Withdrawn(signer)
    return None


def resolve_link(token: str, purpose: LinkPurpose) -> SigningLink:
    """The live link behind a token, or the LinkProblem that says why it does not work.

    A signing link of someone who has signed or declined, or of a version that was
    withdrawn, reports that rather than a bare "expired" or "used".
    """
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise UnknownLink()
    link = (
        # The coach's profile too: the page shows the practice's brand.
        SigningLink.objects.select_related("signer__version__agreement__coach__profile")
        .filter(token_hash=token_digest(token), purpose=purpose)
        .first()
    )
    if link is None:
        raise UnknownLink()
    signer = link.signer
    if purpose == LinkPurpose.SIGN and (problem := signer_state_problem(signer)) is not None:
        raise problem
    if link.revoked_at is not None:
        raise UsedLink(signer)
    if link.expires_at <= timezone.now():
        raise ExpiredLink(signer)
    return link


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


class CodeStanding(StrEnum):
    """Where a signer's emailed code stands."""

    NONE = "none"  # never asked for, or already used
    LIVE = "live"
    EXPIRED = "expired"
    SPENT = "spent"  # entered wrongly too many times


def code_standing(signer: Signer, *, now: datetime | None = None) -> CodeStanding:
    if not signer.code_hash or signer.code_expires_at is None:
        return CodeStanding.NONE
    if signer.code_attempts >= settings.SIGNING_CODE_TRIES:
        return CodeStanding.SPENT
    if signer.code_expires_at <= (now or timezone.now()):
        return CodeStanding.EXPIRED
    return CodeStanding.LIVE
