"""Requests and releases: the coach answers from the signed matrix and releases; the
client decides by emailed link; the recipient reads what was released by theirs."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from coaching.http import CoachRequest
from contracts.access import SignerVisit, owned_agreement, signer_link
from contracts.models import (
    Agreement,
    ClientDecisionKind,
    InformationRequest,
    LinkPurpose,
    Release,
    ReleaseKind,
    ReleaseStatus,
    SignerRole,
)
from contracts.sponsor.asking import CannotAsk
from contracts.sponsor.requests import services
from contracts.sponsor.requests.forms import (
    DecisionForm,
    DeclineForm,
    ReleaseTextForm,
    ReportForm,
    RequestEntryForm,
)
from contracts.terms import RECIPIENT_PHRASES, Recipient, SharingLevel

STALE = (
    "This text was saved from another tab since you opened this page. What you typed is "
    "shown below, not saved: check it, then save again."
)


def _request_of(agreement: Agreement, pk: int) -> InformationRequest:
    found = (
        InformationRequest.objects.select_related("contact", "version", "agreement__coach")
        .filter(agreement=agreement, pk=pk)
        .first()
    )
    if found is None:
        raise Http404("No such request on this agreement.")
    return found


def _release_of(agreement: Agreement, pk: int) -> Release:
    found = (
        Release.objects.select_related("contact", "version", "request", "agreement__coach")
        .filter(agreement=agreement, pk=pk)
        .first()
    )
    if found is None:
        raise Http404("No such release on this agreement.")
    return found


# The coach's side


@login_required
def request_inbox(request: CoachRequest) -> HttpResponse:
    """Every request to the coach's agreements, those waiting for them first."""
    return render(
        request,
        "contracts/sponsor/requests/inbox.html",
        {
            "waiting": services.needs_attention(request.user),
            "requests": services.coach_requests(request.user)[:200],
        },
    )


@login_required
def agreement_requests(request: CoachRequest, pk: int) -> HttpResponse:
    """The agreement's requests and releases; entering a request received another way."""
    agreement = owned_agreement(request, pk)
    contacts = services.named_contacts(agreement)
    form = RequestEntryForm(request.POST if request.method == "POST" else None, contacts=contacts)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.request_enter(
                agreement=agreement,
                coach=request.user,
                contact=form.cleaned_data["contact"],
                kind=form.cleaned_data["kind"],
                asked=form.cleaned_data["asked"],
                request=request,
            )
        except CannotAsk as error:
            messages.error(request, str(error))
            return redirect("contracts:agreement-requests", pk=agreement.pk)
        return redirect("contracts:agreement-request", pk=agreement.pk, request_id=made.pk)
    return render(
        request,
        "contracts/sponsor/requests/agreement_requests.html",
        {
            "agreement": agreement,
            "requests": agreement.requests.select_related("contact"),
            "releases": agreement.releases.select_related("contact"),
            "contacts": contacts,
            "form": form,
        },
        status=400 if form.is_bound else 200,
    )


