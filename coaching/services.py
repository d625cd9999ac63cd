"""Workflows about coaches that touch more than one row or send an email."""

import logging
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.adapter import get_adapter as get_sessions_adapter
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.forms import ModelForm
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from coaching import devices, throttle
from coaching.adapters import reencrypt_secret
from coaching.branding import Logo, forget_brand, new_brand_key
from coaching.emails import send_email
from coaching.models import CoachProfile, User, normalise_email

logger = logging.getLogger(__name__)

SIGN_UP_SALT = "coaching.sign-up"
SIGN_UP_LINK_HOURS = 24


@dataclass(frozen=True)
class SignUpDetails:
    """What the first step of sign-up asked for, carried by the emailed link."""

    email: str
    full_name: str
    practice_name: str


class SignUpLinkProblem(Exception):
    """Why a sign-up link does not work: `kind` is unknown, expired or used."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


@transaction.atomic
def coach_sign_up(*, email: str, password: str, full_name: str, practice_name: str = "") -> User:
    """Create a coach's account and practice profile together, its address verified: only
    the owner of the address could follow the emailed link that leads here."""
    coach = User.objects.create_user(email, password, full_name=full_name)
    coach.profile.practice_name = practice_name
    coach.profile.save(update_fields=["practice_name"])
    EmailAddress.objects.create(user=coach, email=coach.email, verified=True, primary=True)
    return coach


@transaction.atomic
def coach_update_profile(
    *, account_form: ModelForm[User], profile_form: ModelForm[CoachProfile]
) -> None:
    """Save the account and the practice profile, both or neither."""
    account_form.save()
    profile = profile_form.save()
    forget_brand(profile.coach_id)  # the practice's name is part of it


@transaction.atomic
def coach_update_brand(
    *, profile: CoachProfile, color: str, logo: Logo | None, remove_logo: bool = False
) -> None:
    """Set the practice's colour and, when given, its new logo (or remove it). A replaced
    logo's file is deleted once the change is committed; the key stays the same."""
    profile = CoachProfile.objects.select_for_update().get(pk=profile.pk)
    replaced = profile.logo.name or ""
    if not profile.brand_key:
        profile.brand_key = new_brand_key()
    profile.brand_color = color
    if logo is not None:
        name = f"brand/logos/{profile.brand_key}-{secrets.token_hex(4)}.{logo.extension}"
        profile.logo.name = default_storage.save(name, ContentFile(logo.content))
        profile.logo_width, profile.logo_height = logo.width, logo.height
    elif remove_logo:
        profile.logo.name = ""
        profile.logo_width = profile.logo_height = None
    profile.save(update_fields=["brand_key", "brand_color", "logo", "logo_width", "logo_height"])
    forget_brand(profile.coach_id)
    if replaced and replaced != profile.logo.name:
        transaction.on_commit(lambda: default_storage.delete(replaced))


def signup_request(*, email: str, full_name: str, practice_name: str = "") -> None:
    """Email the address a link that creates the account, or, when an account already
    uses it, a note saying so with links to sign in and to reset the password.

    The person asking learns nothing from it: only the owner of the address reads the
    answer. At most a few emails an hour go to one address, and the rest quietly none.
    """
    email = normalise_email(email)
    if throttle.attempt(throttle.SIGN_UP_EMAILS, key=email) is None:
        return
    existing = User.objects.filter(email=email).first()
    if existing is not None:
        context: dict[str, Any] = {
            "user": existing,
            "sign_in_link": settings.SITE_URL + reverse("coaching:login"),
            "reset_link": settings.SITE_URL + reverse("coaching:password-reset"),
        }
        send_email("signup-existing", to=existing.email, context=context)
        return
    payload = {"email": email, "full_name": full_name, "practice_name": practice_name}
    token = signing.dumps(payload, salt=SIGN_UP_SALT, compress=True)
    link = (
        settings.SITE_URL + reverse("coaching:signup-finish") + "?" + urlencode({"token": token})
    )
    send_email("signup-link", to=email, context={"link": link, "hours": SIGN_UP_LINK_HOURS})


