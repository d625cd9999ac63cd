"""The coach's pages in a browser: text areas that grow, the parties step when the
sponsor changes, and a PDF that shows its download once it is ready."""

import re

import pytest
from playwright.sync_api import Page, Route, expect
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer

from coaching.models import User
from contracts.documents.pdf import render_into
from contracts.models import AgreementPdf
from tests.conftest import make_agreement, make_contact, make_organisation
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

LONG_TEXT = "\n".join(f"Line {number} of what coach and client agreed." for number in range(30))


def fits_its_text(page: Page, label: str) -> bool:
    """The text area shows all its text, with no scroll bar of its own."""
    area = page.get_by_label(label, exact=True)
    return bool(area.evaluate("a => a.scrollHeight <= a.clientHeight + 2"))


def grow_and_check(page: Page) -> None:
    label = "What coaching is and is not"
    area = page.get_by_label(label, exact=True)
    expect(area).to_be_visible()
    assert fits_its_text(page, label), "the built-in text shows in full"
    before = area.bounding_box()
    area.fill(LONG_TEXT)
    after = area.bounding_box()
    assert before is not None and after is not None
    assert after["height"] > before["height"] + 200
    assert fits_its_text(page, label)


def test_builder_text_areas_grow_with_their_text(
    live_server: LiveServer, page: Page, coach: User
) -> None:
    agreement = make_agreement(coach=coach)
    sign_in(page, live_server.url, coach)
    page.goto(f"{live_server.url}/agreements/{agreement.pk}/edit/roles/")

    grow_and_check(page)


def test_builder_text_areas_grow_where_css_cannot_size_them(
    live_server: LiveServer, page: Page, coach: User
) -> None:
    """A browser without `field-sizing: content`: the script sizes the text areas."""

    def without_field_sizing(route: Route) -> None:
        response = route.fetch()
        css = response.text().replace("field-sizing: content;", "")
        route.fulfill(response=response, body=css)

    page.add_init_script("CSS.supports = function () { return false; };")
    page.route(re.compile(r".*/static/css/app\.css$"), without_field_sizing)
    agreement = make_agreement(coach=coach)
    sign_in(page, live_server.url, coach)
    page.goto(f"{live_server.url}/agreements/{agreement.pk}/edit/roles/")
    assert page.get_by_label("What coaching is and is not", exact=True).evaluate(
        "a => getComputedStyle(a).fieldSizing !== 'content'"
    )

    grow_and_check(page)


def test_choosing_another_sponsor_sets_the_old_contacts_aside(
    live_server: LiveServer, page: Page, coach: User
) -> None:
    agreement = make_agreement(coach=coach)
    other = make_organisation(coach=coach, name="Othercorp")
    make_contact(coach=coach, organisation=other, name="Avery Othercorp")
    sign_in(page, live_server.url, coach)
    page.goto(f"{live_server.url}/agreements/{agreement.pk}/edit/parties/")
    signatory = page.get_by_label("Who signs for the sponsor")
    expect(signatory).to_be_enabled()

    page.get_by_label("Sponsor organisation").select_option(label="Othercorp")

    expect(signatory).to_be_disabled()
    expect(page.get_by_text("You chose another sponsor")).to_be_visible()
    page.get_by_role("button", name="Save and continue to Coaching and roles").click()
    expect(page.get_by_text("Now choose who signs for it")).to_be_visible()
    expect(page.get_by_label("Who signs for the sponsor")).to_contain_text("Avery Othercorp")
    expect(page.get_by_label("Who signs for the sponsor")).not_to_contain_text("Harper HR")


def test_a_pdf_being_prepared_shows_its_download_once_ready(
    live_server: LiveServer, page: Page, coach: User, settings: Settings
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    agreement = make_agreement(coach=coach, complete=True)
    sign_in(page, live_server.url, coach)

    page.goto(f"{live_server.url}/agreements/{agreement.pk}/pdf/draft/")
    expect(page.get_by_role("heading", name="Preparing your PDF…")).to_be_visible()
    download = page.get_by_role("link", name="Download the PDF")
    expect(download).to_be_hidden()

    render_into(AgreementPdf.objects.get())

    expect(page.get_by_role("heading", name="Your PDF is ready")).to_be_visible(timeout=10_000)
    expect(page.get_by_role("heading", name="Preparing your PDF…")).to_be_hidden()
    with page.expect_download() as started:
        download.click()
    assert started.value.suggested_filename.endswith(".pdf")


def test_the_agreement_page_shows_the_download_of_a_pdf_once_made(
    live_server: LiveServer, page: Page, coach: User, settings: Settings
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    agreement = make_agreement(coach=coach, complete=True)
    sign_in(page, live_server.url, coach)
    page.goto(f"{live_server.url}/agreements/{agreement.pk}/pdf/draft/")
    page.goto(f"{live_server.url}/agreements/{agreement.pk}/")
    expect(page.get_by_text("Waiting for a worker since")).to_be_visible()

    render_into(AgreementPdf.objects.get())

    expect(page.get_by_role("link", name="Download the PDF")).to_be_visible(timeout=10_000)
