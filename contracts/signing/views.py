"""Signing pages: the coach sends and signs in the app; client and sponsor sign by link.

Links are checked on every request; a link that expired, was used or was
withdrawn gets a page that says so kindly. GET only shows (and notes the view
as evidence); every change is a POST.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods, require_POST

from coaching import throttle
from coaching.branding import mark_party_page
from coaching.http import CoachRequest, client_ip
from coaching.pages import render_kept
from coaching.scoping import get_owned_or_404
from contracts import outbox
from contracts.access import (
    SIGNED_SIGNER_KEY,
    CodeStep,
    SignerVisit,
    code_step_context,
    code_step_now,
    code_verified_key,
    link_problem_page,
    owned_agreement,
    signed_copy_open,
    signed_in_this_browser,
    signer_link,
)
from contracts.audit import verify_trail
from contracts.audit_text import audit_entries
from contracts.drafting.checks import agreement_problems, is_ready_to_send
from contracts.drafting.perspectives import Party, document_context, reader_column, reader_for
from contracts.engagement.party import party_view
from contracts.links import (
    CodeStanding,
    LinkProblem,
    UnknownLink,
    code_standing,
)
from contracts.models import (
    Agreement,
    AgreementStatus,
    AuditEvent,
    LinkPurpose,
    OutgoingEmail,
    Programme,
    SignerRole,
    SignerStatus,
)
from contracts.signing import page, services
from contracts.signing.disclosure import DISCLOSURE_TEXT, DISCLOSURE_TITLE, DISCLOSURE_VERSION
from contracts.signing.forms import (
    SIGN_BUTTON,
    CoachSignForm,
    CodeForm,
    DeclineForm,
    SendForm,
    SignForm,
    VoidForm,
    problems,
    sign_statement,
)
from contracts.signing.summary import SigningSummary, signing_summary
from contracts.sponsor.log.services import entries_for_client_page

SIGN_TEMPLATE = "contracts/signing/sign.html"
CODE_EMAILS_PER_SIGNER = 3  # per 10 minutes
type CodeView = Callable[[HttpRequest, str], HttpResponse]
CODE_CHECKS_PER_IP = 30  # per hour
CODE_CHECKS_PER_SIGNER = 10  # per hour, whatever the network: at most 10 guesses of 10**6
CODE_EMAILS = throttle.Door("code-signer", per_seconds=600, per_key=CODE_EMAILS_PER_SIGNER)
CODE_CHECKS = throttle.Door(
    "code-check", per_seconds=3600, per_key=CODE_CHECKS_PER_SIGNER, per_ip=CODE_CHECKS_PER_IP
)


def _signing_page(
    request: HttpRequest,
    visit: SignerVisit,
    *,
    typed: tuple[SigningSummary, SignForm] | None = None,
    decline_form: DeclineForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The signing page: as first seen (from the cache), or around a form sent back."""
    signer = visit.signer
    if typed is None:
        parts, problem_list = page.unticked_parts(signer), []
    else:
        summary, form = typed
        parts, problem_list = page.render_parts(signer, summary, form), problems(form)
    declining = decline_form or DeclineForm()
    context = {
        "signer": signer,
        "version": signer.version,
        "token": visit.token,
        "page": parts,
        "problems": problem_list,
        "decline_form": declining,
        "decline_problems": problems(declining) if declining.is_bound else [],
    }
    first_seen = typed is None and decline_form is None and status == 200
    if first_seen and parts.key and not request.user.is_authenticated:
        key = page.kept_page_key(request, signer, parts)
        return render_kept(request, SIGN_TEMPLATE, context, key=key, holes={"token": visit.token})
    return render(request, SIGN_TEMPLATE, context, status=status)


def _still_standing(summary: SigningSummary) -> dict[str, object] | None:
    """What the signer confirmed on the version they signed before and that is unchanged."""
    if summary.earlier is None:
        return None
    return {
        "version": summary.earlier.number,
        "limits": [
            item["key"] for item in summary.limits if item["key"] not in summary.earlier.limits
        ],
        "recipients": [
            str(table.recipient)
            for table in summary.tables
            if table.recipient not in summary.earlier.recipients
        ],
    }


