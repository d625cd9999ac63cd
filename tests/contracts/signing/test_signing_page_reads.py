"""Opening a signing link is a read: one query, no lock, no write within the minute, with
the page's unchanging part rendered once per version and reader."""

from __future__ import annotations

import pickle
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
from contracts.signing.page import PAGES_CACHE, SigningParts
from tests.coaching.branding_helpers import brand_coach
from tests.conftest import leave_message
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


def kept_entries() -> list[object]:
    """Everything the pages' cache of this process holds, as stored."""
    stored = caches[PAGES_CACHE]._cache  # type: ignore[attr-defined]
    return [pickle.loads(value) for value in stored.values()]  # noqa: S301 - our own cache


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

    kept = kept_entries()
    assert any(isinstance(entry, SigningParts) for entry in kept), "the parts are kept"
    assert not [entry for entry in kept if token in repr(entry)]
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


CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def test_each_visitor_of_a_page_kept_whole_signs_with_their_own_csrf_token(coach: User) -> None:
    version = send_agreement(coach)
    path = link_for(version.agreement.client.email)
    first, second = HttpClient(enforce_csrf_checks=True), HttpClient(enforce_csrf_checks=True)
    first_page = first.get(path).content.decode()
    ticks = confirmations(second, path)
    second_page = second.get(path).content.decode()

    first_tokens, second_tokens = CSRF_FIELD.findall(first_page), CSRF_FIELD.findall(second_page)
    assert len(second_tokens) == 2, "the signing form and the decline form"
    refused = second.post(
        path, {**ticks, "typed_name": "Jo", "csrfmiddlewaretoken": first_tokens[0]}
    )
    assert refused.status_code == 403, "another visitor's token is not this one's"
    signed = second.post(
        path, {**ticks, "typed_name": "Jo", "csrfmiddlewaretoken": second_tokens[0]}
    )
    assert signed.status_code == 302
    assert signer(version, SignerRole.CLIENT).status == SignerStatus.SIGNED


def test_the_page_kept_whole_holds_neither_the_link_nor_the_csrf_token(coach: User) -> None:
    version = send_agreement(coach)
    path = link_for(version.agreement.client.email)
    token = path.split("/")[2]
    http = HttpClient()

    page = http.get(path).content.decode()

    csrf_secret = http.cookies["csrftoken"].value
    kept = [repr(entry) for entry in kept_entries()]
    assert any("signing-form" in entry for entry in kept), "the whole page is kept"
    for secret in (token, csrf_secret, *CSRF_FIELD.findall(page)):
        assert not [entry for entry in kept if secret in entry]
    assert page.count(token) == 3, "the signing, PDF and decline addresses"


def test_a_coach_opening_a_link_never_leaves_their_menu_on_a_visitors_page(
    coach: User, signed_in: HttpClient
) -> None:
    version = send_agreement(coach)
    path = link_for(version.agreement.client.email)
    sign_out = reverse("coaching:logout")

    before = HttpClient().get(path).content.decode()
    as_coach = signed_in.get(path).content.decode()
    after = HttpClient().get(path).content.decode()

    assert sign_out in as_coach
    assert sign_out not in before
    assert sign_out not in after
    assert reverse("usersessions_list") not in after


def test_a_message_waiting_for_a_visitor_is_shown_on_a_page_kept_whole(coach: User) -> None:
    version = send_agreement(coach)
    path = link_for(version.agreement.client.email)
    HttpClient().get(path)  # the page is kept
    http = HttpClient()
    leave_message(http, "A code is on its way.")

    page = http.get(path).content.decode()

    assert "A code is on its way." in page
    assert "A code is on its way." not in HttpClient().get(path).content.decode()
