"""The sponsor portal's pages: sign in by emailed link, the agreements that name the
contact, each in the sponsor's view with what was released to them, and asking.

Every page answers with `Cache-Control: no-store`. The pages behind the sign-in take the
contact from the portal visit (`services.portal_contact`), never from the URL; an
agreement that does not name the contact is a 404, logged without personal data.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from coaching import throttle
from coaching.branding import mark_party_page
from coaching.http import client_ip
from coaching.models import SponsorContact
from contracts.access import BAD_LINKS, too_many_requests
from contracts.audit import record_event, signer_actor
from contracts.drafting.perspectives import document_context, reader_column, reader_for
from contracts.engagement.party import party_view
from contracts.models import AuditEventKind, RequestChannel
from contracts.sponsor.asking import CannotAsk, request_receive, signer_for
from contracts.sponsor.portal import services
from contracts.sponsor.portal.forms import AskForm, LinkRequestForm
from contracts.sponsor.programmes.services import programme_for_portal

logger = logging.getLogger(__name__)

# Requests for information from one contact, and from one network, per hour.
ASKS = throttle.Door("portal-ask", per_seconds=3600, per_key=10, per_ip=30)
# The page for each reason a sign-in link does not work, and its HTTP status.
LINK_PROBLEM_STATUS = {"unknown": 404, "expired": 410, "used": 410}

type PortalView = Callable[..., HttpResponseBase]


def _no_store[R: HttpResponseBase](response: R) -> R:
    response["Cache-Control"] = "no-store"
    return response


def portal_page(view: PortalView) -> Callable[..., HttpResponseBase]:
    """A page of a portal visit: called with the contact, else sent to sign in."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        contact = services.portal_contact(request)
        if contact is None:
            return _no_store(redirect("contracts:portal"))
        mark_party_page(request, coach_id=contact.coach_id)
        return _no_store(view(request, contact, *args, **kwargs))

    return wrapped


def sign_in(request: HttpRequest) -> HttpResponse:
    """Ask for a sign-in link. The answer is the same whether or not the address is a
    sponsor contact's, so the page tells no one who is."""
    form = LinkRequestForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if throttle.attempt(services.LINK_REQUESTS, ip=client_ip(request)) is None:
            return _no_store(too_many_requests(request))
        if form.is_valid():
            services.portal_link_request(email=form.cleaned_data["email"])
            return _no_store(render(request, "contracts/sponsor/portal/sent.html"))
        status = 400
    signed_in = services.portal_contact(request) is not None
    context = {"form": form, "signed_in": signed_in}
    return _no_store(
        render(request, "contracts/sponsor/portal/sign_in.html", context, status=status)
    )


def enter(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners open links: GET changes nothing); POST uses the
    link once and starts the portal visit."""
    reservation = throttle.attempt(BAD_LINKS, ip=client_ip(request))
    if reservation is None:
        return _no_store(too_many_requests(request))
    link = None
    try:
        if request.method == "POST":
            services.portal_link_use(token=token, request=request)
        else:
            link = services.portal_link_check(token)
    except services.PortalLinkProblem as problem:
        return _no_store(
            render(
                request,
                "contracts/sponsor/portal/link_problem.html",
                {"problem": problem.kind},
                status=LINK_PROBLEM_STATUS[problem.kind],
            )
        )
    reservation.refund()
    if link is None:
        return _no_store(redirect("contracts:portal-home"))
    coach = link.contact.coach
    mark_party_page(request, coach_id=coach.pk)
    context = {
        "token": token,
        "practice_name": coach.profile.practice_name or coach.full_name,
        "expires_at": link.expires_at,
    }
    return _no_store(render(request, "contracts/sponsor/portal/enter.html", context))


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    services.portal_sign_out(request)
    messages.info(request, "You have signed out of the sponsor portal.")
    return _no_store(redirect("contracts:portal"))


@portal_page
def home(request: HttpRequest, contact: SponsorContact) -> HttpResponse:
    """The agreements of the contact's organisation with this coach that name them."""
    coach = contact.coach
    context = {
        "contact": contact,
        "practice_name": coach.profile.practice_name or coach.full_name,
        "entries": services.portal_agreements(contact),
        "programmes": programme_for_portal(contact),
    }
    return render(request, "contracts/sponsor/portal/home.html", context)


def _not_shown(request: HttpRequest, what: str, pk: int, contact: SponsorContact) -> HttpResponse:
    logger.warning("Sponsor portal: %s %s is not shown to contact %s", what, pk, contact.pk)
    return render(request, "404.html", status=404)


def _agreement_page(
    request: HttpRequest,
    contact: SponsorContact,
    entry: services.PortalAgreement,
    *,
    form: AskForm | None = None,
    status: int = 200,
) -> HttpResponse:
    signer, version = entry.signer, entry.version
    coach = contact.coach
    context = document_context(
        version.snapshot, reader_for(signer.role), you=reader_column(signer)
    )
    context.update(
        contact=contact,
        entry=entry,
        signer=signer,
        version=version,
        practice_name=coach.profile.practice_name or coach.full_name,
        party=party_view(signer),
        releases=services.released_to(contact, entry.agreement),
        requests=services.requests_of(contact, entry.agreement),
        form=form or AskForm(),
    )
    return render(request, "contracts/sponsor/portal/agreement.html", context, status=status)


@portal_page
def agreement(request: HttpRequest, contact: SponsorContact, pk: int) -> HttpResponse:
    entry = services.portal_agreement(contact, pk)
    if entry is None:
        return _not_shown(request, "agreement", pk, contact)
    return _agreement_page(request, contact, entry)


@require_POST
@portal_page
def ask(request: HttpRequest, contact: SponsorContact, pk: int) -> HttpResponse:
    """Ask for information; the coach answers it from the signed agreement."""
    entry = services.portal_agreement(contact, pk)
    if entry is None:
        return _not_shown(request, "agreement", pk, contact)
    if throttle.attempt(ASKS, key=str(contact.pk), ip=client_ip(request)) is None:
        return too_many_requests(request)
    form = AskForm(request.POST)
    if not form.is_valid():
        return _agreement_page(request, contact, entry, form=form, status=400)
    try:
        request_receive(
            agreement=entry.agreement,
            contact=contact,
            kind=form.information_kind,
            asked=form.cleaned_data["asked"],
            channel=RequestChannel.PORTAL,
            actor=signer_actor(entry.signer),
            request=request,
        )
    except CannotAsk as error:
        form.add_error(None, str(error))
        return _agreement_page(request, contact, entry, form=form, status=409)
    messages.success(
        request,
        "Your request was received. Your coach will answer from the signed agreement.",
    )
    return redirect("contracts:portal-agreement", pk=entry.agreement.pk)


@portal_page
def release_pdf(request: HttpRequest, contact: SponsorContact, pk: int) -> HttpResponseBase:
    """A released report's PDF, for the contact it was released to."""
    release = services.released_pdf(contact, pk)
    if release is None or not release.report_pdf:
        return _not_shown(request, "release", pk, contact)
    signer = signer_for(release.version, contact)
    record_event(
        release.agreement,
        AuditEventKind.DOWNLOADED,
        actor=signer_actor(signer) if signer else f"Sponsor contact {contact.pk}",
        version=release.version,
        signer=signer,
        request=request,
        data={"release": release.pk},
    )
    response = FileResponse(
        release.report_pdf.open("rb"),
        as_attachment=True,
        filename=f"{release.agreement.reference}-release-{release.pk}.pdf",
    )
    response["Cache-Control"] = "no-store"
    return response