@signer_link(LinkPurpose.SIGN, to_sign=True, lean=True)
def sign(request: HttpRequest, visit: SignerVisit) -> HttpResponse:
    """The signing page of a client or sponsor signatory: understand, confirm, sign."""
    signer = visit.signer
    if request.method != "POST":
        services.signer_viewed(link=visit.link, request=request)
        return _signing_page(request, visit)
    summary = signing_summary(signer)
    form = page.sign_form(summary, request.POST)
    if not form.is_valid():
        return _signing_page(request, visit, typed=(summary, form), status=400)
    organisation = page.organisation(signer)
    signature = services.Signature(
        typed_name=form.cleaned_data["typed_name"],
        intent=SIGN_BUTTON,
        limits=form.limit_keys,
        sharing=form.confirmed_sharing(),
        authority=bool(organisation),
        # Only what this request carries: a drawing cleared on the page is not sent.
        drawn_png=form.cleaned_data["drawn_signature"],
        statement=sign_statement(organisation=organisation),
        earlier=_still_standing(summary),
    )
    try:
        services.signer_sign(signer=signer, signature=signature, request=request)
    except services.SigningError as error:
        form.add_error(None, str(error))
        return _signing_page(request, visit, typed=(summary, form), status=409)
    request.session[SIGNED_SIGNER_KEY] = signer.pk
    return redirect("contracts:signed")


