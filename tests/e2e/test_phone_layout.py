"""The coach's pages on a phone: nothing scrolls sideways, every control takes a finger,
and axe-core finds nothing, with the long names and addresses real practices have."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from coaching.models import Client, User
from tests.conftest import make_agreement
from tests.contracts.engagement.meetings.helpers import in_force
from tests.contracts.signing_helpers import send_agreement
from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.conftest import sign_in
from tests.e2e.layout import assert_finger_sized, assert_no_horizontal_scroll

pytestmark = pytest.mark.e2e

PHONE: ViewportSize = {"width": 390, "height": 844}
LONG_EMAIL = "jamie.montgomeryfitzwilliam@northwindlogisticsinternational.example"


def on_a_phone(browser: Browser) -> Page:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    return context.new_page()


def check(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, (
        f"{url}: {response and response.status}"
    )
    assert_no_horizontal_scroll(page)
    assert_finger_sized(page)
    assert_no_axe_violations(page)


def test_the_coachs_pages_fit_a_phone_and_take_a_finger(
    live_server: LiveServer, browser: Browser, coach: User
) -> None:
    signed = in_force(coach, line_manager=True).agreement
    Client.objects.filter(pk=signed.client_id).update(
        name="Jamie Alexandra Montgomery-Fitzwilliam", email=LONG_EMAIL
    )
    waiting = send_agreement(coach).agreement
    draft = make_agreement(coach=coach)
    page = on_a_phone(browser)
    try:
        sign_in(page, live_server.url, coach)
        base = live_server.url
        for url in [
            "/",
            "/agreements/",
            f"/agreements/{signed.pk}/",
            f"/agreements/{waiting.pk}/",
            f"/agreements/{draft.pk}/",
            f"/clients/{signed.client_id}/",
            f"/agreements/{signed.pk}/engagement/",
        ]:
            check(page, base + url)
    finally:
        page.context.close()


def test_the_folded_menu_and_the_account_menu_take_a_finger(
    live_server: LiveServer, browser: Browser, coach: User
) -> None:
    page = on_a_phone(browser)
    try:
        sign_in(page, live_server.url, coach)
        page.get_by_role("button", name="Show navigation").click()
        page.get_by_role("button", name=coach.full_name).click()
        expect(page.get_by_role("link", name="Profile and practice")).to_be_visible()
        assert_finger_sized(page)
        assert_no_horizontal_scroll(page)
        assert_no_axe_violations(page)
    finally:
        page.context.close()
