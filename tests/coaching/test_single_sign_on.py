"""Single sign-on with the practice's OpenID Connect provider, which a fake one stands in
for here: it answers the discovery, token and user-information requests."""

import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from allauth.socialaccount.models import SocialAccount
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django import Settings

from coaching.adapters import SocialAccountAdapter
from coaching.models import User
from tests.conftest import make_coach

pytestmark = pytest.mark.django_db

ISSUER = "https://id.practice.example/realms/coaches"
PROVIDER = "practice-sso"


class FakeResponse:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.status_code = 200
        self.headers = {"content-type": "application/json"}
        self.text = json.dumps(data)
        self.content = self.text.encode()

    def raise_for_status(self) -> None:
        return None

    def json(self) -> dict[str, Any]:
        return self.data


class FakeProvider:
    """What the identity provider answers, and the person it says is signing in."""

    def __init__(self) -> None:
        self.person: dict[str, Any] = {}

    def __enter__(self) -> "FakeProvider":
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def get(self, url: str, **kwargs: Any) -> FakeResponse:
        if url.endswith("/.well-known/openid-configuration"):
            return FakeResponse(
                {
                    "issuer": ISSUER,
                    "authorization_endpoint": f"{ISSUER}/auth",
                    "token_endpoint": f"{ISSUER}/token",
                    "userinfo_endpoint": f"{ISSUER}/userinfo",
                    "jwks_uri": f"{ISSUER}/certs",
                }
            )
        assert url == f"{ISSUER}/userinfo"
        return FakeResponse(self.person)

    def post(self, url: str, **kwargs: Any) -> FakeResponse:
        assert url == f"{ISSUER}/token"
        claims = {
            "iss": ISSUER,
            "aud": "tripartite",
            "sub": self.person["sub"],
            "iat": int(time.time()),
            "exp": int(time.time()) + 300,
        }
        token = jwt.encode(claims, "provider-key-for-tests-0123456789abcdef", algorithm="HS256")
        return FakeResponse({"access_token": "at", "token_type": "Bearer", "id_token": token})

    def request(self, method: str, url: str, **kwargs: Any) -> FakeResponse:
        return self.get(url, **kwargs) if method.upper() == "GET" else self.post(url, **kwargs)


@pytest.fixture
def provider(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeProvider]:
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": PROVIDER,
                    "name": "Practice Keycloak",
                    "client_id": "tripartite",
                    "secret": "client-secret",
                    "settings": {"server_url": ISSUER},
                }
            ],
        }
    }
    fake = FakeProvider()
    monkeypatch.setattr(SocialAccountAdapter, "get_requests_session", lambda self: fake)
    yield fake


def sign_on(http: HttpClient, provider: FakeProvider, **person: Any) -> str:
    """Through the provider and back; where the browser is sent in the end."""
    provider.person = {"sub": "idp-1", "email_verified": True, **person}
    start = http.post(reverse("openid_connect_login", kwargs={"provider_id": PROVIDER}))
    assert start.status_code == 302
    sent_to = urlparse(start["Location"])
    assert f"{sent_to.scheme}://{sent_to.netloc}{sent_to.path}" == f"{ISSUER}/auth"
    state = parse_qs(sent_to.query)["state"][0]
    back = http.get(
        reverse("openid_connect_callback", kwargs={"provider_id": PROVIDER}),
        {"code": "from-the-provider", "state": state},
    )
    return str(back.get("Location", str(back.status_code)))


def test_the_sign_in_page_offers_the_practices_provider(provider: FakeProvider) -> None:
    page = HttpClient().get(reverse("coaching:login")).content.decode()
    assert "Sign in with Practice Keycloak" in page


def test_a_coach_signs_in_through_the_provider_that_vouches_for_their_address(
    provider: FakeProvider,
) -> None:
    coach = make_coach(email="robin.strauss@example.com")
    http = HttpClient()
    assert sign_on(http, provider, email="Robin.Strauss@EXAMPLE.com", name="Robin") == "/"
    assert http.get(reverse("coaching:client-list")).status_code == 200
    assert SocialAccount.objects.get(provider=PROVIDER).user == coach


def test_an_address_the_provider_has_not_verified_opens_no_account(
    provider: FakeProvider,
) -> None:
    make_coach(email="robin@example.com")
    http = HttpClient()
    sign_on(http, provider, email="robin@example.com", email_verified=False)
    assert http.get(reverse("coaching:client-list")).status_code == 302
    assert not SocialAccount.objects.exists()


def test_a_stranger_gets_no_account_unless_the_operator_allows_it(
    provider: FakeProvider, settings: Settings
) -> None:
    http = HttpClient()
    sign_on(http, provider, email="new@example.com", name="Nova New")
    assert http.get(reverse("coaching:client-list")).status_code == 302
    assert not User.objects.filter(email="new@example.com").exists()

    settings.SSO_ALLOW_SIGNUP = True
    http = HttpClient()
    sign_on(http, provider, sub="idp-2", email="new@example.com", name="Nova New")
    assert http.get(reverse("coaching:client-list")).status_code == 200
    nova = User.objects.get(email="new@example.com")
    assert nova.full_name == "Nova New" and nova.profile.time_zone
    assert not nova.has_usable_password()


def test_a_coach_with_a_second_factor_is_asked_for_it_after_the_provider(
    provider: FakeProvider,
) -> None:
    from allauth.mfa.models import Authenticator

    coach = make_coach(email="robin@example.com")
    Authenticator.objects.create(
        user=coach, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    http = HttpClient()
    assert sign_on(http, provider, email="robin@example.com") == reverse("mfa_authenticate")
    assert http.get(reverse("coaching:client-list")).status_code == 302


@pytest.mark.parametrize("name", ["openid_connect_login", "openid_connect_callback"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unknown_provider_is_a_404_never_a_server_error(name: str, method: str) -> None:
    url = reverse(name, kwargs={"provider_id": "nobody"})
    assert getattr(HttpClient(), method)(url, {"code": "x", "state": "y"}).status_code == 404


def test_a_callback_without_a_matching_state_signs_no_one_in(provider: FakeProvider) -> None:
    make_coach(email="robin@example.com")
    http = HttpClient()
    callback = reverse("openid_connect_callback", kwargs={"provider_id": PROVIDER})
    response = http.get(callback, {"code": "stolen", "state": "forged"})
    assert response.status_code < 500
    assert http.get(reverse("coaching:client-list")).status_code == 302
