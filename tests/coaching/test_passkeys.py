"""Passkeys: their pages under the strict policy, and nobody else's passkey reachable.
(A passkey made and used by a real browser: tests/e2e/test_account_security.py.)"""

import json
import re

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.staticfiles import finders
from django.test import Client as HttpClient
from django.urls import reverse

from coaching.models import User
from coaching.twofactor import has_two_factor
from tests.conftest import PASSWORD, record_sign_in

pytestmark = pytest.mark.django_db

# Code that runs: a script without a src. Data blocks (type="application/json") never run.
RUNNABLE_INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE
)


def make_passkey(coach: User, name: str = "Phone") -> Authenticator:
    return Authenticator.objects.create(
        user=coach, type=Authenticator.Type.WEBAUTHN, data={"name": name, "credential": {}}
    )


def scripts(html: str) -> list[str]:
    return re.findall(r"<script[^>]*\bsrc=\"([^\"]+)\"", html)


@pytest.mark.parametrize(
    "name", ["mfa_add_webauthn", "mfa_index", "mfa_activate_totp", "usersessions_list"]
)
def test_security_pages_run_only_scripts_from_the_site(
    signed_in: HttpClient, coach: User, name: str
) -> None:
    record_sign_in(signed_in, coach, reauthenticated=True)
    response = signed_in.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert not RUNNABLE_INLINE_SCRIPT.search(html)
    assert not re.search(r"\sstyle\s*=|\son[a-z]+\s*=", html, re.IGNORECASE)
    for src in scripts(html):
        assert src.startswith("/static/")
        assert finders.find(src.removeprefix("/static/")), src


def test_the_add_page_hands_the_browser_what_it_needs_to_make_a_passkey(
    signed_in: HttpClient, coach: User
) -> None:
    record_sign_in(signed_in, coach, reauthenticated=True)
    html = signed_in.get(reverse("mfa_add_webauthn")).content.decode()
    assert "/static/mfa/js/webauthn.js" in scripts(html)
    found = re.search(r'id="js_data" type="application/json">(.*?)</script>', html, re.S)
    assert found is not None
    data = json.loads(found.group(1))
    options = data["creation_options"]["publicKey"]
    assert options["rp"]["name"] == "Tripartite"
    assert options["user"]["name"] == coach.email
    assert 'name="passwordless"' in html and "checked" in html


def test_the_sign_in_page_offers_a_passkey_without_inline_code() -> None:
    html = HttpClient().get(reverse("coaching:login")).content.decode()
    assert 'id="passkey_login"' in html
    assert f'action="{reverse("mfa_login_webauthn")}"' in html
    assert not RUNNABLE_INLINE_SCRIPT.search(html)


@pytest.mark.parametrize(
    "answer",
    [{"id": "forged", "type": "x"}, {"id": "AA", "rawId": "AA", "response": {}}, ["x"], "x"],
)
def test_a_forged_passkey_answer_signs_no_one_in(coach: User, answer: object) -> None:
    make_passkey(coach)
    http = HttpClient()
    response = http.post(reverse("mfa_login_webauthn"), {"credential": json.dumps(answer)})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    assert http.get(reverse("coaching:client-list")).status_code == 302


def test_a_passkey_makes_sign_in_ask_for_it_after_the_password(coach: User) -> None:
    make_passkey(coach)
    assert has_two_factor(coach)
    http = HttpClient()
    response = http.post(
        reverse("coaching:login"), {"username": coach.email, "password": PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    assert http.get(reverse("coaching:client-list")).status_code == 302


@pytest.mark.parametrize("name", ["mfa_edit_webauthn", "mfa_remove_webauthn"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_coachs_passkey_is_a_404(
    coach: User, other_coach: User, name: str, method: str
) -> None:
    passkey = make_passkey(coach)
    http = HttpClient()
    http.force_login(other_coach)
    record_sign_in(http, other_coach, reauthenticated=True)
    response = getattr(http, method)(reverse(name, kwargs={"pk": passkey.pk}), {"name": "x"})
    assert response.status_code == 404
    passkey.refresh_from_db()
    assert passkey.data["name"] == "Phone"


def test_removing_a_passkey_asks_for_a_second_factor_first(
    signed_in: HttpClient, coach: User
) -> None:
    passkey = make_passkey(coach)
    response = signed_in.post(reverse("mfa_remove_webauthn", kwargs={"pk": passkey.pk}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate_webauthn"))
    assert Authenticator.objects.filter(pk=passkey.pk).exists()
