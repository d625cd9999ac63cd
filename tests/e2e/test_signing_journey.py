import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from coaching.models import User
from contracts.models import Agreement, SigningLink
from contracts.signing import services as signing
from tests.conftest import make_agreement
from tests.contracts.signing_helpers import link_for
from tests.e2e.conftest import draw_signature, sign_in

pytestmark = pytest.mark.e2e


def send_from_the_app(page: Page, base: str, agreement: Agreement) -> None:
    page.goto(f"{base}/agreements/{agreement.pk}/")
    page.get_by_role("link", name="Send for signature").click()
    page.get_by_role("button", name="Freeze and send").click()
    expect(page.get_by_text("Version 1 is frozen and sent.")).to_be_visible()


def sign_page(page: Page, url: str, *, name: str, draw: bool = False) -> Page:
    """As a signer without an account: confirm everything and sign."""
    page.goto(url)
    boxes = page.locator("form.signing-form input[type=checkbox]")
    expect(boxes.first).to_be_visible()
    count = boxes.count()
    assert count > 0, "every signing page asks the signer to confirm the limits"
    for index in range(count):
        boxes.nth(index).check()
    page.get_by_label("Type your full name to sign").fill(name)
    if draw:
        draw_signature(page)
        expect(page.locator("input[name=drawn_signature]")).to_have_value(
            re.compile(r"^data:image/png;base64,")
        )
    page.get_by_role("button", name="Sign the agreement").click()
    return page


def test_coach_sends_client_and_sponsor_sign_by_link_coach_signs_and_all_see_signed(
    live_server: LiveServer, page: Page, new_visitor: Callable[[], Page], coach: User
) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    sign_in(page, live_server.url, coach)
    send_from_the_app(page, live_server.url, agreement)

    client = sign_page(
        new_visitor(),
        live_server.url + link_for(agreement.client.email),
        name="Jamie Client",
        draw=True,
    )
    expect(client.get_by_role("heading", name="Thank you, Jamie Client")).to_be_visible()

    assert agreement.sponsor_signatory is not None
    sponsor = sign_page(
        new_visitor(),
        live_server.url + link_for(agreement.sponsor_signatory.email),
        name="Harper HR",
    )
    expect(sponsor.get_by_text("Still to sign: coach.")).to_be_visible()

    page.reload()
    page.get_by_role("link", name="Sign as coach").first.click()
    page.get_by_label("I agree to receive and sign this agreement electronically.").check()
    page.get_by_label("Type your full name to sign").fill(coach.full_name)
    page.get_by_role("button", name="Sign the agreement").click()
    expect(page.get_by_text("Signed by everyone")).to_be_visible()

    for email in [agreement.client.email, agreement.sponsor_signatory.email]:
        copy = new_visitor()
        copy.goto(live_server.url + link_for(email, "copy"))
        expect(
            copy.get_by_role("heading", name="Your copy of the coaching agreement")
        ).to_be_visible()
        signatures = copy.get_by_role("region", name="Signatures", exact=True)
        for role, name in [("Client", agreement.client.name), ("Coach", coach.full_name)]:
            expect(signatures).to_contain_text(f"{role}: {name} — signed")


def test_a_missing_confirmation_is_explained_and_a_reused_link_refused(
    live_server: LiveServer, page: Page, new_visitor: Callable[[], Page], coach: User
) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    sign_in(page, live_server.url, coach)
    send_from_the_app(page, live_server.url, agreement)
    url = live_server.url + link_for(agreement.client.email)

    signer = new_visitor()
    signer.goto(url)
    signer.get_by_label("Type your full name to sign").fill("Jamie Client")
    signer.get_by_role("button", name="Sign the agreement").click()
    expect(signer.get_by_text("Nothing was signed yet.")).to_be_visible()
    expect(
        signer.locator(".invalid-feedback").get_by_text(
            "Confirm that you understand this limit: Risk of serious harm."
        )
    ).to_be_visible()
    expect(signer.get_by_label("Type your full name to sign")).to_have_value("Jamie Client")

    sign_page(new_visitor(), url, name="Jamie Client")
    again = new_visitor()
    again.goto(url)
    expect(again.get_by_role("heading", name="You have already signed")).to_be_visible()


def test_an_expired_link_says_so(
    live_server: LiveServer, new_visitor: Callable[[], Page], coach: User
) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    signing.agreement_send(agreement=agreement, coach=coach)
    SigningLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    page = new_visitor()
    page.goto(live_server.url + link_for(agreement.client.email))
    expect(page.get_by_role("heading", name="This link has expired")).to_be_visible()


def test_a_wrong_code_is_refused_with_the_tries_left(
    live_server: LiveServer, new_visitor: Callable[[], Page], coach: User
) -> None:
    agreement = make_agreement(coach=coach, complete=True, require_email_code=True)
    signing.agreement_send(agreement=agreement, coach=coach)
    page = new_visitor()
    page.goto(live_server.url + link_for(agreement.client.email))
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    page.get_by_role("button", name="Email me a code").click()
    code = re.search(r"\b(\d{6})\b", str(mail.outbox[-1].body))
    assert code is not None
    wrong = "000000" if code.group(1) != "000000" else "111111"
    page.get_by_label("6-digit code").fill(wrong)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("That code is wrong. You have 4 tries left.")).to_be_visible()
    page.get_by_label("6-digit code").fill(code.group(1))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="The agreement in brief")).to_be_visible()


def test_declining_with_a_reason(
    live_server: LiveServer, new_visitor: Callable[[], Page], coach: User
) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    signing.agreement_send(agreement=agreement, coach=coach)
    page = new_visitor()
    page.goto(live_server.url + link_for(agreement.client.email))
    page.get_by_text("I do not want to sign this agreement").click()
    page.get_by_label("Why are you declining?").fill("The goals are not mine.")
    page.get_by_role("button", name="Decline to sign").click()
    expect(page.get_by_role("heading", name="You declined to sign")).to_be_visible()
    agreement.refresh_from_db()
    assert agreement.status == "declined"


def test_a_voided_agreement_tells_the_signer_nothing_is_needed(
    live_server: LiveServer, page: Page, new_visitor: Callable[[], Page], coach: User
) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    sign_in(page, live_server.url, coach)
    send_from_the_app(page, live_server.url, agreement)
    url = live_server.url + link_for(agreement.client.email)
    page.get_by_role("link", name="Void this agreement").click()
    page.get_by_label("Why are you voiding this agreement?").fill("Wrong dates.")
    page.get_by_role("button", name="Void the agreement").click()
    expect(page.get_by_text("The agreement is voided.")).to_be_visible()

    signer = new_visitor()
    signer.goto(url)
    expect(
        signer.get_by_role(
            "heading", name="This agreement is no longer waiting for your signature"
        )
    ).to_be_visible()
