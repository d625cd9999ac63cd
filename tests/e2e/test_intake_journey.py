"""The client fills in the intake on a phone: saves, comes back by the same link, submits."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from coaching.models import User
from contracts.models import IntakeStatus
from tests.contracts.engagement.intake.helpers import intake_link
from tests.contracts.signing_helpers import send_agreement
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser: Browser) -> Iterator[list[BrowserContext]]:
    """Phone-sized browsers of the client's, none with the coach's cookies."""
    contexts: list[BrowserContext] = []
    yield contexts
    for context in contexts:
        context.close()


def open_on_phone(browser: Browser, contexts: list[BrowserContext], url: str) -> Page:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    contexts.append(context)
    page = context.new_page()
    page.goto(url)
    return page


def assert_fits_the_screen(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways ({width} px)"


def test_the_client_saves_comes_back_with_the_same_link_and_submits(
    live_server: LiveServer,
    page: Page,
    browser: Browser,
    phone: list[BrowserContext],
    coach: User,
) -> None:
    version = send_agreement(coach)
    agreement = version.agreement
    sign_in(page, live_server.url, coach)
    page.goto(f"{live_server.url}/agreements/{agreement.pk}/intake/")
    page.get_by_label("Questionnaire to send").select_option(
        label="Intake questionnaire (built in)"
    )
    page.get_by_role("button", name="Send the intake").click()
    expect(page.get_by_text("The intake is on its way")).to_be_visible()
    url = live_server.url + intake_link(agreement.client.email)

    client = open_on_phone(browser, phone, url)
    expect(client.get_by_role("heading", name="Before your coaching begins")).to_be_visible()
    assert_fits_the_screen(client)
    client.get_by_label("What do you want from this coaching?").fill("Lead my new team calmly")
    client.get_by_label("In person").check()
    client.get_by_role("button", name="Save and come back later").click()
    expect(client.get_by_text("Your answers are saved.")).to_be_visible()

    later = open_on_phone(browser, phone, url)
    goals = later.get_by_label("What do you want from this coaching?")
    expect(goals).to_have_value("Lead my new team calmly")
    expect(later.get_by_label("In person")).to_be_checked()
    later.get_by_label("Is there anything about your health").fill("Tired after 4 pm")
    later.get_by_role("button", name="Submit my answers").click()
    expect(later.get_by_text("To share this, tick the consent box").first).to_be_visible()
    assert_fits_the_screen(later)
    later.get_by_label("I agree that my coach keeps what I write about my health").check()
    later.get_by_role("button", name="Submit my answers").click()
    expect(later.get_by_role("heading", name="Thank you")).to_be_visible()
    expect(later.get_by_text("Tired after 4 pm")).to_be_visible()
    assert_fits_the_screen(later)

    agreement.intakes.get(status=IntakeStatus.SUBMITTED)
    page.goto(f"{live_server.url}/agreements/{agreement.pk}/intake/")
    page.get_by_role("link", name="Submitted").click()
    expect(page.get_by_text("Lead my new team calmly")).to_be_visible()
    expect(page.get_by_text("Tired after 4 pm")).to_be_visible()
