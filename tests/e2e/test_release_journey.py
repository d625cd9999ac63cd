"""HR asks for progress through the sponsor portal; the coach drafts a summary and sends
it for approval; the client approves it on a phone; the coach releases it; HR reads
exactly that text in the portal."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from coaching.models import User
from contracts.models import DisclosureEntry, InformationRequest
from tests.contracts.sponsor.requests.helpers import (
    DECIDE_LINK,
    RELEASE_LINK,
    client_email,
    engagement,
    hr,
    newest_link,
)
from tests.e2e.conftest import sign_in
from tests.e2e.test_intake_journey import assert_fits_the_screen, open_on_phone, phone

pytestmark = pytest.mark.e2e

__all__ = ["phone"]

PORTAL_LINK = re.compile(r"https?://[^/\s]+(/portal/enter/[A-Za-z0-9_-]+/)")
SUMMARY = "Jamie delegates more and the team now runs its own weekly planning."


def test_the_client_approves_a_summary_on_a_phone_and_the_coach_releases_it(
    live_server: LiveServer,
    page: Page,
    browser: Browser,
    phone: list[BrowserContext],
    coach: User,
) -> None:
    version = engagement(coach, progress__sponsor=("approved_summary", "report", "midpoint"))
    contact = hr(version)
    sponsor = open_on_phone(browser, phone, live_server.url + "/portal/")
    sponsor.get_by_label("Your work email address").fill(contact.email)
    sponsor.get_by_role("button", name="Email me a sign-in link").click()
    expect(sponsor.get_by_text("a link is on its way")).to_be_visible()
    sponsor.goto(live_server.url + newest_link(PORTAL_LINK, contact.email))
    sponsor.get_by_role("button", name="Sign in").click()
    sponsor.get_by_role("link", name=version.agreement.title).click()
    sponsor.get_by_label("What kind of information").select_option("progress")
    sponsor.get_by_label("What would you like to know?").fill("How is Jamie getting on?")
    sponsor.get_by_role("button", name="Send the request").click()
    expect(sponsor.get_by_role("alert")).to_contain_text("Your request was received.")
    assert_fits_the_screen(sponsor)
    item = InformationRequest.objects.get()
    assert (item.channel, item.level) == ("portal", "approved_summary")

    sign_in(page, live_server.url, coach)
    page.goto(f"{live_server.url}/agreements/{version.agreement_id}/requests/{item.pk}/")
    rule = page.get_by_role("region", name="What the signed agreement says")
    expect(rule.get_by_text("a summary of progress against the agreed goals")).to_be_visible()
    page.locator("#id_body").fill(SUMMARY)
    page.get_by_role("button", name="Save the draft").click()
    page.get_by_role("button", name="Send to the client for approval").click()
    expect(page.get_by_text("Sent to the client")).to_be_visible()
    expect(page.get_by_role("button", name="Release to")).to_have_count(0)

    client = open_on_phone(
        browser, phone, live_server.url + newest_link(DECIDE_LINK, client_email(version))
    )
    expect(client.get_by_role("heading", name="Before anything is shared")).to_be_visible()
    expect(client.get_by_text(SUMMARY)).to_be_visible()
    expect(client.get_by_text(hr(version).name)).to_be_visible()
    assert_fits_the_screen(client)
    client.get_by_role("button", name="Approve this text").click()
    expect(client.get_by_text("Thank you: your decision is recorded")).to_be_visible()
    assert_fits_the_screen(client)

    page.reload()
    expect(page.locator("#release-status")).to_have_text("Approved by the client")
    page.get_by_role("button", name="Release to").click()
    expect(page.get_by_text("Released:")).to_be_visible()
    assert DisclosureEntry.objects.get().basis == "approval"

    reader = open_on_phone(
        browser, phone, live_server.url + newest_link(RELEASE_LINK, contact.email)
    )
    expect(reader.get_by_text(SUMMARY)).to_be_visible()
    assert_fits_the_screen(reader)
    sponsor.reload()
    released = sponsor.get_by_role("region", name="Released to you")
    expect(released.get_by_text(SUMMARY)).to_be_visible()