def signed(request: HttpRequest) -> HttpResponse:
    """Thanks, after signing (the link itself no longer works once used), with the
    agreement as signed so far to download in this browser for a day."""
    signer = signed_in_this_browser(request)
    if signer is None:
        return link_problem_page(request, UnknownLink())
    mark_party_page(request, coach_id=signer.version.agreement.coach_id)
    version = signer.version
    waiting = version.signers.exclude(role=SignerRole.OBSERVER).exclude(status=SignerStatus.SIGNED)
    context = {
        "signer": signer,
        "version": version,
        "waiting": list(waiting),
        "copy_open": signed_copy_open(signer),
        "declined_by": version.declined_by if version.ended_at else None,
    }
    response = render(request, "contracts/signing/signed.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@signer_link(LinkPurpose.SIGN)
def decline(request: HttpRequest, visit: SignerVisit) -> HttpResponse:
    signer = visit.signer
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _signing_page(request, visit, decline_form=form, status=400)
    services.signer_decline(signer=signer, reason=form.cleaned_data["reason"], request=request)
    return render(request, "contracts/signing/declined.html", {"signer": signer})


def _code_step(
    request: HttpRequest,
    visit: SignerVisit,
    step: CodeStep,
    *,
    form: CodeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The code page at one step, with its one message. The box to type the code in shows
    while a code is live and may be tried."""
    signer = visit.signer
    context = code_step_context(signer, LinkPurpose(visit.link.purpose), visit.token, step)
    live = code_standing(signer) == CodeStanding.LIVE
    if step in {CodeStep.SENT, CodeStep.RESENT, CodeStep.WRONG} or (
        step == CodeStep.SENDING_PAUSED and live
    ):
        context["form"] = form or CodeForm()
    return render(request, "contracts/signing/code.html", context, status=status)


def _send_code(request: HttpRequest, visit: SignerVisit) -> HttpResponse:
    """Email the holder of a link a code, at most a few times in ten minutes. A code sent
    before stops working: the page says so."""
    if throttle.attempt(CODE_EMAILS, key=str(visit.signer.pk)) is None:
        return _code_step(request, visit, CodeStep.SENDING_PAUSED, status=429)
    again = code_step_now(visit.signer) != CodeStep.ASK
    services.signer_request_code(signer=visit.signer, request=request)
    visit.signer.refresh_from_db()
    return _code_step(request, visit, CodeStep.RESENT if again else CodeStep.SENT)


# Why a typed code was refused, when it cannot be tried again: the step that says so.
REFUSED_STEPS = {
    CodeStanding.NONE: CodeStep.ASK,
    CodeStanding.EXPIRED: CodeStep.EXPIRED,
    CodeStanding.SPENT: CodeStep.SPENT,
}


def _verify_code(request: HttpRequest, visit: SignerVisit, then: str) -> HttpResponse:
    """Check the code typed; once right, this browser may use the link (`then`)."""
    form = CodeForm(request.POST)
    reservation = throttle.attempt(CODE_CHECKS, key=str(visit.signer.pk), ip=client_ip(request))
    if reservation is None:
        return _code_step(request, visit, CodeStep.CHECKING_PAUSED, status=429)
    if not form.is_valid():
        # Beside the box if a code is there to be typed; else where the step stands.
        step = code_step_now(visit.signer)
        step = CodeStep.WRONG if step == CodeStep.SENT else step
        return _code_step(request, visit, step, form=form, status=400)
    refused = services.signer_verify_code(
        signer=visit.signer, code=form.cleaned_data["code"], request=request
    )
    if refused is not None:
        visit.signer.refresh_from_db()
        if refused.standing != CodeStanding.LIVE:
            return _code_step(request, visit, REFUSED_STEPS[refused.standing], status=400)
        form.add_error("code", refused.message)
        return _code_step(request, visit, CodeStep.WRONG, form=form, status=400)
    reservation.refund()
    request.session[code_verified_key(visit.signer)] = True
    return redirect(then, token=visit.token)


def _code_page(request: HttpRequest, visit: SignerVisit, then: str) -> HttpResponse:
    """Coming back to the code step (a reload, the back button, a bookmarked address): the
    page as it stands, or on to the link's page once the code was entered here. Sends
    nothing."""
    if request.session.get(code_verified_key(visit.signer)):
        return redirect(then, token=visit.token)
    return _code_step(request, visit, code_step_now(visit.signer))


def _code_views(purpose: LinkPurpose, then: str) -> tuple[CodeView, CodeView]:
    """The two code pages of one kind of link: ask for a code, and enter it. Both answer a
    GET with the code page as it stands, so a revisit never meets "method not allowed"."""

    @require_http_methods(["GET", "POST"])
    @signer_link(purpose, code=False)
    def ask(request: HttpRequest, visit: SignerVisit) -> HttpResponse:
        if request.method == "GET":
            return _code_page(request, visit, then)
        return _send_code(request, visit)

    @require_http_methods(["GET", "POST"])
    @signer_link(purpose, code=False)
    def enter(request: HttpRequest, visit: SignerVisit) -> HttpResponse:
        if request.method == "GET":
            return _code_page(request, visit, then)
        return _verify_code(request, visit, then=then)

    return ask, enter


send_code, verify_code = _code_views(LinkPurpose.SIGN, "contracts:sign")
copy_send_code, copy_verify_code = _code_views(LinkPurpose.VIEW, "contracts:copy")
review_send_code, review_verify_code = _code_views(LinkPurpose.CONFIRM, "contracts:review-confirm")
intake_send_code, intake_verify_code = _code_views(LinkPurpose.INTAKE, "contracts:intake")
decide_send_code, decide_verify_code = _code_views(LinkPurpose.DECIDE, "contracts:decide")


@signer_link(LinkPurpose.VIEW)
def copy(request: HttpRequest, visit: SignerVisit) -> HttpResponse:
    """A party's or stakeholder's own copy of the agreement, by link."""
    signer = visit.signer
    version = signer.version
    services.signer_viewed(link=visit.link, request=request)
    context = document_context(
        version.snapshot, reader_for(signer.role), you=reader_column(signer)
    )
    context.update(
        signer=signer,
        token=visit.token,
        version=version,
        signers=list(version.signers.exclude(role=SignerRole.OBSERVER)),
        newer=version.agreement.versions.filter(number__gt=version.number).exists(),
        declined_by=version.declined_by if version.ended_at and not version.completed_at else None,
        party=party_view(signer),
        log_consent_url=_log_consent_url(visit.token),
        disclosures=entries_for_client_page(signer),
    )
    return render(request, "contracts/signing/copy.html", context)


def _log_consent_url(token: str) -> str | None:
    """Where the client gives or withdraws consent to be named in the coaching log, once
    that page exists."""
    try:
        return reverse("contracts:copy-log-consent", args=[token])
    except NoReverseMatch:
        return None


CURRENT_LINKS = throttle.Door("current-link", per_seconds=3600, per_key=3)


@signer_link(LinkPurpose.VIEW)
@require_POST
def copy_current(request: HttpRequest, visit: SignerVisit) -> HttpResponse:
    """From the copy of an earlier version: email me my link to the newest one."""
    if throttle.attempt(CURRENT_LINKS, key=str(visit.signer.pk)) is None:
        messages.info(request, "A link was sent just now. Please check your email.")
    elif services.current_version_link(signer=visit.signer):
        messages.success(
            request, "A link to the current version is on its way to your email address."
        )
    else:
        messages.info(
            request,
            "There is no current version for you to open yet: the coach sends each party "
            "a link when there is.",
        )
    return redirect("contracts:copy", token=visit.token)


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
        # Only the two choices: a whole-row save from a second, simultaneous send would
        # put back the status this request loaded (a draft) and send it twice.
        form.save(commit=False).save(
            update_fields=["signing_order", "require_email_code", "updated_at"]
        )
        try:
            version = services.agreement_send(
                agreement=agreement,
                coach=request.user,
                request=request,
                message=form.cleaned_data["invitation_message"],
            )
        except services.SigningError as error:
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
@require_POST
def programme_send_all(request: CoachRequest, pk: int) -> HttpResponse:
    """Send every draft of a programme that is ready to send; the others stay drafts.
    Each is sent on its own (a draft sent meanwhile is simply not sent twice)."""
    programme = get_owned_or_404(Programme, request.user, pk=pk)
    sent, not_ready = 0, 0
    for agreement in programme.agreements.filter(status=AgreementStatus.DRAFT).order_by("number"):
        if not is_ready_to_send(agreement):
            not_ready += 1
            continue
        try:
            services.agreement_send(agreement=agreement, coach=request.user, request=request)
        except services.SigningError:
            continue
        sent += 1
    text = f"{sent} agreement{'s' if sent != 1 else ''} sent for signature."
    if not_ready:
        text += (
            f" {not_ready} draft{'s' if not_ready != 1 else ''} still "
            f"{'have' if not_ready != 1 else 'has'} open items on the checklist."
        )
    messages.success(request, text)
    return redirect("contracts:programme-detail", pk=programme.pk)


@login_required
def coach_sign(request: CoachRequest, pk: int) -> HttpResponse:
    agreement = owned_agreement(request, pk)
    version = agreement.current_version()
    signer = (
        version.signers.filter(role=SignerRole.COACH).first()
        if version and agreement.is_out_for_signature
        else None
    )
    if version is None or signer is None or signer.status != SignerStatus.INVITED:
        messages.info(request, "There is nothing for you to sign on this agreement now.")
        return redirect(agreement)
    form = CoachSignForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        signature = services.Signature(
            typed_name=form.cleaned_data["typed_name"],
            intent=SIGN_BUTTON,
            drawn_png=form.cleaned_data["drawn_signature"],
        )
        try:
            services.signer_sign(signer=signer, signature=signature, request=request)
        except (services.SigningError, LinkProblem) as error:
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
        problems=problems(form) if form.is_bound else [],
        disclosure_title=DISCLOSURE_TITLE,
        disclosure_text=DISCLOSURE_TEXT,
        disclosure_version=DISCLOSURE_VERSION,
        sign_button=SIGN_BUTTON,
    )
    return render(
        request,
        "contracts/signing/coach_sign.html",
        context,
        status=400 if form.is_bound else 200,
    )


@login_required
def agreement_void(request: CoachRequest, pk: int) -> HttpResponse:
    agreement = owned_agreement(request, pk)
    if not agreement.is_out_for_signature:
        messages.info(request, "Only an agreement waiting for signatures can be voided.")
        return redirect(agreement)
    form = VoidForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_void(
                agreement=agreement,
                coach=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except services.SigningError as error:
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
        services.agreement_reopen(agreement=agreement, coach=request.user, request=request)
    except services.SigningError as error:
        messages.error(request, str(error))
        return redirect(agreement)
    messages.success(
        request, "The agreement is a draft again. Sending it will create a new version."
    )
    return redirect(agreement)


@login_required
@require_POST
def decline_dealt_with(request: CoachRequest, pk: int) -> HttpResponse:
    """The coach has dealt with a decline: it leaves "needs attention" on the home page."""
    agreement = owned_agreement(request, pk)
    if services.signer_decline_dealt_with(agreement=agreement):
        messages.success(request, "Marked as dealt with: it no longer needs your attention.")
    else:
        messages.info(request, "This agreement has no decline waiting for you.")
    return redirect("coaching:home")


@login_required
@require_POST
def signer_resend(request: CoachRequest, pk: int, signer: int) -> HttpResponse:
    agreement = owned_agreement(request, pk)
    version = agreement.current_version()
    person = version.signers.filter(pk=signer).first() if version else None
    if person is None:
        messages.error(request, "That person is not a signer of this agreement.")
        return redirect(agreement)
    try:
        services.signer_resend(signer=person, coach=request.user)
    except (services.SigningError, LinkProblem) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"A new link is on its way to {person.name}.")
    return redirect(agreement)


def _failed_email(request: CoachRequest, pk: int, email: int) -> tuple[Agreement, OutgoingEmail]:
    agreement = owned_agreement(request, pk)
    found = OutgoingEmail.objects.filter(agreement=agreement, pk=email).first()
    if found is None:
        raise Http404("No such email.")
    return agreement, found


@login_required
@require_POST
def email_resend(request: CoachRequest, pk: int, email: int) -> HttpResponse:
    agreement, failed = _failed_email(request, pk, email)
    try:
        outbox.email_resend(email=failed, coach=request.user)
    except outbox.NotResendable as error:
        messages.info(request, str(error))
    else:
        messages.success(request, f"The email to {failed.signer.name} is on its way again.")
    return redirect(agreement)


@login_required
@require_POST
def email_dismiss(request: CoachRequest, pk: int, email: int) -> HttpResponse:
    agreement, failed = _failed_email(request, pk, email)
    outbox.email_dismiss(email=failed)
    messages.success(request, "Marked as dealt with: it no longer needs your attention.")
    return redirect(agreement)


@login_required
def agreement_audit(request: CoachRequest, pk: int) -> HttpResponse:
    agreement = owned_agreement(request, pk)
    events = AuditEvent.objects.filter(agreement=agreement).select_related("version", "signer")
    return render(
        request,
        "contracts/signing/audit.html",
        {
            "agreement": agreement,
            "entries": audit_entries(events),
            "report": verify_trail(agreement),
        },
    )
