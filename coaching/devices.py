"""Where a coach is signed in: the browsers they use, and an email on a new one.

A browser is known once the coach has signed in with it: it keeps a signed cookie that
names the accounts signed in from it. A sign-in from a browser without one (another
device, another browser, or one whose cookies were cleared) emails the coach.
"""

from __future__ import annotations

import logging
import re
import time
import zoneinfo
from collections.abc import Callable
from typing import Any

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from coaching.emails import EmailNotSent, send_email
from coaching.http import client_ip

logger = logging.getLogger(__name__)

DEVICE_COOKIE = "tripartite_device"
DEVICE_SALT = "coaching.devices"
DEVICE_COOKIE_DAYS = 400
# The accounts a browser remembers: enough for a shared office computer.
DEVICE_ACCOUNTS = 5
# A session's "last seen" is written at most this often, not on every request.
SEEN_KEY = "devices.seen_at"
SEEN_EVERY_SECONDS = 5 * 60

BROWSERS = (
    ("Edge", re.compile(r"\bEdg(?:e|A|iOS)?/")),
    ("Opera", re.compile(r"\bOPR/")),
    ("Firefox", re.compile(r"\b(?:Firefox|FxiOS)/")),
    ("Chrome", re.compile(r"\b(?:Chrome|CriOS|HeadlessChrome)/")),
    ("Safari", re.compile(r"\bVersion/[\d.]+.*Safari/")),
)
SYSTEMS = (
    ("iPhone", re.compile(r"\biPhone\b")),
    ("iPad", re.compile(r"\biPad\b")),
    ("Android", re.compile(r"\bAndroid\b")),
    ("Windows", re.compile(r"\bWindows\b")),
    ("ChromeOS", re.compile(r"\bCrOS\b")),
    ("macOS", re.compile(r"\bMac OS X\b|\bMacintosh\b")),
    ("Linux", re.compile(r"\bLinux\b")),
)


def describe_device(user_agent: str) -> str:
    """A browser's name as a person knows it ("Firefox on Windows"), from its user agent."""
    browser = next((name for name, pattern in BROWSERS if pattern.search(user_agent)), "")
    system = next((name for name, pattern in SYSTEMS if pattern.search(user_agent)), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "An unrecognised browser"


def _known_accounts(request: HttpRequest) -> list[str]:
    value = request.get_signed_cookie(
        DEVICE_COOKIE, default="", salt=DEVICE_SALT, max_age=DEVICE_COOKIE_DAYS * 86400
    )
    return [part for part in str(value).split(",") if part]


def sign_in_recognise(
    *, request: HttpRequest, response: HttpResponse, user: AbstractBaseUser, signup: bool = False
) -> bool:
    """After a sign-in: True when this browser was known for this account; otherwise the
    coach is told by email (not at sign-up, their first sign-in). Either way the browser
    is remembered from now on."""
    account = str(user.pk)
    known = _known_accounts(request)
    recognised = account in known
    if not recognised and not signup:
        _tell_coach(request=request, user=user)
    accounts = [account, *(other for other in known if other != account)][:DEVICE_ACCOUNTS]
    response.set_signed_cookie(
        DEVICE_COOKIE,
        ",".join(accounts),
        salt=DEVICE_SALT,
        max_age=DEVICE_COOKIE_DAYS * 86400,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return recognised


def _time_zone(user: AbstractBaseUser) -> zoneinfo.ZoneInfo:
    profile = getattr(user, "profile", None)
    return zoneinfo.ZoneInfo(profile.time_zone if profile else settings.TIME_ZONE)


def _tell_coach(*, request: HttpRequest, user: AbstractBaseUser) -> None:
    context = {
        "user": user,
        "device": describe_device(request.META.get("HTTP_USER_AGENT", "")),
        "address": client_ip(request) or "unknown",
        "when": timezone.localtime(timezone=_time_zone(user)),
        "sessions_link": settings.SITE_URL + reverse("usersessions_list"),
        "password_link": settings.SITE_URL + reverse("coaching:password-change"),
    }
    try:
        send_email("new-sign-in", to=str(getattr(user, "email", "")), context=context)
    except EmailNotSent as problem:
        # The sign-in goes ahead: the sessions page still shows it.
        logger.warning("The new sign-in email was not sent: %s", problem)


def session_seen(request: HttpRequest, *, user: Any, force: bool = False) -> None:
    """Keep the signed-in session's row in the sessions list (browser, address, last seen),
    written at most every SEEN_EVERY_SECONDS."""
    session = request.session
    if not session.session_key:
        return
    now = time.time()
    if not force and now - float(session.get(SEEN_KEY, 0)) < SEEN_EVERY_SECONDS:
        return
    UserSession.objects.create_from_request(request, user=user, session=session)
    session[SEEN_KEY] = now


def session_started(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Every sign-in (the coaches' page, the admin's, a passkey or single sign-on) appears in
    the sessions list at once. Connected to Django's user_logged_in."""
    if request is not None and hasattr(request, "session"):
        session_seen(request, user=user, force=True)


def track_sessions(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session_seen(request, user=user)
        return get_response(request)

    return middleware