def signup_details(token: str) -> SignUpDetails:
    """The details an emailed sign-up link carries, while it can still create the account.

    Raises SignUpLinkProblem: "unknown" when the token was not made here or was changed,
    "expired" after SIGN_UP_LINK_HOURS, "used" once an account uses the address.
    """
    try:
        payload = signing.loads(token, salt=SIGN_UP_SALT, max_age=SIGN_UP_LINK_HOURS * 3600)
    except signing.SignatureExpired:
        raise SignUpLinkProblem("expired") from None
    except signing.BadSignature:
        raise SignUpLinkProblem("unknown") from None
    details = SignUpDetails(
        email=str(payload["email"]),
        full_name=str(payload["full_name"]),
        practice_name=str(payload["practice_name"]),
    )
    if User.objects.filter(email=details.email).exists():
        raise SignUpLinkProblem("used")
    return details


def signup_complete(*, details: SignUpDetails, password: str) -> User:
    """Create the account a sign-up link was sent for; SignUpLinkProblem("used") when an
    account got the address first (the same link twice at once, or a second link)."""
    try:
        return coach_sign_up(
            email=details.email,
            password=password,
            full_name=details.full_name,
            practice_name=details.practice_name,
        )
    except IntegrityError:
        raise SignUpLinkProblem("used") from None


def sessions_end(*, user: User, keep_session_key: str | None = None) -> int:
    """Sign the account out everywhere (but the session `keep_session_key`): the sessions
    are deleted, so their cookies lead nowhere. The number ended."""
    sessions = UserSession.objects.filter(user=user)
    if keep_session_key:
        sessions = sessions.exclude(session_key=keep_session_key)
    ended = list(sessions)
    get_sessions_adapter().end_sessions(ended)
    return len(ended)


def sessions_end_one(*, session: UserSession) -> None:
    """Sign out one session of an account: its cookie leads nowhere from now on."""
    get_sessions_adapter().end_sessions([session])


def password_changed(*, request: HttpRequest, user: User, reset: bool) -> None:
    """After a new password: every other session ends (all of them after a reset, which
    signs no one in), and the coach is told by email."""
    keep = None if reset else request.session.session_key
    sessions_end(user=user, keep_session_key=keep)
    if not reset:
        # Django gave this session a new key as the password changed: list it under that.
        devices.session_seen(request, user=user, force=True)
    template = "account/email/password_reset" if reset else "account/email/password_changed"
    get_account_adapter(request).send_notification_mail(template, user)


@transaction.atomic
def two_factor_reset(*, coach: User, operator: User, reason: str) -> int:
    """Remove every second factor of an account (app, passkeys, recovery codes) for a coach
    who lost them all, after the operator checked it is them; every session ends, the
    admin's history of the account records who did it and why, and the coach is told by
    email. The number of second factors removed."""
    removed, _ = Authenticator.objects.filter(user=coach).delete()
    sessions_end(user=coach)
    LogEntry.objects.create(
        user=operator,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(coach.pk),
        object_repr=str(coach)[:200],
        action_flag=CHANGE,
        change_message=f"Two-factor sign-in reset ({removed} removed). Reason: {reason}",
    )
    logger.info("Two-factor sign-in reset for account %s by account %s", coach.pk, operator.pk)
    context = {"user": coach, "when": timezone.now(), "sessions_link": settings.SITE_URL}
    transaction.on_commit(lambda: send_email("two-factor-reset", to=coach.email, context=context))
    return int(removed)


def two_factor_secrets_rotate() -> int:
    """Encrypt every stored authenticator secret (the apps' seeds, the recovery codes'
    seeds) with the newest NOTES_KEY, so that older keys can be removed. The number
    re-encrypted; run it after adding a key, like `rotate_notes_key`."""
    rotated = 0
    secret_fields = {Authenticator.Type.TOTP: "secret", Authenticator.Type.RECOVERY_CODES: "seed"}
    for kind, field in secret_fields.items():
        for pk in Authenticator.objects.filter(type=kind).values_list("pk", flat=True):
            with transaction.atomic():
                row = Authenticator.objects.select_for_update().get(pk=pk)
                row.data[field] = reencrypt_secret(row.data[field])
                row.save(update_fields=["data"])
            rotated += 1
    return rotated
