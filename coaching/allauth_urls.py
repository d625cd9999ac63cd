"""allauth's pages under accounts/, as its own `allauth.urls` declares them for our
settings, except that the second-factor and passkey views are imported when a request
first reaches one.

Those views import WebAuthn's library (fido2, and with it cryptography: about 10 MB) at
once, and `allauth.urls` imports them all when the URLs load, so every web process would
carry it. tests/coaching/test_allauth_urls.py checks that these patterns stay those of
`allauth.urls`, so an upgrade of allauth that changes them fails there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from allauth.socialaccount import providers
from django.http import HttpRequest, HttpResponseBase
from django.urls import URLPattern, URLResolver, include, path
from django.views.generic.base import RedirectView


@dataclass(frozen=True)
class ImportedOnFirstUse:
    """allauth's view `name` in `module`, imported when a request first reaches it. The
    view keeps its own decorators (sign-in required, CSRF, rate limits): it applies them
    when called."""

    module: str
    name: str

    def view(self) -> Callable[..., HttpResponseBase]:
        view: Callable[..., HttpResponseBase] = getattr(import_module(self.module), self.name)
        return view

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return self.view()(request, *args, **kwargs)


def _mfa(name: str) -> ImportedOnFirstUse:
    return ImportedOnFirstUse("allauth.mfa.base.views", name)


def _passkey(name: str) -> ImportedOnFirstUse:
    return ImportedOnFirstUse("allauth.mfa.webauthn.views", name)


# allauth.mfa.urls with MFA_SUPPORTED_TYPES totp, recovery_codes and webauthn,
# MFA_PASSKEY_LOGIN_ENABLED on, passkey sign-up and MFA_TRUST_ENABLED off.
mfa_patterns: list[URLPattern | URLResolver] = [
    path("", _mfa("index"), name="mfa_index"),
    path("authenticate/", _mfa("authenticate"), name="mfa_authenticate"),
    path("reauthenticate/", _mfa("reauthenticate"), name="mfa_reauthenticate"),
    path("totp/", include("allauth.mfa.totp.urls")),
    path("recovery-codes/", include("allauth.mfa.recovery_codes.urls")),
    path(
        "webauthn/",
        include(
            [
                path("", _passkey("list_webauthn"), name="mfa_list_webauthn"),
                path("add/", _passkey("add_webauthn"), name="mfa_add_webauthn"),
                path(
                    "reauthenticate/",
                    _passkey("reauthenticate_webauthn"),
                    name="mfa_reauthenticate_webauthn",
                ),
                path(
                    "keys/<int:pk>/",
                    include(
                        [
                            path(
                                "remove/", _passkey("remove_webauthn"), name="mfa_remove_webauthn"
                            ),
                            path("edit/", _passkey("edit_webauthn"), name="mfa_edit_webauthn"),
                        ]
                    ),
                ),
                path("login/", _passkey("login_webauthn"), name="mfa_login_webauthn"),
            ]
        ),
    ),
]


def _provider_patterns() -> list[URLPattern | URLResolver]:
    """Each installed sign-on provider's pages (OpenID Connect's, once single sign-on is
    configured), as allauth.urls.build_provider_urlpatterns finds them."""
    patterns: list[URLPattern | URLResolver] = []
    for provider in providers.registry.get_class_list():
        patterns += getattr(import_module(f"{provider.get_package()}.urls"), "urlpatterns", [])
    return patterns


def _moved(pattern_name: str) -> Callable[..., HttpResponseBase]:
    return RedirectView.as_view(pattern_name=pattern_name, permanent=True)


urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("allauth.account.urls")),
    path("2fa/", include(mfa_patterns)),
    path("3rdparty/", include("allauth.socialaccount.urls")),
    # Older addresses of the sign-on pages, which allauth still redirects.
    path("social/login/cancelled/", _moved("socialaccount_login_cancelled")),
    path("social/login/error/", _moved("socialaccount_login_error")),
    path("social/signup/", _moved("socialaccount_signup")),
    path("social/connections/", _moved("socialaccount_connections")),
    *_provider_patterns(),
    path("sessions/", include("allauth.usersessions.urls")),
]
