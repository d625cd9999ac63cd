"""Helpers for tests of the coach's account."""

import re
import time

import pyotp
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse

from coaching.models import User
from tests.conftest import PASSWORD, record_sign_in

CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)")


def emailed_confirmation(to: str) -> str:
    """The path of the newest address-confirmation link emailed to that address."""
    for message in reversed(mail.outbox):
        if to in message.to and (found := CONFIRM_LINK.search(str(message.body))):
            return found.group(1)
    raise AssertionError(f"No confirmation link was emailed to {to}")


def totp_code(secret: str, *, at: float | None = None) -> str:
    """The code an authenticator app shows for that secret (now, or at a given time)."""
    return pyotp.TOTP(secret).at(at if at is not None else time.time())


def enrol_totp(http: HttpClient, coach: User) -> str:
    """Turn on the authenticator app from its page, as the coach does; the secret."""
    record_sign_in(http, coach, reauthenticated=True)
    page = http.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = str(page.context["form"].secret)
    response = http.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302, response.content.decode()
    return secret


def password_step(http: HttpClient, coach: User) -> str:
    """Sign in with the password; where the browser is sent next."""
    response = http.post(
        reverse("coaching:login"), {"username": coach.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    return str(response["Location"])
