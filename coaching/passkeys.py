"""Passkeys' forms: a passkey named by the coach, and a browser's malformed answer
refused like a wrong one.

Only settings.MFA_FORMS names this module, and allauth imports a form from there when a
passkey page uses it: WebAuthn's library (fido2, with cryptography, about 10 MB) stays
out of a web process until then. Nothing else should import it.
"""

from __future__ import annotations

from typing import Any

from allauth.mfa.webauthn.forms import (
    AddWebAuthnForm,
    AuthenticateWebAuthnForm,
    LoginWebAuthnForm,
    ReauthenticateWebAuthnForm,
)
from django import forms

PASSKEY_REFUSED = "That passkey was not accepted. Try again, or use another way to sign in."


MALFORMED = (KeyError, TypeError, ValueError, AttributeError)


class SoundPasskeyMixin:
    """A browser's passkey answer is whatever it sends: one malformed in a way the WebAuthn
    library does not expect is refused like a wrong one, never a server error."""

    def clean_credential(self) -> Any:
        try:
            return super().clean_credential()  # type: ignore[misc]
        except MALFORMED:
            raise forms.ValidationError(PASSKEY_REFUSED, code="incorrect_code") from None


class PasskeyAuthenticateForm(SoundPasskeyMixin, AuthenticateWebAuthnForm):  # type: ignore[misc]
    """A passkey as the second factor, after the password."""


class PasskeyLoginForm(SoundPasskeyMixin, LoginWebAuthnForm):  # type: ignore[misc]
    """A passkey alone, from the sign-in page."""


class PasskeyReauthenticateForm(SoundPasskeyMixin, ReauthenticateWebAuthnForm):  # type: ignore[misc]
    """A passkey again, before something sensitive."""


class AddPasskeyForm(AddWebAuthnForm):  # type: ignore[misc]
    """A passkey, named so the coach can tell their passkeys apart; by default it also
    signs in on its own (with the device's fingerprint, face or PIN). A malformed answer
    from the browser is refused like a wrong one."""

    def clean(self) -> Any:
        try:
            return super().clean()
        except MALFORMED:
            raise forms.ValidationError(PASSKEY_REFUSED, code="incorrect_code") from None

    name = forms.CharField(
        label="Name",
        required=False,
        max_length=100,
        help_text="To tell your passkeys apart, e.g. 'Work laptop' or 'Phone'.",
    )
    passwordless = forms.BooleanField(
        label="Sign in with this passkey alone, without the password",
        required=False,
        initial=True,
        help_text="Your device then asks for your fingerprint, face or PIN each time.",
    )
