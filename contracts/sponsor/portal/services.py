"""The sponsor portal: a sponsor contact signs in with an emailed one-time link, then
sees the agreements that name them, in the sponsor's view, and what was released to them.

There are no accounts. A link is 256 random bits of which only the SHA-256 is stored;
it works once, for PORTAL_LINK_MINUTES. Using it starts a visit of PORTAL_SESSION_HOURS
for that contact, kept in the Django session. A contact row belongs to one coach, so a
person who is a contact of several practices receives one link for each.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from coaching import throttle
from coaching.branding import brand_of
from coaching.emails import EmailNotSent, send_email
from coaching.models import SponsorContact
from contracts.models import (
    Agreement,
    AgreementVersion,
    InformationRequest,
    PortalLink,
    Release,
    ReleaseStatus,
    RequestStatus,
    Signer,
)
from contracts.sponsor.asking import signer_for

logger = logging.getLogger(__name__)

SESSION_KEY = "sponsor-portal"
# Sign-in requests from one network, and links emailed to one address, per hour.
LINK_REQUESTS = throttle.Door("portal-ip", per_seconds=3600, per_ip=20)
LINK_EMAILS = throttle.Door("portal-email", per_seconds=3600, per_key=3)


class PortalLinkProblem(Exception):
    """Why a sign-in link does not work: `kind` is "unknown", "expired" or "used"."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def portal_url() -> str:
    """The portal's public address, for emails that send a contact there (release
    notices, answers): it asks for their address and emails a sign-in link."""
    return settings.SITE_URL + reverse("contracts:portal")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def portal_link_request(*, email: str) -> int:
    """Email a sign-in link to each sponsor contact with this address (one per practice)
    and return how many were sent. The caller shows the same page whatever happens: the
    person asking learns nothing. At most LINK_EMAILS links an hour go to one address.
    """
    email = email.strip()
    if not email or throttle.attempt(LINK_EMAILS, key=email) is None:
        return 0
    contacts = SponsorContact.objects.filter(
        email__iexact=email, archived_at__isnull=True
    ).select_related("coach__profile", "organisation")
    sent = 0
    for contact in contacts:
        token = secrets.token_urlsafe(32)
        expires_at = timezone.now() + timedelta(minutes=settings.PORTAL_LINK_MINUTES)
        PortalLink.objects.create(contact=contact, token_hash=_hash(token), expires_at=expires_at)
        coach = contact.coach
        context = {
            "contact": contact,
            "practice_name": coach.profile.practice_name or coach.full_name,
            "coach_name": coach.full_name,
            "link": settings.SITE_URL + reverse("contracts:portal-enter", args=[token]),
            "minutes": settings.PORTAL_LINK_MINUTES,
            "brand": brand_of(coach.profile),
        }
        try:
            send_email("portal-link", to=contact.email, context=context, reply_to=coach.email)
        except EmailNotSent as error:
            logger.warning("Sponsor portal link %s: %s", contact.pk, error)
            continue
        sent += 1
    return sent


def portal_link_check(token: str) -> PortalLink:
    """The live link for this token (to show its button); PortalLinkProblem otherwise."""
    link = PortalLink.objects.select_related("contact__coach__profile").filter(
        token_hash=_hash(token)
    )
    return _live(link.first())


def _live(link: PortalLink | None) -> PortalLink:
    if link is None or link.contact.archived_at is not None:
        raise PortalLinkProblem("unknown")
    if link.used_at is not None:
        raise PortalLinkProblem("used")
    if link.expires_at <= timezone.now():
        raise PortalLinkProblem("expired")
    return link


def portal_link_use(*, token: str, request: HttpRequest) -> SponsorContact:
    """Use the link once, under its row lock (a second click, or the same link twice at
    once, gets PortalLinkProblem("used")), and start a portal visit for its contact in
    this browser, under a new session key."""
    with transaction.atomic():
        link = _live(
            PortalLink.objects.select_for_update()
            .select_related("contact")
            .filter(token_hash=_hash(token))
            .first()
        )
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
    request.session.cycle_key()
    request.session[SESSION_KEY] = {
        "contact": link.contact_id,
        "until": int(time.time()) + settings.PORTAL_SESSION_HOURS * 3600,
    }
    return link.contact


