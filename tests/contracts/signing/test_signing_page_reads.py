"""Opening a signing link is a read: one query, no lock, no write within the minute, with
the page's unchanging part rendered once per version and reader."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest
import time_machine
from django.core.cache import caches
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coaching.models import User
from contracts.links import resolve_link
from contracts.models import LinkPurpose, SignerRole, SignerStatus, SigningLink
from contracts.signing.page import PAGES_CACHE
from tests.coaching.branding_helpers import brand_coach
from tests.contracts.signing_helpers import (
    confirmations,
    link_for,
    send_agreement,
    signer,
    sponsor_email,
)

pytestmark = pytest.mark.django_db

# Opening a link seen within the minute: the link with its signer, version and
# agreement, in one statement. The practice's brand and the page's parts are kept.
SIGNING_PAGE_QUERIES = 1
WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b|\bFOR UPDATE\b", re.IGNORECASE)


def statements(http: HttpClient, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = http.get(path)
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries]


def test_opening_a_link_again_within_the_minute_is_one_query_and_writes_nothing(
    coach: User,
) -> None:
    with time_machine.travel("2026-11-30 09:00Z", tick=False) as clock:
        version = send_agreement(coach)
        path = link_for(version.agreement.client.email)
        first = statements(HttpClient(), path)
        assert any(WRITES.search(sql) for sql in first), "the first opening is counted"
        clock.shift(30)
        again = statements(HttpClient(), path)

    assert len(again) == SIGNING_PAGE_QUERIES, again
    assert not [sql for sql in again if WRITES.search(sql)]


def test_a_branded_practices_signing_page_costs_the_same(coach: User) -> None:
    brand_coach(coach)
    version = send_agreement(coach)
    path = link_for(version.agreement.client.email)
    HttpClient().get(path)

    again = statements(HttpClient(), path)

    assert len(again) == SIGNING_PAGE_QUERIES, again


def test_the_agreement_is_rendered_once_for_each_reader(coach: User) -> None:
    version = send_agreement(coach)
    client_path = link_for(version.agreement.client.email)
    sponsor_path = link_for(sponsor_email(version))

    first = HttpClient().get(client_path)
    again = HttpClient().get(client_path)
    sponsor = HttpClient().get(sponsor_path)

    rendered = "contracts/document.html"
    assert rendered in [template.name for template in first.templates]
    assert rendered not in [template.name for template in again.templates]
    assert rendered in [template.name for template in sponsor.templates], "its own reader"
    assert _without_csrf(again.content) == _without_csrf(first.content)
    assert "asks you to sign on behalf of" in sponsor.content.decode()
    assert "asks you to sign as the client" in again.content.decode()


def _without_csrf(page: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", page)


def test_a_new_brand_shows_on_the_next_page_a_party_opens(coach: User) -> None:
    version = send_agreement(coach)
    path = link_for(version.agreement.client.email)
    assert "practice-logo" not in HttpClient().get(path).content.decode()

    brand_coach(coach)

    assert "practice-logo" in HttpClient().get(path).content.decode()


def test_the_kept_parts_hold_no_token_and_no_one_elses_name(coach: User) -> None:
    version = send_agreement(coach)
    path = link_for(version.agreement.client.email)
    token = path.split("/")[2]

    page = HttpClient().get(path).content.decode()

    cache = caches[PAGES_CACHE]
    kept = [cache.get(key) for key in cache._cache]  # type: ignore[attr-defined]
    assert kept, "the parts are kept"
    assert not [part for part in kept if token in repr(part)]
    assert token in page, "the page itself links with it"


def test_a_failed_decline_leaves_a_signing_form_that_signs(coach: User) -> None:
    version = send_agreement(coach)
    path = link_for(version.agreement.client.email)
    token = path.split("/")[2]
    http = HttpClient()
    ticks = confirmations(http, path)
    decline_url = reverse("contracts:sign-decline", args=[token])

    refused = http.post(decline_url, {"reason": ""})
    assert refused.status_code == 400
    action = re.search(
        r'<form method="post"(?: action="([^"]*)")? novalidate class="signing-form',
        refused.content.decode(),
    )
    assert action is not None
    signed = http.post(urljoin(decline_url, action.group(1) or ""), {**ticks, "typed_name": "Jo"})

    assert signed.status_code == 302
    assert signer(version, SignerRole.CLIENT).status == SignerStatus.SIGNED


def test_the_lean_lookup_reads_what_the_full_one_reads(coach: User) -> None:
    version = send_agreement(coach)
    token = link_for(version.agreement.client.email).split("/")[2]

    lean = resolve_link(token, LinkPurpose.SIGN, lean=True)
    full = resolve_link(token, LinkPurpose.SIGN)

    pairs = [
        (lean, full),
        (lean.signer, full.signer),
        (lean.signer.version, full.signer.version),
        (lean.signer.version.agreement, full.signer.version.agreement),
    ]
    for lean_model, full_model in pairs:
        loaded = lean_model.__dict__.keys() - {"_state"}
        assert loaded, type(lean_model)
        for name in loaded - {"_prefetched_objects_cache"}:
            if name.startswith("_"):
                continue
            assert getattr(lean_model, name) == getattr(full_model, name), name
    assert lean.expires_at.tzinfo is not None, "dates come back as aware datetimes"
    assert lean.signer.version.require_email_code is False


def test_guessed_tokens_do_not_lock_a_real_link_out(coach: User) -> None:
    version = send_agreement(coach)
    path = link_for(version.agreement.client.email)
    http = HttpClient()
    for n in range(21):
        http.get(reverse("contracts:sign", args=[f"guess-{n}"]))
    assert http.get(reverse("contracts:sign", args=["guess-again"])).status_code == 429

    assert http.get(path).status_code == 200
    assert SigningLink.objects.filter(views=1).count() == 1
