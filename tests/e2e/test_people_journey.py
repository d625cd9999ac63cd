import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from coaching.models import User
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_a_new_coach_signs_up_and_records_a_sponsor_a_contact_and_a_client(
    live_server: LiveServer, page: Page
) -> None:
    page.goto(live_server.url)
    page.get_by_role("link", name="Create your coach account").click()
    page.get_by_label("Your full name").fill("Robin Reyes")
    page.get_by_label("Email address").fill("Robin@Example.com")
    page.get_by_label("Practice name").fill("Reyes Coaching")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    [message] = mail.outbox
    assert message.to == ["robin@example.com"]
    link = re.search(r"https?://[^/\s]+(/accounts/signup/\S+)", str(message.body))
    assert link is not None, "the email carries the link that finishes the sign-up"
    page.goto(live_server.url + link.group(1))
    expect(page.get_by_text("who signs in as robin@example.com")).to_be_visible()
    page.get_by_label(re.compile(r"^\s*Password\W*$")).fill("correct-horse-battery")
    page.get_by_label("Password confirmation").fill("correct-horse-battery")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Profile and practice")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sponsors").click()
    page.get_by_role("link", name="Add your first organisation").click()
    page.get_by_label("Organisation name").fill("Northwind Logistics")
    page.get_by_role("button", name="Add organisation").click()
    expect(page.get_by_role("heading", name="Northwind Logistics")).to_be_visible()

    page.get_by_role("link", name="Add a contact").click()
    page.get_by_label("Full name").fill("Priya Shah")
    page.get_by_label("Email").fill("priya@northwind.example")
    page.get_by_label("Role").select_option(label="HR")
    page.get_by_role("button", name="Add contact").click()
    expect(page.get_by_text("Priya Shah is added to Northwind Logistics.")).to_be_visible()

    page.get_by_role("link", name="Add a client").click()
    page.get_by_label("Full name").fill("Jordan Ellis")
    page.get_by_label("Email").fill("jordan@northwind.example")
    expect(page.get_by_label("Sponsor organisation")).to_have_value(re.compile(r"\d+"))
    page.get_by_role("button", name="Add client").click()
    expect(page.get_by_role("heading", name="Jordan Ellis")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clients").click()
    row = page.get_by_role("row", name=re.compile("Jordan Ellis"))
    expect(row).to_contain_text("Northwind Logistics")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Contacts").click()
    expect(page.get_by_role("row", name=re.compile("Priya Shah"))).to_contain_text("HR")


def test_form_errors_appear_next_to_the_field_and_keep_what_was_typed(
    live_server: LiveServer, page: Page, coach: User
) -> None:
    sign_in(page, live_server.url, coach)

    page.goto(f"{live_server.url}/clients/new/")
    page.get_by_label("Full name").fill("Jordan Ellis")
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_role("button", name="Add client").click()

    expect(
        page.get_by_text("Enter an email address in the form name@example.com.")
    ).to_be_visible()
    expect(page.get_by_label("Full name")).to_have_value("Jordan Ellis")
