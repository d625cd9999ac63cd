"""How django-allauth fits the product: our addresses, our emails, our keys.

allauth calls these adapters (ACCOUNT_ADAPTER, MFA_ADAPTER, SOCIALACCOUNT_ADAPTER) at
each step of its flows; everything here is a hook it documents.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailConfirmation
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from coaching import devices
from coaching.http import client_ip
from coaching.models import CoachProfile, User, normalise_email

if TYPE_CHECKING:
    from cryptography.fernet import MultiFernet

# Prefix of a secret encrypted at rest, so that a stored value says what it is.
ENCRYPTED = "fernet:"


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    def clean_email(self, email: str) -> str:
        return normalise_email(super().clean_email(email))

    def get_client_ip(self, request: HttpRequest) -> str:
        return client_ip(request) or "0.0.0.0"  # noqa: S104  (the address is unknown)

    def get_email_confirmation_url(
        self, request: HttpRequest, emailconfirmation: EmailConfirmation
    ) -> str:
        # Links in emails lead to the site's public address, whichever host sent them.
        path = reverse("account_confirm_email", args=[emailconfirmation.key])
        return settings.SITE_URL + path

    def send_confirmation_mail(
        self, request: HttpRequest, emailconfirmation: EmailConfirmation, signup: bool
    ) -> None:
        """An address that another account uses gets a note saying so, never a link: the
        page answers the same either way, and nothing can take the address over."""
        address = emailconfirmation.email_address
        if User.objects.filter(email=address.email).exclude(pk=address.user_id).exists():
            self.send_account_already_exists_mail(address.email)
            return
        super().send_confirmation_mail(request, emailconfirmation, signup)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
        super().send_mail(template_prefix, email, context)

    def post_login(self, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any) -> Any:
        response = super().post_login(request, user, **kwargs)
        if isinstance(response, HttpResponse):
            devices.sign_in_recognise(
                request=request, response=response, user=user, signup=bool(kwargs.get("signup"))
            )
        return response

    def get_reauthentication_methods(
        self, user: AbstractBaseUser | AnonymousUser
    ) -> list[dict[str, Any]]:
        """A coach with a second factor confirms with it, never with the password alone."""
        methods: list[dict[str, Any]] = super().get_reauthentication_methods(user)
        second_factors = [method for method in methods if method["id"].startswith("mfa_")]
        return second_factors or methods


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    # Imported with the first secret read or written: a web process starts without it.
    from cryptography.fernet import Fernet, MultiFernet

    return MultiFernet([Fernet(key) for key in keys])


def _keys() -> MultiFernet:
    return _fernet(tuple(settings.NOTES_KEYS))


class MFAAdapter(DefaultMFAAdapter):  # type: ignore[misc]
    """Authenticator secrets (the TOTP seed, the recovery codes' seed) are kept encrypted
    with the keys that encrypt private notes (NOTES_KEY), newest first."""

    def encrypt(self, text: str) -> str:
        return ENCRYPTED + _keys().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        from cryptography.fernet import InvalidToken

        if not encrypted_text.startswith(ENCRYPTED):
            return encrypted_text
        try:
            return _keys().decrypt(encrypted_text.removeprefix(ENCRYPTED).encode()).decode()
        except InvalidToken:
            raise RuntimeError(
                "A two-factor secret was encrypted with a key that NOTES_KEY no longer holds."
            ) from None

    def _get_site_name(self) -> str:
        return str(settings.SITE_NAME)

    def get_totp_label(self, user: AbstractBaseUser) -> str:
        return str(getattr(user, "email", "") or user.pk)

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """With REQUIRE_TWO_FACTOR, the last app or passkey stays until another replaces it."""
        if not settings.REQUIRE_TWO_FACTOR:
            return True
        others = (
            Authenticator.objects.filter(user_id=authenticator.user_id)
            .exclude(type=Authenticator.Type.RECOVERY_CODES)
            .exclude(pk=authenticator.pk)
        )
        return bool(authenticator.type == Authenticator.Type.RECOVERY_CODES or others.exists())


def reencrypt_secret(value: str) -> str:
    """The same secret encrypted with the newest key (after a new NOTES_KEY is added)."""
    if not value.startswith(ENCRYPTED):
        return MFAAdapter().encrypt(value)
    return ENCRYPTED + _keys().rotate(value.removeprefix(ENCRYPTED).encode()).decode()


class SocialAccountAdapter(DefaultSocialAccountAdapter):  # type: ignore[misc]
    """Single sign-on: the provider's address is matched in the form ours are stored in;
    new accounts only with SSO_ALLOW_SIGNUP, and then with their practice profile."""

    def authenticate_by_email(self, sociallogin: SocialLogin) -> Any:
        for address in sociallogin.email_addresses:
            address.email = normalise_email(address.email)
        return super().authenticate_by_email(sociallogin)

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return bool(settings.SSO_ALLOW_SIGNUP)

    def populate_user(
        self, request: HttpRequest, sociallogin: SocialLogin, data: dict[str, Any]
    ) -> Any:
        user = super().populate_user(request, sociallogin, data)
        user.email = normalise_email(user.email or "")
        user.full_name = str(data.get("name") or "").strip()[:150] or user.email
        return user

    def save_user(self, request: HttpRequest, sociallogin: SocialLogin, form: Any = None) -> Any:
        user = super().save_user(request, sociallogin, form)
        CoachProfile.objects.get_or_create(coach=user)
        return user