def portal_sign_out(request: HttpRequest) -> None:
    """End the portal visit in this browser (a coach signed in beside it stays so)."""
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()


def portal_contact(request: HttpRequest) -> SponsorContact | None:
    """The contact whose portal visit this browser is on, while it lasts."""
    visit = request.session.get(SESSION_KEY)
    if not isinstance(visit, dict) or not isinstance(visit.get("contact"), int):
        return None
    if not isinstance(visit.get("until"), int) or visit["until"] <= time.time():
        request.session.pop(SESSION_KEY, None)
        return None
    return (
        SponsorContact.objects.select_related("coach__profile", "organisation")
        .filter(pk=visit["contact"], archived_at__isnull=True)
        .first()
    )


@dataclass(frozen=True)
class PortalAgreement:
    """An agreement as one contact may see it: the version that names them."""

    agreement: Agreement
    version: AgreementVersion
    signer: Signer

    @property
    def in_force(self) -> bool:
        return self.version.in_force


def _named(agreement: Agreement, contact: SponsorContact) -> PortalAgreement | None:
    """The version in force if it names the contact, else the current version if it
    does: the one whose terms this contact reads."""
    in_force, current = agreement.version_in_force(), agreement.current_version()
    for version in (in_force, current):
        if version is None:
            continue
        signer = signer_for(version, contact)
        if signer is not None:
            return PortalAgreement(agreement=agreement, version=version, signer=signer)
    return None


def _candidates(contact: SponsorContact) -> list[Agreement]:
    return list(
        Agreement.objects.with_parties()
        .filter(
            coach_id=contact.coach_id,
            organisation_id=contact.organisation_id,
            versions__signers__contact=contact,
        )
        .distinct()
        .order_by("-created_at", "-id")
    )


def portal_agreements(contact: SponsorContact) -> list[PortalAgreement]:
    """Every agreement of the contact's organisation with their coach that names them."""
    named = (_named(agreement, contact) for agreement in _candidates(contact))
    return [entry for entry in named if entry is not None]


def portal_agreement(contact: SponsorContact, pk: int) -> PortalAgreement | None:
    """One agreement, when it names the contact; None otherwise, whoever's it is."""
    agreement = (
        Agreement.objects.with_parties()
        .filter(pk=pk, coach_id=contact.coach_id, organisation_id=contact.organisation_id)
        .first()
    )
    return _named(agreement, contact) if agreement is not None else None


def released_to(contact: SponsorContact, agreement: Agreement) -> list[Release]:
    """What has been released to this contact about this agreement, newest first."""
    return list(
        Release.objects.filter(
            agreement=agreement, contact=contact, status=ReleaseStatus.RELEASED
        ).order_by("-released_at", "-id")
    )


def released_pdf(contact: SponsorContact, pk: int) -> Release | None:
    """A release with a PDF, when it was released to this contact."""
    return (
        Release.objects.select_related("agreement", "version")
        .filter(
            pk=pk,
            contact=contact,
            status=ReleaseStatus.RELEASED,
            agreement__coach_id=contact.coach_id,
        )
        .first()
    )


# What the requester is told of their request's progress: nothing of the client's part
# in it (whether they were asked, asked for a change or refused).
OPEN = {
    RequestStatus.RECEIVED,
    RequestStatus.PREPARING,
    RequestStatus.WITH_CLIENT,
    RequestStatus.CHANGE_ASKED,
}


@dataclass(frozen=True)
class RequestLine:
    request: InformationRequest
    status: str
    answer: str


def requests_of(contact: SponsorContact, agreement: Agreement) -> list[RequestLine]:
    """The contact's own requests about this agreement, as they may see them."""
    lines = []
    for made in InformationRequest.objects.filter(agreement=agreement, contact=contact):
        if made.status in OPEN:
            status, answer = "With your coach", ""
        elif made.status == RequestStatus.RELEASED:
            status, answer = "Answered", made.answer
        else:
            status, answer = "Not released", made.answer
        lines.append(RequestLine(request=made, status=status, answer=answer))
    return lines
