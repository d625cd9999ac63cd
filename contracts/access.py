"""Who may reach what: the coach's own agreements, and a party's emailed link.

Every view that names an agreement in its URL takes it through `owned_agreement()`;
every view reached by an emailed link is wrapped in `@signer_link(...)`, which turns
the token into the signer's live link or shows the page for its `LinkProblem`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from coaching import throttle
from coaching.branding import mark_party_page
from coaching.http import CoachRequest, client_ip
from coaching.scoping import get_owned_or_404
from contracts.links import (
    AlreadyDeclined,
    AlreadySigned,
    CodeRequired,
    CodeStanding,
    DeclinedByAnother,
    ExpiredLink,
    LinkProblem,
    NotYourTurn,
    UnknownLink,
    UsedLink,
    Withdrawn,
    code_standing,
    resolve_link,
)
from contracts.models import (
    Agreement,
    AgreementStatus,
    EmailKind,
    LinkPurpose,
    OutgoingEmail,
    Signer,
    SignerStatus,
    SigningLink,
)

# Unknown or dead tokens a network address may try per hour before being refused.
BAD_LINKS_PER_IP = 20
BAD_LINK_SECONDS = 3600
BAD_LINKS = throttle.Door("link-ip", per_seconds=BAD_LINK_SECONDS, per_ip=BAD_LINKS_PER_IP)

# The page for each reason a link does not work, and its HTTP status.
LINK_PAGES: dict[type[LinkProblem], tuple[str, int]] = {
    UnknownLink: ("contracts/links/unknown.html", 404),
    ExpiredLink: ("contracts/links/expired.html", 410),
    UsedLink: ("contracts/links/used.html", 410),
    AlreadySigned: ("contracts/links/signed.html", 410),
    AlreadyDeclined: ("contracts/links/declined.html", 410),
    Withdrawn: ("contracts/links/withdrawn.html", 410),
    DeclinedByAnother: ("contracts/links/declined_by_another.html", 410),
    NotYourTurn: ("contracts/links/waiting.html", 410),
    CodeRequired: ("contracts/signing/code.html", 200),
}
# Problems that say the token itself is bad, as a guesser's would be.
BAD_TOKENS = (UnknownLink, ExpiredLink, UsedLink)
# Where a link's holder asks for the emailed code, and enters it.
CODE_ROUTES = {
    LinkPurpose.SIGN: ("contracts:sign-code", "contracts:sign-verify"),
    LinkPurpose.VIEW: ("contracts:copy-code", "contracts:copy-verify"),
    LinkPurpose.CONFIRM: ("contracts:review-code", "contracts:review-verify"),
    LinkPurpose.INTAKE: ("contracts:intake-code", "contracts:intake-verify"),
    LinkPurpose.DECIDE: ("contracts:decide-code", "contracts:decide-verify"),
}


# The browser in which a client or sponsor has just signed keeps their signer in its
# session: for the thank-you page and, for a day, the agreement as signed so far.
SIGNED_SIGNER_KEY = "signed-signer"
SIGNED_COPY_WINDOW = timedelta(hours=24)


def signed_in_this_browser(request: HttpRequest) -> Signer | None:
    """The signer who signed in this browser, if they did and their signature stands."""
    signer_id = request.session.get(SIGNED_SIGNER_KEY)
    if not isinstance(signer_id, int):
        return None
    return (
        Signer.objects.select_related("version__agreement__coach")
        .filter(pk=signer_id, status=SignerStatus.SIGNED)
        .first()
    )


def signed_copy_open(signer: Signer) -> bool:
    """Whether the thank-you page still offers the agreement as signed so far."""
    return signer.signed_at is not None and (
        signer.signed_at > timezone.now() - SIGNED_COPY_WINDOW
    )


class AgreementDisposed(Http404):
    """The agreement's records were disposed of: only its records page remains (a 404
    wherever nothing shows it otherwise; contracts.records.middleware redirects there)."""

    def __init__(self, agreement: Agreement) -> None:
        super().__init__("The records of this agreement were disposed of.")
        self.agreement = agreement


def owned_agreement(request: CoachRequest, pk: int, *, disposed: bool = False) -> Agreement:
    """The signed-in coach's agreement named in the URL, with its parties; else 404.

    A disposed agreement is only for the pages that show what is left of it (`disposed`).
    """
    agreement = get_owned_or_404(Agreement.objects.with_parties(), request.user, pk=pk)
    if agreement.status == AgreementStatus.DISPOSED and not disposed:
        raise AgreementDisposed(agreement)
    return agreement


@dataclass(frozen=True)
class SignerVisit:
    """A request made through a live emailed link."""

    token: str
    link: SigningLink

    @property
    def signer(self) -> Signer:
        return self.link.signer


def code_verified_key(signer: Signer) -> str:
    """The session key that remembers a signer entered the emailed code."""
    return f"signing-code-verified-{signer.pk}"


def code_page_context(purpose: LinkPurpose, token: str) -> dict[str, str]:
    """The addresses the code page posts to, for a link of this purpose."""
    ask, enter = CODE_ROUTES[purpose]
    return {"code_url": reverse(ask, args=[token]), "verify_url": reverse(enter, args=[token])}


class CodeStep(StrEnum):
    """What the code page says: one message at a time."""

    ASK = "ask"  # no code yet
    SENT = "sent"
    RESENT = "resent"
    EXPIRED = "expired"
    SPENT = "spent"  # entered wrongly too many times
    WRONG = "wrong"  # wrong, with tries left: the message is beside the box
    SENDING_PAUSED = "sending_paused"  # several codes asked for just now
    CHECKING_PAUSED = "checking_paused"  # too many tries in the hour


def code_messages() -> dict[CodeStep, str]:
    """The one message of each step (a wrong code's is the form's error beside the box)."""
    minutes = settings.SIGNING_CODE_MINUTES
    return {
        CodeStep.ASK: f"Press the button and we will email you a code. It works for {minutes} "
        "minutes.",
        CodeStep.SENT: "We have emailed a code to the address this link was sent to. It works "
        f"for {minutes} minutes.",
        CodeStep.RESENT: "A new code is on its way; the earlier one no longer works.",
        CodeStep.EXPIRED: f"That code has expired: codes work for {minutes} minutes. Ask for a "
        "new one.",
        CodeStep.SPENT: "That code was entered wrongly too many times. Ask for a new code.",
        CodeStep.SENDING_PAUSED: "Several codes were sent just now. Use the latest one, or wait "
        "ten minutes before asking again.",
        CodeStep.CHECKING_PAUSED: "Too many codes were tried in the last hour. Wait an hour, "
        "then try again.",
    }


def code_step_now(signer: Signer) -> CodeStep:
    """Where the code step stands for this signer when they come back to it."""
    standing = code_standing(signer)
    if standing == CodeStanding.LIVE:
        return CodeStep.SENT
    if standing == CodeStanding.EXPIRED:
        return CodeStep.EXPIRED
    if standing == CodeStanding.SPENT:
        return CodeStep.SPENT
    on_its_way = OutgoingEmail.objects.pending().filter(signer=signer, kind=EmailKind.CODE)
    return CodeStep.SENT if on_its_way.exists() else CodeStep.ASK


def code_step_context(
    signer: Signer, purpose: LinkPurpose, token: str, step: CodeStep
) -> dict[str, object]:
    """The code page's context but its form: the step, its message, and which buttons."""
    return {
        "signer": signer,
        "token": token,
        "step": str(step),
        "message": code_messages().get(step, ""),
        "warning": step
        in {CodeStep.EXPIRED, CodeStep.SPENT, CodeStep.SENDING_PAUSED, CodeStep.CHECKING_PAUSED},
        # A new code is offered unless codes are paused; "new" once one was sent.
        "can_ask": step not in {CodeStep.SENDING_PAUSED, CodeStep.CHECKING_PAUSED},
        "had_code": step != CodeStep.ASK,
        **code_page_context(purpose, token),
    }


