import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from coaching.models import User
from tests.conftest import make_client, make_contact, make_organisation
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_a_coach_builds_a_complete_agreement_and_reads_the_clients_view(
    live_server: LiveServer, page: Page, coach: User
) -> None:
    northwind = make_organisation(coach=coach, name="Northwind")
    make_contact(coach=coach, organisation=northwind, name="Priya Shah")
    make_client(coach=coach, organisation=northwind, name="Jordan Ellis")
    sign_in(page, live_server.url, coach)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Agreements").click()
    page.get_by_role("link", name="Create your first agreement").click()
    page.get_by_label("Client").select_option(label="Jordan Ellis (Northwind)")
    page.get_by_role("button", name="Create the draft").click()

    expect(page.get_by_role("heading", name="Parties")).to_be_visible()
    expect(page.get_by_label("Who signs for the sponsor")).to_contain_text("Priya Shah")
    page.get_by_role("button", name="Save and continue to Coaching and roles").click()
    page.get_by_role("button", name="Save and continue to Goals").click()

    page.get_by_label("Goal 1", exact=True).fill("Lead the merged team with confidence")
    page.get_by_label("How progress on goal 1 will be recognised").fill("Team pulse survey")
    page.get_by_role("button", name="Save and continue to Sessions and dates").click()

    page.get_by_label("Coaching starts").fill("2027-01-11")
    page.get_by_label("Coaching ends").fill("2027-07-09")
    page.get_by_role("button", name="Save and continue to Fees").click()

    page.get_by_label("A fee for the whole programme").check()
    page.get_by_label("Amount").fill("4800")
    page.get_by_role("button", name="Save and continue to What is shared").click()

    level = page.get_by_label("Shared: Attendance and session dates to the line manager")
    how = page.get_by_label("How: Attendance and session dates to the line manager")
    expect(how).to_be_visible()
    level.select_option(label="Never")
    expect(how).to_be_hidden()
    page.get_by_role("button", name="Save and see the checklist").click()

    expect(page.get_by_text("Complete.")).to_be_visible()
    page.get_by_role("link", name="Client's view").click()
    document = page.get_by_role("article")
    expect(document).to_contain_text(
        "Your line manager will not receive attendance and session dates."
    )
    expect(document).to_contain_text(
        "Your sponsor will not receive what is said in coaching sessions."
    )
    expect(document).to_contain_text("Lead the merged team with confidence")
