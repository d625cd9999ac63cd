"""Signing pages: the coach sends and signs in the app; client and sponsor sign by link.

Links are checked on every request; a link that expired, was used or was
withdrawn gets a page that says so kindly. GET only shows (and notes the view
as evidence); every change is a POST.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from coaching import throttle
from coaching.http import CoachRequest, client_ip
from contracts import signing
from contracts.audit import verify_trail
from contracts.checks import agreement_problems
from contracts.disclosure import DISCLOSURE_TEXT, DISCLOSURE_TITLE, DISCLOSURE_VERSION
from contracts.links import LinkProblem, find_link
from contracts.models import (
    AgreementStatus,
    AuditEvent,
    LinkPurpose,
    Signer,
    SignerRole,
    SignerStatus,
)
from contracts.perspectives import Party, document_context, statements_to_confirm
from contracts.signing_forms import (
    SIGN_BUTTON,
    CodeForm,
    DeclineForm,
    SendForm,
    SignForm,
    VoidForm,
)
from contracts.snapshot import terms_from_snapshot
from contracts.views import owned_agreement

# Unknown or dead tokens a network address may try per hour before being refused.
BAD_LINKS_PER_IP = 20
CODE_EMAILS_PER_SIGNER = 3  # per 10 minutes
CODE_CHECKS_PER_IP = 30  # per hour


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "contracts/signing/too_many.html", status=429)


def _link_problem(
    request: HttpRequest, problem: LinkProblem | str, signer: Signer | None = None
) -> HttpResponse:
    status = 404 if problem == LinkProblem.UNKNOWN else 410
    return render(
        request,
        "contracts/signing/link_problem.html",
        {"problem": str(problem), "signer": signer},
        status=status,
    )


def _signer_from_link(
    request: HttpRequest, token: str, purpose: LinkPurpose
) -> Signer | HttpResponse:
    """The signer behind a live link, or the page explaining why the link does not work."""
    ip = client_ip(request)
    if not throttle.has_tokens("link-ip", ip, capacity=BAD_LINKS_PER_IP, per_seconds=3600):
        return _too_many(request)
    lookup = find_link(token, purpose)
    if lookup.problem is not None or lookup.link is None:
        throttle.spend_token("link-ip", ip, capacity=BAD_LINKS_PER_IP, per_seconds=3600)
        signer = lookup.link.signer if lookup.link else None
        if signer is not None and purpose == LinkPurpose.SIGN:
            if signer.status == SignerStatus.SIGNED:
                return _link_problem(request, "signed", signer)
            if signer.status == SignerStatus.DECLINED:
                return _link_problem(request, "declined", signer)
            if signer.version.ended_at:
                return _link_problem(request, "withdrawn", signer)
        return _link_problem(request, lookup.problem or LinkProblem.UNKNOWN, signer)
    signer = lookup.link.signer
    agreement = signer.version.agreement
    if purpose == LinkPurpose.SIGN:
        if signer.status == SignerStatus.SIGNED:
            return _link_problem(request, "signed", signer)
        if agreement.status == AgreementStatus.VOIDED or signer.version.ended_at:
            return _link_problem(request, "withdrawn", signer)
    return signer


def _verified_key(signer: Signer) -> str:
    return f"signing-code-verified-{signer.pk}"


def _reader(signer: Signer) -> Party:
    """Whose view a person reads: those kept informed read the sponsor's."""
    return {
        SignerRole.COACH: Party.COACH,
        SignerRole.SPONSOR: Party.SPONSOR,
        SignerRole.OBSERVER: Party.SPONSOR,
    }.get(SignerRole(signer.role), Party.CLIENT)


def _sign_form(signer: Signer, data: Any = None) -> SignForm:
    snapshot = signer.version.snapshot
    reader = _reader(signer)
    organisation = (
        (snapshot.get("sponsor") or {}).get("name", "") if reader == Party.SPONSOR else ""
    )
    return SignForm(
        data,
        limits=terms_from_snapshot(snapshot).limit_items,
        statements=statements_to_confirm(snapshot, reader),
        organisation=organisation,
    )


def _signing_page(
    request: HttpRequest,
    signer: Signer,
    token: str,
    *,
    form: SignForm,
    decline_form: DeclineForm | None = None,
    status: int = 200,
) -> HttpResponse:
    version = signer.version
    context = document_context(version.snapshot, _reader(signer))
    context.update(
        signer=signer,
        version=version,
        token=token,
        form=form,
        decline_form=decline_form or DeclineForm(),
        disclosure_title=DISCLOSURE_TITLE,
        disclosure_text=DISCLOSURE_TEXT,
        disclosure_version=DISCLOSURE_VERSION,
        sign_button=SIGN_BUTTON,
    )
    return render(request, "contracts/signing/sign.html", context, status=status)


