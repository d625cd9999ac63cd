"""Signing in to the sponsor portal with an emailed one-time link."""

from __future__ import annotations

import hashlib
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection, connections
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from coaching.models import User
from contracts.models import PortalLink
from contracts.sponsor.portal.services import portal_url
from tests.conftest import make_coach, make_contact
from tests.contracts.conftest import Inbox
from tests.contracts.sponsor.portal.helpers import (
    PORTAL_LINK,
    in_force_with_manager,
    portal_browser,
    portal_path,
)

pytestmark = pytest.mark.django_db
SIGN_IN = reverse("contracts:portal")
HOME = reverse("contracts:portal-home")
ANSWER = "If this address belongs to a sponsor contact, a link is on its way"


def test_it_emails_a_one_time_link_through_the_mail_server(coach: User, smtp_inbox: Inbox) -> None:
    contact = make_contact(coach=coach, email="harper@sponsor.example")

    response = HttpClient().post(SIGN_IN, {"email": "Harper@Sponsor.example"})

    assert ANSWER in response.content.decode()
    (message,) = smtp_inbox.wait_for(1)
    assert message["To"] == contact.email
    assert "sponsor portal" in message["Subject"]
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    found = PORTAL_LINK.search(body.get_content())
    assert found is not None
    token = found.group(1).split("/")[3]
    assert len(token) >= 43, "256 random bits"
    link = PortalLink.objects.get()
    assert link.contact == contact
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert link.expires_at == pytest.approx(
        link.created_at + timedelta(minutes=settings.PORTAL_LINK_MINUTES), abs=timedelta(seconds=2)
    )


def test_an_unknown_address_gets_the_same_answer_and_no_email(coach: User) -> None:
    make_contact(coach=coach, email="harper@sponsor.example")

    known = HttpClient().post(SIGN_IN, {"email": "harper@sponsor.example"})
    unknown = HttpClient().post(SIGN_IN, {"email": "nobody@sponsor.example"})

    assert known.status_code == unknown.status_code == 200
    assert known.content == unknown.content
    assert [message.to for message in mail.outbox] == [["harper@sponsor.example"]]
    assert known["Cache-Control"] == "no-store"


def test_a_contact_of_two_coaches_gets_one_link_for_each(coach: User, other_coach: User) -> None:
    make_contact(coach=coach, email="sam@sponsor.example")
    make_contact(coach=other_coach, email="sam@sponsor.example")

    HttpClient().post(SIGN_IN, {"email": "sam@sponsor.example"})

    assert len(mail.outbox) == 2
    assert PortalLink.objects.count() == 2
    subjects = sorted(message.subject for message in mail.outbox)
    assert subjects[0] != subjects[1], "each link names its practice"


def test_an_archived_contact_gets_no_link(coach: User) -> None:
    contact = make_contact(coach=coach)
    contact.archive()

    HttpClient().post(SIGN_IN, {"email": contact.email})

    assert mail.outbox == []


def test_the_link_shows_a_button_and_signs_in_once(coach: User) -> None:
    contact = make_contact(coach=coach)
    HttpClient().post(SIGN_IN, {"email": contact.email})
    path = portal_path(contact.email)
    browser = HttpClient()

    shown = browser.get(path)
    assert shown.status_code == 200
    assert "Sign in</button>" in shown.content.decode()
    assert PortalLink.objects.get().used_at is None, "opening the link changes nothing"
    before = browser.session.session_key

    entered = browser.post(path)

    assert entered.status_code == 302
    assert entered["Location"] == HOME
    assert browser.cookies["sessionid"].value != before, "a new session key"
    assert PortalLink.objects.get().used_at is not None
    assert browser.get(HOME).status_code == 200

    again = HttpClient().post(path)
    assert again.status_code == 410
    assert "This link was already used: ask for a new one" in again.content.decode()
    assert again["Cache-Control"] == "no-store"


def test_an_expired_or_unknown_link_says_so(coach: User) -> None:
    contact = make_contact(coach=coach)
    HttpClient().post(SIGN_IN, {"email": contact.email})
    path = portal_path(contact.email)

    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        expired = HttpClient().post(path)
    unknown = HttpClient().get(reverse("contracts:portal-enter", args=["x" * 43]))

    assert expired.status_code == 410
    assert "This link has expired" in expired.content.decode()
    assert PortalLink.objects.get().used_at is None
    assert unknown.status_code == 404
    assert "We do not recognise this link" in unknown.content.decode()


def test_the_visit_ends_after_its_hours_and_on_signing_out(coach: User) -> None:
    contact = make_contact(coach=coach)
    browser = portal_browser(contact)
    assert browser.get(HOME).status_code == 200

    with time_machine.travel(timezone.now() + timedelta(hours=settings.PORTAL_SESSION_HOURS)):
        assert browser.get(HOME)["Location"] == SIGN_IN

    second = portal_browser(contact)
    second.post(reverse("contracts:portal-sign-out"))
    assert second.get(HOME)["Location"] == SIGN_IN


def test_portal_pages_without_a_visit_send_to_sign_in(coach: User) -> None:
    sponsored = in_force_with_manager(coach)
    signed_in_coach = HttpClient()
    signed_in_coach.force_login(coach)
    for browser in (HttpClient(), signed_in_coach):
        for path in (
            HOME,
            reverse("contracts:portal-agreement", args=[sponsored.agreement.pk]),
        ):
            response = browser.get(path)
            assert response.status_code == 302
            assert response["Location"] == SIGN_IN
            assert response["Cache-Control"] == "no-store"


def test_link_requests_are_limited_per_address_and_per_network(coach: User) -> None:
    contact = make_contact(coach=coach)
    for number in range(5):
        HttpClient(REMOTE_ADDR=f"192.0.2.{number}").post(SIGN_IN, {"email": contact.email})
    assert len(mail.outbox) == 3, "at most three links an hour to one address"

    statuses = [
        HttpClient(REMOTE_ADDR="198.51.100.7")
        .post(SIGN_IN, {"email": f"n{n}@example.com"})
        .status_code
        for n in range(21)
    ]
    assert statuses == [200] * 20 + [429]


def test_unknown_links_are_limited_per_network(coach: User) -> None:
    browser = HttpClient(REMOTE_ADDR="203.0.113.9")
    statuses = [
        browser.get(reverse("contracts:portal-enter", args=[f"guess-{n:040d}"])).status_code
        for n in range(21)
    ]
    assert statuses == [404] * 20 + [429]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_clicks_at_once_sign_in_once() -> None:
    contact = make_contact(coach=make_coach())
    HttpClient().post(SIGN_IN, {"email": contact.email})
    path = portal_path(contact.email)
    browsers = [HttpClient() for _ in range(4)]
    start = threading.Barrier(4, timeout=30)

    def enter(number: int) -> int:
        try:
            start.wait()
            return browsers[number].post(path).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = sorted(pool.map(enter, range(4)))

    assert statuses == [302, 410, 410, 410]
    signed_in = [browser.get(HOME).status_code for browser in browsers]
    assert sorted(signed_in) == [200, 302, 302, 302]


def test_the_portal_address_for_emails_is_the_sign_in_page() -> None:
    response = HttpClient().get(portal_url().removeprefix(settings.SITE_URL))

    assert portal_url().endswith("/portal/")
    assert response.status_code == 200
    assert "Email me a sign-in link" in response.content.decode()
    assert response["Cache-Control"] == "no-store"