def link_problem_page(
    request: HttpRequest,
    problem: LinkProblem,
    *,
    token: str = "",
    purpose: LinkPurpose = LinkPurpose.SIGN,
) -> HttpResponse:
    template, status = LINK_PAGES[type(problem)]
    context: dict[str, object] = {"signer": problem.signer, "token": token}
    if isinstance(problem, CodeRequired) and problem.signer is not None:
        step = code_step_now(problem.signer)
        context.update(code_step_context(problem.signer, purpose, token, step))
    return render(request, template, context, status=status)


def too_many_requests(request: HttpRequest) -> HttpResponse:
    return render(request, "contracts/links/too_many.html", status=429)


def require_code(request: HttpRequest, signer: Signer) -> None:
    """The one guard of the emailed code: when the agreement asks for one, a link shows
    and does nothing until its holder has entered the code in this browser."""
    if signer.version.require_email_code and not request.session.get(code_verified_key(signer)):
        raise CodeRequired(signer)


type LinkView[R: HttpResponseBase] = Callable[[HttpRequest, SignerVisit], R]


def signer_link[R: HttpResponseBase](
    purpose: LinkPurpose, *, to_sign: bool = False, code: bool = True, lean: bool = False
) -> Callable[[LinkView[R]], Callable[[HttpRequest, str], R | HttpResponse]]:
    """A view reached by an emailed link: called with the visit, or a page saying why not.

    The emailed code is required (`require_code`) unless the view is where the code is
    asked for and entered (`code=False`). With `to_sign`, it must also be the signer's
    turn. With `lean`, the link is read with only what the signing page needs.
    A LinkProblem raised by the view itself, when the signer's state changed under
    it, is shown the same way. No browser or proxy may keep what a link answers.

    A live link costs no write here. An unknown, expired or used token takes one of its
    network's tries (BAD_LINKS) once it is found wanting. Tries sent at the same instant
    are each looked up, which gains a guesser nothing against tokens of 256 random bits.
    """

    def decorate(view: LinkView[R]) -> Callable[[HttpRequest, str], R | HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, token: str) -> R | HttpResponse:
            response: R | HttpResponse
            try:
                link = resolve_link(token, purpose, lean=lean)
                mark_party_page(request, coach_id=link.signer.version.agreement.coach_id)
                if code:
                    require_code(request, link.signer)
                if to_sign and link.signer.status == SignerStatus.WAITING:
                    raise NotYourTurn(link.signer)
                response = view(request, SignerVisit(token=token, link=link))
            except BAD_TOKENS as problem:
                # Each unknown or dead token uses up one of the network's tries; a live
                # link writes nothing here, so its page is a read.
                if throttle.attempt(BAD_LINKS, ip=client_ip(request)) is None:
                    response = too_many_requests(request)
                else:
                    response = link_problem_page(request, problem, token=token, purpose=purpose)
            except LinkProblem as problem:
                if problem.signer is not None:
                    mark_party_page(request, coach_id=problem.signer.version.agreement.coach_id)
                response = link_problem_page(request, problem, token=token, purpose=purpose)
            response["Cache-Control"] = "no-store"
            return response

        return wrapped

    return decorate