def sign(request: HttpRequest, token: str) -> HttpResponse:
    """The signing page of a client or sponsor signatory: read, confirm, sign."""
    found = _signer_from_link(request, token, LinkPurpose.SIGN)
    if isinstance(found, HttpResponse):
        return found
    signer = found
    if signer.status == SignerStatus.DECLINED:
        return _link_problem(request, "declined", signer)
    if signer.status == SignerStatus.WAITING:
        return _link_problem(request, "waiting", signer)
    if signer.version.require_email_code and not request.session.get(_verified_key(signer)):
        return render(
            request,
            "contracts/signing/code.html",
            {"signer": signer, "token": token, "form": CodeForm(), "code_sent": False},
        )
    if request.method != "POST":
        signing.signer_viewed(signer=signer, request=request)
        return _signing_page(request, signer, token, form=_sign_form(signer))
    form = _sign_form(signer, request.POST)
    if not form.is_valid():
        return _signing_page(request, signer, token, form=form, status=400)
    signature = signing.Signature(
        typed_name=form.cleaned_data["typed_name"],
        intent=SIGN_BUTTON,
        limits=form.limit_keys,
        sharing=form.statement_keys,
        authority=bool(form.cleaned_data.get("authority")),
        drawn_png=form.cleaned_data["drawn_signature"],
    )
    try:
        signing.signer_sign(signer=signer, signature=signature, request=request)
    except signing.SigningError as error:
        form.add_error(None, str(error))
        return _signing_page(request, signer, token, form=form, status=409)
    request.session["signed-signer"] = signer.pk
    return redirect("contracts:signed")


def signed(request: HttpRequest) -> HttpResponse:
    """Thanks, after signing (the link itself no longer works once used)."""
    signer_id = request.session.get("signed-signer")
    signer = (
        Signer.objects.select_related("version__agreement").filter(pk=signer_id).first()
        if signer_id
        else None
    )
    if signer is None or signer.status != SignerStatus.SIGNED:
        return _link_problem(request, LinkProblem.UNKNOWN)
    waiting = signer.version.signers.exclude(role=SignerRole.OBSERVER).exclude(
        status=SignerStatus.SIGNED
    )
    return render(
        request, "contracts/signing/signed.html", {"signer": signer, "waiting": list(waiting)}
    )


@require_POST
def decline(request: HttpRequest, token: str) -> HttpResponse:
    found = _signer_from_link(request, token, LinkPurpose.SIGN)
    if isinstance(found, HttpResponse):
        return found
    signer = found
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _signing_page(
            request, signer, token, form=_sign_form(signer), decline_form=form, status=400
        )
    try:
        signing.signer_decline(signer=signer, reason=form.cleaned_data["reason"], request=request)
    except signing.SigningError as error:
        return _link_problem(
            request, "declined" if "decline" in str(error) else "withdrawn", signer
        )
    return render(request, "contracts/signing/declined.html", {"signer": signer})


@require_POST
def send_code(request: HttpRequest, token: str) -> HttpResponse:
    found = _signer_from_link(request, token, LinkPurpose.SIGN)
    if isinstance(found, HttpResponse):
        return found
    signer = found
    context: dict[str, Any] = {
        "signer": signer,
        "token": token,
        "form": CodeForm(),
        "code_sent": True,
    }
    if not throttle.spend_token(
        "code-signer", str(signer.pk), capacity=CODE_EMAILS_PER_SIGNER, per_seconds=600
    ):
        context["error"] = "Several codes were sent just now. Wait ten minutes, then ask again."
        return render(request, "contracts/signing/code.html", context, status=429)
    try:
        signing.signer_request_code(signer=signer, request=request)
    except signing.SigningError:
        return _link_problem(request, "withdrawn", signer)
    return render(request, "contracts/signing/code.html", context)


@require_POST
def verify_code(request: HttpRequest, token: str) -> HttpResponse:
    found = _signer_from_link(request, token, LinkPurpose.SIGN)
    if isinstance(found, HttpResponse):
        return found
    signer = found
    form = CodeForm(request.POST)
    context: dict[str, Any] = {"signer": signer, "token": token, "form": form, "code_sent": True}
    if not throttle.spend_token(
        "code-ip", client_ip(request), capacity=CODE_CHECKS_PER_IP, per_seconds=3600
    ):
        return _too_many(request)
    if not form.is_valid():
        return render(request, "contracts/signing/code.html", context, status=400)
    try:
        problem = signing.signer_verify_code(
            signer=signer, code=form.cleaned_data["code"], request=request
        )
    except signing.SigningError:
        return _link_problem(request, "withdrawn", signer)
    if problem:
        form.add_error("code", problem)
        return render(request, "contracts/signing/code.html", context, status=400)
    request.session[_verified_key(signer)] = True
    return redirect("contracts:sign", token=token)


