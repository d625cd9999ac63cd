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

import functools
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from enum import StrEnum
from typing import ClassVar, cast

from django.conf import settings
from django.db import connection
from django.db.models.expressions import Col
from django.utils import timezone

from coaching.lean import Selection, columns_of, read_one, select_list
from contracts.models import (
    Agreement,
    AgreementStatus,
    AgreementVersion,
    LinkPurpose,
    Signer,
    SignerStatus,
    SigningLink,
)

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


# What the signing page reads of its link before showing the parts it keeps rendered
# (contracts/signing/page.py): the states checked here, and whose agreement it is (the
# practice's brand comes from coaching.branding, which keeps it a minute). The rest stays
# in the database: an agreement row carries every term, a version its snapshot (some
# 17 KB); a POST that needs them loads them when first used.
LINK_FIELDS = (
    "id",
    "signer_id",
    "purpose",
    "expires_at",
    "revoked_at",
    "last_used_at",
    "view_recorded_at",
)
SIGNER_FIELDS = ("id", "version_id", "role", "status", "name", "email", "first_viewed_at")
VERSION_FIELDS = (
    "id",
    "agreement_id",
    "number",
    "sha256",
    "require_email_code",
    "completed_at",
    "ended_at",
    "invitation_message",
)
AGREEMENT_FIELDS = ("id", "coach_id", "status")
LEAN_FIELDS: Selection = (
    (SigningLink, LINK_FIELDS),
    (Signer, SIGNER_FIELDS),
    (AgreementVersion, VERSION_FIELDS),
    (Agreement, AGREEMENT_FIELDS),
)


@functools.cache
def _lean_statement() -> tuple[str, tuple[Col, ...]]:
    """The lookup's SQL, and its columns."""
    quote = connection.ops.quote_name
    columns = columns_of(LEAN_FIELDS)
    link, signer, version, agreement = (quote(model._meta.db_table) for model, _ in LEAN_FIELDS)
    # Only the models' own table and column names go into the text; the values are bound.
    sql = (
        f"SELECT {select_list(columns)} FROM {link}"  # noqa: S608
        f" JOIN {signer} ON {signer}.id = {link}.signer_id"
        f" JOIN {version} ON {version}.id = {signer}.version_id"
        f" JOIN {agreement} ON {agreement}.id = {version}.agreement_id"
        f" WHERE {link}.token_hash = %s AND {link}.purpose = %s"
    )
    return sql, columns


def _lean_link(token_hash: str, purpose: LinkPurpose) -> SigningLink | None:
    """The link with its signer, version and agreement, each with only its LEAN_FIELDS.

    One statement written out once (see `coaching.lean`): for this four-table join the
    ORM spent three times as much CPU composing the query (0.6 ms) as the database spends
    answering it, on the page a forwarded link or a mail scanner opens again and again.
    """
    sql, columns = _lean_statement()
    found = read_one(sql, [token_hash, str(purpose)], LEAN_FIELDS, columns)
    if found is None:
        return None
    link, signer, version = (
        cast(SigningLink, found[0]),
        cast(Signer, found[1]),
        cast(AgreementVersion, found[2]),
    )
    version.agreement = cast(Agreement, found[3])
    signer.version = version
    link.signer = signer
    return link


def resolve_link(token: str, purpose: LinkPurpose, *, lean: bool = False) -> SigningLink:
    """The live link behind a token, or the LinkProblem that says why it does not work;
    `lean`, with only what the signing page needs (see `_lean_link`), else with the
    coach and their profile too, as most link pages name the coach.

    A signing link of someone who has signed or declined, or of a version that was
    withdrawn, reports that rather than a bare "expired" or "used".
    """
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise UnknownLink()
    digest = token_digest(token)
    link = (
        _lean_link(digest, purpose)
        if lean
        else SigningLink.objects.select_related("signer__version__agreement__coach__profile")
        .filter(token_hash=digest, purpose=purpose)
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
