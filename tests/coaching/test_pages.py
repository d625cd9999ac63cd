"""What every page sends: security headers, no inline script, working static files."""

import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from coaching.models import User
from tests.conftest import make_client, make_contact

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"\sstyle\s*=", re.IGNORECASE)


def pages(coach: User) -> list[str]:
    contact = make_contact(coach=coach)
    client = make_client(coach=coach, organisation=contact.organisation)
    return [
        reverse("coaching:home"),
        reverse("coaching:client-list"),
        reverse("coaching:client-create"),
        reverse("coaching:client-detail", args=[client.pk]),
        reverse("coaching:client-edit", args=[client.pk]),
        reverse("coaching:organisation-list"),
        reverse("coaching:organisation-detail", args=[contact.organisation_id]),
        reverse("coaching:contact-list"),
        reverse("coaching:contact-edit", args=[contact.pk]),
        reverse("coaching:profile"),
        reverse("coaching:membership-create"),
        reverse("coaching:branding"),
        reverse("coaching:password-change"),
    ]


def test_signed_in_pages_carry_a_strict_policy_and_no_inline_code(
    signed_in: HttpClient, coach: User
) -> None:
    for url in pages(coach):
        response = signed_in.get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        html = response.content.decode()
        assert not INLINE_SCRIPT.search(html), url
        assert not INLINE_HANDLER.search(html), url
        assert not INLINE_STYLE.search(html), url
        assert '<main id="main"' in html and 'aria-label="Main"' in html


@pytest.mark.parametrize(
    "name", ["home", "login", "signup", "password-reset", "password-reset-done"]
)
def test_public_pages_render_for_visitors(name: str) -> None:
    response = HttpClient().get(reverse(f"coaching:{name}"))
    assert response.status_code == 200
    assert "Content-Security-Policy" in response


def test_an_unknown_page_is_a_friendly_404(signed_in: HttpClient) -> None:
    response = signed_in.get("/no/such/page/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_the_health_check_answers_ok() -> None:
    response = HttpClient().get(reverse("healthz"))
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_every_page_of_the_practice_is_reachable_from_the_menus(
    coach: User, signed_in: HttpClient
) -> None:
    home = signed_in.get(reverse("coaching:home")).content.decode()
    for name in (
        "contracts:questionnaire-list",
        "contracts:request-inbox",
        "contracts:coaching-log",
    ):
        assert f'href="{reverse(name)}"' in home, name
    client = make_client(coach=coach)
    page = signed_in.get(reverse("coaching:client-detail", args=[client.pk])).content.decode()
    assert f'href="{reverse("contracts:client-disclosures", args=[client.pk])}"' in page
