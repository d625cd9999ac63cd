from collections.abc import Callable

import pytest
from playwright.sync_api import ConsoleMessage, FilePayload, Page, expect
from pytest_django.live_server_helper import LiveServer

from coaching.models import User
from tests.coaching.branding_helpers import png
from tests.conftest import make_agreement
from tests.contracts.signing_helpers import link_for
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_a_coachs_logo_colour_and_message_reach_the_signing_page_under_the_strict_policy(
    live_server: LiveServer, page: Page, new_visitor: Callable[[], Page], coach: User
) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    base = live_server.url
    sign_in(page, base, coach)
    page.goto(f"{base}/accounts/branding/")
    logo_file: FilePayload = {"name": "logo.png", "mimeType": "image/png", "buffer": png(300, 90)}
    page.get_by_label("Logo").set_input_files(files=[logo_file])
    page.get_by_label("Brand colour").fill("#7A1F5C")
    page.get_by_role("button", name="Save logo and colour").click()
    expect(page.get_by_text("Your branding is saved.")).to_be_visible()

    page.goto(f"{base}/agreements/{agreement.pk}/send/")
    page.get_by_label("Personal message to the parties (optional)").fill(
        "Hello Jamie,\nAs promised, our agreement."
    )
    page.get_by_role("button", name="Freeze and send").click()
    expect(page.get_by_text("Version 1 is frozen and sent.")).to_be_visible()

    visitor = new_visitor()
    problems: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    visitor.on("console", note)
    visitor.goto(base + link_for(agreement.client.email))
    expect(visitor.get_by_text("A message from Alex Morgan")).to_be_visible()
    expect(visitor.get_by_text("As promised, our agreement.")).to_be_visible()
    logo = visitor.locator("header img")
    expect(logo).to_have_attribute("alt", "Alex Morgan Coaching")
    assert logo.evaluate("image => image.complete && image.naturalWidth") == 300
    header = visitor.locator("nav.navbar")
    assert header.evaluate("nav => getComputedStyle(nav).backgroundColor") == "rgb(122, 31, 92)"
    button = visitor.get_by_role("button", name="Sign the agreement")
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(122, 31, 92)"
    assert problems == [], "nothing was refused by the Content-Security-Policy"