@login_required
def agreement_request(request: CoachRequest, pk: int, request_id: int) -> HttpResponse:
    """One request, and the answer the signed matrix gives before anything leaves."""
    agreement = owned_agreement(request, pk)
    found = _request_of(agreement, request_id)
    title, body = services.release_draft(found)
    open_release = found.releases.filter(status__in=services.OPEN_RELEASE).first()
    context: dict[str, Any] = {
        "agreement": agreement,
        "item": found,
        "clause": services.clause_for(found),
        "is_open": found.status in services.OPEN_REQUEST,
        "never": found.level == SharingLevel.NEVER,
        "open_release": open_release,
        "releases": found.releases.all(),
        "recipient_phrase": RECIPIENT_PHRASES[Recipient(found.recipient)],
        "decline_form": DeclineForm(initial={"answer": services.decline_draft(found)}),
        "text_form": ReleaseTextForm(initial={"title": title, "body": body, "revision": 1}),
    }
    response = render(request, "contracts/sponsor/requests/request.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def agreement_request_decline(request: CoachRequest, pk: int, request_id: int) -> HttpResponse:
    agreement = owned_agreement(request, pk)
    found = _request_of(agreement, request_id)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.request_decline(
                information_request=found,
                coach=request.user,
                answer=form.cleaned_data["answer"],
                request=request,
            )
        except services.ReleaseError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Declined: {found.contact.name} is sent your answer.")
    else:
        messages.error(request, "Write the answer the requester will receive.")
    return redirect("contracts:agreement-request", pk=agreement.pk, request_id=found.pk)


@login_required
@require_POST
def agreement_request_prepare(request: CoachRequest, pk: int, request_id: int) -> HttpResponse:
    agreement = owned_agreement(request, pk)
    found = _request_of(agreement, request_id)
    form = ReleaseTextForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the text a title and write it.")
        return redirect("contracts:agreement-request", pk=agreement.pk, request_id=found.pk)
    try:
        release = services.release_prepare(
            agreement=agreement,
            coach=request.user,
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
            information_request=found,
            request=request,
        )
    except services.ReleaseError as error:
        messages.error(request, str(error))
        return redirect("contracts:agreement-request", pk=agreement.pk, request_id=found.pk)
    return redirect("contracts:agreement-release", pk=agreement.pk, release_id=release.pk)


@login_required
def agreement_report_new(request: CoachRequest, pk: int) -> HttpResponse:
    """A progress or end-of-engagement report, to a contact the agreement names."""
    agreement = owned_agreement(request, pk)
    contacts = services.named_contacts(agreement)
    form = ReportForm(request.POST if request.method == "POST" else None, contacts=contacts)
    if request.method == "POST" and form.is_valid():
        try:
            release = services.release_prepare(
                agreement=agreement,
                coach=request.user,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                contact=form.cleaned_data["contact"],
                kind=ReleaseKind(form.cleaned_data["kind"]),
                request=request,
            )
        except services.ReleaseError as error:
            form.add_error("contact", str(error))
        else:
            return redirect("contracts:agreement-release", pk=agreement.pk, release_id=release.pk)
    return render(
        request,
        "contracts/sponsor/requests/report_new.html",
        {"agreement": agreement, "form": form, "contacts": contacts},
        status=400 if form.is_bound else 200,
    )


@login_required
def agreement_release(request: CoachRequest, pk: int, release_id: int) -> HttpResponse:
    """One text to release: edit it, send it to the client, release it or withdraw it."""
    agreement = owned_agreement(request, pk)
    release = _release_of(agreement, release_id)
    status = 200
    if request.method == "POST":
        form = ReleaseTextForm(request.POST)
        if form.is_valid():
            try:
                services.release_edit(
                    release=release,
                    coach=request.user,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    revision=form.cleaned_data["revision"],
                )
            except services.StaleRelease as stale:
                data = request.POST.copy()
                data["revision"] = str(stale.revision)
                form = ReleaseTextForm(data)
                form.is_valid()
                form.add_error(None, STALE)
                status = 409
            except services.ReleaseError as error:
                messages.error(request, str(error))
                return redirect(
                    "contracts:agreement-release", pk=agreement.pk, release_id=release.pk
                )
            else:
                messages.success(request, "The text is saved.")
                return redirect(
                    "contracts:agreement-release", pk=agreement.pk, release_id=release.pk
                )
        else:
            status = 400
    else:
        form = ReleaseTextForm(
            initial={"title": release.title, "body": release.body, "revision": release.revision}
        )
    response = render(
        request,
        "contracts/sponsor/requests/release.html",
        {
            "agreement": agreement,
            "release": release,
            "form": form,
            "editable": release.status in services.EDITABLE,
            "asks_client": release.level in services.ASKS_CLIENT,
            "consent": release.level == SharingLevel.CONSENT,
            "can_release": (
                release.level == SharingLevel.ROUTINE and release.status == ReleaseStatus.DRAFT
            )
            or release.status == ReleaseStatus.APPROVED,
            "can_withdraw": release.status in [*services.OPEN_RELEASE, ReleaseStatus.REFUSED],
            "decisions": release.decisions.select_related("signer"),
            "recipient_phrase": RECIPIENT_PHRASES[Recipient(release.recipient)],
        },
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


def _release_action(request: CoachRequest, pk: int, release_id: int, action: str) -> HttpResponse:
    agreement = owned_agreement(request, pk)
    release = _release_of(agreement, release_id)
    try:
        if action == "to-client":
            services.release_to_client(release=release, coach=request.user, request=request)
            messages.success(request, "Sent to the client: nothing leaves until they decide.")
        elif action == "release":
            services.release_send(release=release, coach=request.user, request=request)
            messages.success(
                request, f"Released: {release.contact.name} is emailed a link to read it."
            )
        else:
            services.release_withdraw(release=release, coach=request.user)
            messages.success(request, "Withdrawn: nothing was released.")
    except services.ReleaseError as error:
        messages.error(request, str(error))
    return redirect("contracts:agreement-release", pk=agreement.pk, release_id=release.pk)


@login_required
@require_POST
def agreement_release_to_client(request: CoachRequest, pk: int, release_id: int) -> HttpResponse:
    return _release_action(request, pk, release_id, "to-client")


@login_required
@require_POST
def agreement_release_send(request: CoachRequest, pk: int, release_id: int) -> HttpResponse:
    return _release_action(request, pk, release_id, "release")


@login_required
@require_POST
def agreement_release_withdraw(request: CoachRequest, pk: int, release_id: int) -> HttpResponse:
    return _release_action(request, pk, release_id, "withdraw")


# The client's side, by emailed link


@signer_link(LinkPurpose.DECIDE)
def decide(request: HttpRequest, visit: SignerVisit) -> HttpResponse:
    """The client reads exactly what would go to whom, and decides."""
    signer = visit.signer
    if signer.role != SignerRole.CLIENT:
        raise Http404("Only the client decides.")
    errors: dict[int, DecisionForm] = {}
    status, decided = 200, None
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if form.is_valid():
            release = Release.objects.filter(
                pk=form.cleaned_data["release"], agreement_id=signer.version.agreement_id
            ).first()
            try:
                if release is None:
                    raise services.DecisionClosed()
                services.client_decide(
                    release=release,
                    signer=signer,
                    decision=ClientDecisionKind(form.cleaned_data["decision"]),
                    text_sha256=form.cleaned_data["text_sha256"],
                    comment=form.cleaned_data["comment"],
                    request=request,
                )
            except (services.DecisionClosed, services.ReleaseError):
                messages.error(
                    request,
                    "That text is no longer waiting for you: it was changed or withdrawn. "
                    "What is waiting now is shown below.",
                )
                return redirect("contracts:decide", token=visit.token)
            decided = form.cleaned_data["decision"]
        else:
            errors[form.cleaned_data.get("release") or 0] = form
            status = 400
    waiting = services.waiting_for_client(signer)
    items = [
        {
            "release": release,
            "sha": services.text_hash(release.title, release.body),
            "to_phrase": RECIPIENT_PHRASES[Recipient(release.recipient)],
            "consent": release.level == SharingLevel.CONSENT,
            "form": errors.get(release.pk),
        }
        for release in waiting
    ]
    return render(
        request,
        "contracts/sponsor/requests/decide.html",
        {
            "signer": signer,
            "token": visit.token,
            "items": items,
            "decided": decided,
            "expires_at": visit.link.expires_at,
        },
        status=status,
    )


def _released_for(visit: SignerVisit, release_id: int) -> Release:
    signer = visit.signer
    if signer.contact_id is None:
        raise Http404("Nothing was released to you.")
    found = services.released_to(signer).filter(pk=release_id).first()
    if found is None:
        raise Http404("Nothing was released to you under this number.")
    return found


def release_copy(request: HttpRequest, token: str, release_id: int) -> HttpResponse:
    """What was released to a sponsor contact, read through their link."""

    @signer_link(LinkPurpose.VIEW)
    def page(request: HttpRequest, visit: SignerVisit) -> HttpResponse:
        release = _released_for(visit, release_id)
        return render(
            request,
            "contracts/sponsor/requests/release_copy.html",
            {"release": release, "token": visit.token, "signer": visit.signer},
        )

    return page(request, token)


def release_copy_pdf(
    request: HttpRequest, token: str, release_id: int
) -> FileResponse | HttpResponse:
    """A released report's sealed PDF, to its recipient only."""

    @signer_link(LinkPurpose.VIEW)
    def pdf(request: HttpRequest, visit: SignerVisit) -> FileResponse:
        release = _released_for(visit, release_id)
        if not release.report_pdf:
            raise Http404("This release has no PDF.")
        response = FileResponse(
            release.report_pdf.open("rb"),
            content_type="application/pdf",
            filename=f"report-{release.pk}.pdf",
        )
        return response

    return pdf(request, token)
