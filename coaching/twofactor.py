"""The second factor: authenticator codes behind the one throttle, a code used once,
a fresh factor before private notes and exports, and REQUIRE_TWO_FACTOR.

allauth (allauth.mfa) keeps the authenticators (an authenticator app, passkeys and
recovery codes) and asks for one at sign-in; what is here adds our rules to it. The
passkey forms are in coaching.passkeys.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context
from allauth.core.exceptions import ReauthenticationRequired
from allauth.core.internal.cryptokit import compare_user_code
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from allauth.mfa.utils import decrypt
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from coaching import throttle
from coaching.http import client_ip
from coaching.models import User

THROTTLED = (
    "Too many wrong codes. For your security, wait 15 minutes and try again, or use a "
    "recovery code."
)
USED = "That code was used already. Wait for your app to show the next one."


def has_two_factor(user: AbstractBaseUser) -> bool:
    """True when the account has an authenticator app or a passkey (not only codes)."""
    return bool(
        Authenticator.objects.filter(user_id=user.pk)
        .exclude(type=Authenticator.Type.RECOVERY_CODES)
        .exists()
    )


def totp_code_unused(*, authenticator: Authenticator, code: str) -> bool:
    """Record the time step of a code that was just accepted; False when that step (or a
    later one) was accepted before, so that a code seen over a shoulder or in transit
    cannot be used again while it is still valid. Kept on the authenticator's row, under
    its lock, so every web process sees it."""
    secret = decrypt(authenticator.data["secret"])
    steps = [
        step
        for step in yield_hotp_counters_from_time()
        if compare_user_code(actual=code, expected=format_hotp_value(hotp_value(secret, step)))
    ]
    if not steps:
        return False
    with transaction.atomic():
        row = Authenticator.objects.select_for_update().get(pk=authenticator.pk)
        if int(row.data.get("last_step", -1)) >= steps[-1]:
            return False
        row.data["last_step"] = steps[-1]
        row.save(update_fields=["data"])
    authenticator.data = row.data
    return True


class ThrottledCodeMixin:
    """A token per account and per network address is taken before a code is checked,
    and given back when it was right (coaching.throttle.SECOND_FACTOR)."""

    user: AbstractBaseUser
    authenticator: Authenticator

    def clean_code(self) -> str:
        request = context.request
        reservation = throttle.attempt(
            throttle.SECOND_FACTOR, key=str(self.user.pk), ip=client_ip(request)
        )
        if reservation is None:
            raise forms.ValidationError(THROTTLED, code="throttled")
        code: str = super().clean_code()  # type: ignore[misc]
        if self.authenticator.type == Authenticator.Type.TOTP and not totp_code_unused(
            authenticator=self.authenticator, code=code
        ):
            raise forms.ValidationError(USED, code="used")
        reservation.refund()
        return code


class ThrottledAuthenticateForm(ThrottledCodeMixin, AuthenticateForm):  # type: ignore[misc]
    """The code asked for at sign-in."""


class ThrottledReauthenticateForm(ThrottledCodeMixin, ReauthenticateForm):  # type: ignore[misc]
    """The code asked for again before something sensitive."""


def has_fresh_factor(request: HttpRequest) -> bool:
    """True when the coach proved who they are within ACCOUNT_REAUTHENTICATION_TIMEOUT:
    with their second factor, if they have one (at sign-in or since), else with their
    password or their organisation's sign-on."""
    user = request.user
    if not user.is_authenticated:
        return False
    strong = {"mfa"} if has_two_factor(user) else {"mfa", "password", "socialaccount"}
    moments = [
        float(record["at"])
        for record in get_authentication_records(request, user)
        if record.get("method") in strong
    ]
    timeout: int = settings.ACCOUNT_REAUTHENTICATION_TIMEOUT
    return bool(moments) and time.time() - max(moments) < timeout


def fresh_factor_required[**P, R](view: Callable[P, R]) -> Callable[P, R]:
    """Before private notes, intake answers and a client's exported data: the second
    factor again (the password without one) when it was given more than 15 minutes ago.
    The coach returns to the page once confirmed; a form they sent is sent again then."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        request = args[0]
        assert isinstance(request, HttpRequest)  # noqa: S101  (a view's first argument)
        if not has_fresh_factor(request):
            raise ReauthenticationRequired()
        return view(*args, **kwargs)

    return wrapper


def _exempt_paths() -> tuple[str, ...]:
    return (
        reverse("mfa_index"),
        reverse("coaching:logout"),
        reverse("account_logout"),
        reverse("account_reauthenticate"),
        reverse("account_email_verification_sent"),
        "/accounts/confirm-email/",
        reverse("healthz"),
    )


def require_two_factor(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """With REQUIRE_TWO_FACTOR, a signed-in account without a second factor is taken to
    set one up before anything else (signing out stays possible)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if not settings.REQUIRE_TWO_FACTOR:
            return get_response(request)
        user: Any = getattr(request, "user", None)
        if (
            isinstance(user, User)
            and not request.path.startswith(_exempt_paths())
            and not has_two_factor(user)
        ):
            messages.info(
                request,
                "This site asks every account for a second factor. Add an authenticator "
                "app or a passkey to continue.",
            )
            return redirect("mfa_index")
        return get_response(request)

    return middleware