def copy(request: HttpRequest, token: str) -> HttpResponse:
    """A party's or stakeholder's own copy of the agreement, by link."""
    found = _signer_from_link(request, token, LinkPurpose.VIEW)
    if isinstance(found, HttpResponse):
        return found
    signer = found
    version = signer.version
    signing.signer_viewed(signer=signer, request=request)
    context = document_context(version.snapshot, _reader(signer))
    context.update(
        signer=signer,
        token=token,
        version=version,
        signers=list(version.signers.exclude(role=SignerRole.OBSERVER)),
        agreement_status=version.agreement.get_status_display(),
    )
    return render(request, "contracts/signing/copy.html", context)


# The coach's side


@login_required
def agreement_send(request: CoachRequest, pk: int) -> HttpResponse:
    agreement = owned_agreement(request, pk)
    if agreement.status != AgreementStatus.DRAFT:
        messages.info(request, "This agreement has already been sent.")
        return redirect(agreement)
    problems = [p for p in agreement_problems(agreement) if p.blocks_sending]
    form = SendForm(request.POST if request.method == "POST" else None, instance=agreement)
    if request.method == "POST" and not problems and form.is_valid():
        form.save()
        try:
            version = signing.agreement_send(
                agreement=agreement, coach=request.user, request=request
            )
        except signing.SigningError as error:
            messages.error(request, str(error))
            return redirect(agreement)
        messages.success(
            request,
            f"Version {version.number} is frozen and sent. Each party receives their own link "
            "by email.",
        )
        return redirect(agreement)
    return render(
        request,
        "contracts/signing/send.html",
        {"agreement": agreement, "form": form, "problems": problems},
    )


@login_required
def coach_sign(request: CoachRequest, pk: int) -> HttpResponse:
    agreement = owned_agreement(request, pk)
    version = signing.current_version(agreement)
    signer = (
        version.signers.filter(role=SignerRole.COACH).first()
        if version and agreement.is_out_for_signature
        else None
    )
    if version is None or signer is None or signer.status != SignerStatus.INVITED:
        messages.info(request, "There is nothing for you to sign on this agreement now.")
        return redirect(agreement)
    form = SignForm(request.POST if request.method == "POST" else None, limits=[], statements=[])
    if request.method == "POST" and form.is_valid():
        signature = signing.Signature(
            typed_name=form.cleaned_data["typed_name"],
            intent=SIGN_BUTTON,
            drawn_png=form.cleaned_data["drawn_signature"],
        )
        try:
            signing.signer_sign(signer=signer, signature=signature, request=request)
        except signing.SigningError as error:
            messages.error(request, str(error))
            return redirect(agreement)
        messages.success(request, "You have signed the agreement.")
        return redirect(agreement)
    context = document_context(version.snapshot, Party.COACH)
    context.update(
        agreement=agreement,
        signer=signer,
        version=version,
        form=form,
        disclosure_title=DISCLOSURE_TITLE,
        disclosure_text=DISCLOSURE_TEXT,
        disclosure_version=DISCLOSURE_VERSION,
        sign_button=SIGN_BUTTON,
    )
    return render(request, "contracts/signing/coach_sign.html", context)


@login_required
def agreement_void(request: CoachRequest, pk: int) -> HttpResponse:
    agreement = owned_agreement(request, pk)
    if not agreement.is_out_for_signature:
        messages.info(request, "Only an agreement waiting for signatures can be voided.")
        return redirect(agreement)
    form = VoidForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            signing.agreement_void(
                agreement=agreement,
                coach=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except signing.SigningError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "The agreement is voided. The parties have been told.")
        return redirect(agreement)
    return render(request, "contracts/signing/void.html", {"agreement": agreement, "form": form})


@login_required
@require_POST
def agreement_reopen(request: CoachRequest, pk: int) -> HttpResponse:
    agreement = owned_agreement(request, pk)
    try:
        signing.agreement_reopen(agreement=agreement, coach=request.user, request=request)
    except signing.SigningError as error:
        messages.error(request, str(error))
        return redirect(agreement)
    messages.success(
        request, "The agreement is a draft again. Sending it will create a new version."
    )
    return redirect(agreement)


@login_required
@require_POST
def signer_resend(request: CoachRequest, pk: int, signer: int) -> HttpResponse:
    agreement = owned_agreement(request, pk)
    version = signing.current_version(agreement)
    person = version.signers.filter(pk=signer).first() if version else None
    if person is None:
        messages.error(request, "That person is not a signer of this agreement.")
        return redirect(agreement)
    try:
        signing.signer_resend(signer=person, coach=request.user)
    except signing.SigningError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"A new link is on its way to {person.name}.")
    return redirect(agreement)


@login_required
def agreement_audit(request: CoachRequest, pk: int) -> HttpResponse:
    agreement = owned_agreement(request, pk)
    events = AuditEvent.objects.filter(agreement=agreement).select_related("version", "signer")
    return render(
        request,
        "contracts/signing/audit.html",
        {"agreement": agreement, "events": events, "report": verify_trail(agreement)},
    )
