"""The whole signing journey on a phone and on a laptop, every page checked with axe-core.

The coach sends a three-way agreement with an emailed code; the client and the sponsor
sign by link and the coach in the app; the client opens their copy. A second agreement is
declined by the sponsor. The first is then amended and the client signs the new version.
Every page any party reaches has no WCAG 2.1 A/AA violation that axe finds, does not
scroll sideways, and keeps the app's CSP. The interactions each party needed and the
height of each page are printed (run with `-n 0 -s`) and kept in var/journey-report.txt.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from coaching.models import User
from contracts.models import Agreement, AgreementStatus, SignerRole, SignerStatus
from tests.conftest import PASSWORD, make_agreement, make_client, make_contact, make_organisation
from tests.contracts.signing_helpers import link_for
from tests.e2e.journey import Actor, Journey, code_for, write_report_section

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SIGN = re.compile(r"^Sign the agreement", re.IGNORECASE)


def h1(page: Page, pattern: str) -> Locator:
    return page.get_by_role("heading", level=1, name=re.compile(pattern, re.IGNORECASE))


def signing_form(page: Page) -> Locator:
    return page.locator("form").filter(has=page.get_by_role("button", name=SIGN))


def sign_in(coach: Actor, user: User) -> None:
    page = coach.page
    coach.open(coach.journey.base + "/accounts/login/")
    coach.arrive("Sign in", h1(page, "^Sign in"))
    coach.fill(page.get_by_label("Email address"), user.email)
    coach.fill(page.get_by_label(re.compile(r"^\s*Password\W*$")), PASSWORD)
    coach.click(page.get_by_role("button", name="Sign in", exact=True))
    coach.arrive("Home", h1(page, "^Welcome"))


def open_agreement(coach: Actor, agreement: Agreement, label: str) -> None:
    """From anywhere in the app: the Agreements menu, then the agreement."""
    coach.menu("Agreements")
    coach.arrive("Agreements", h1(coach.page, "^Agreements$"))
    coach.click(coach.page.get_by_role("link", name=agreement.title, exact=True))
    coach.arrive(label, h1(coach.page, re.escape(agreement.title)))


def send(coach: Actor, *, code: bool, label: str) -> None:
    """On the agreement's page: send it for signature, with or without an emailed code."""
    page = coach.page
    coach.click(page.get_by_role("link", name="Send for signature"))
    coach.arrive("Send for signature", h1(page, "^Send for signature"))
    coach.set_checked(page.locator("input[name=require_email_code]"), code)
    coach.click(page.get_by_role("button", name=re.compile("send", re.IGNORECASE)))
    coach.arrive(label, page.get_by_text(re.compile(r"Version \d+ is frozen and sent")))


def enter_code(party: Actor, email: str) -> None:
    """The extra check: ask for a code by email and type it."""
    page = party.page
    party.arrive("Code: ask for it", h1(page, "Confirm it is you"))
    party.click(page.get_by_role("button", name="Email me a code"))
    party.arrive("Code: enter it", page.get_by_label("6-digit code"))
    party.fill(page.get_by_label("6-digit code"), code_for(email))
    party.click(page.get_by_role("button", name="Continue"))


def confirm_and_sign(party: Actor, name: str, label: str, *, again: bool = False) -> None:
    """On a signing page: tick what must be ticked, type the name, sign. Signing a version
    again after only a goal changed, there is nothing to confirm again."""
    page = party.page
    form = signing_form(page)
    ticked = party.tick_every_required_box(form)
    assert ticked == 0 if again else ticked >= 1, f"{ticked} boxes to tick"
    party.fill(form.get_by_label(re.compile("full name", re.IGNORECASE)), name)
    party.click(form.get_by_role("button", name=SIGN))
    party.arrive(label, h1(page, f"^Thank you, {name}"))


def sign_by_link(
    journey: Journey, who: str, email: str, name: str, *, code: bool, again: bool = False
) -> Actor:
    party = journey.actor(who)
    party.open(journey.base + link_for(email))
    if code:
        enter_code(party, email)
    party.arrive("Signing page", signing_form(party.page))
    confirm_and_sign(party, name, "Thank you", again=again)
    return party


def coach_signs(coach: Actor, agreement: Agreement, name: str) -> None:
    page = coach.page
    open_agreement(coach, agreement, "Agreement: the coach's turn")
    coach.click(page.get_by_role("link", name="Sign as coach").first)
    coach.arrive("Sign as coach", h1(page, "^Sign as coach"))
    form = signing_form(page)
    coach.tick_every_required_box(form)
    coach.fill(form.get_by_label(re.compile("full name", re.IGNORECASE)), name)
    coach.click(form.get_by_role("button", name=SIGN))
    coach.arrive("Agreement: signed by everyone", page.get_by_text("Signed by everyone").first)


def three_way(coach: User, *, client: str, sponsor: str) -> Agreement:
    organisation = make_organisation(coach=coach)
    make_contact(coach=coach, organisation=organisation, name=sponsor)
    person = make_client(coach=coach, organisation=organisation, name=client)
    return make_agreement(coach=coach, client=person, complete=True)


def everyone_signs(journey: Journey, coach: Actor, user: User, agreement: Agreement) -> None:
    open_agreement(coach, agreement, "Agreement: draft")
    send(coach, code=True, label="Agreement: sent")
    assert agreement.sponsor_signatory is not None
    client = sign_by_link(
        journey, "Client", agreement.client.email, agreement.client.name, code=True
    )
    sign_by_link(
        journey,
        "Sponsor",
        agreement.sponsor_signatory.email,
        agreement.sponsor_signatory.name,
        code=True,
    )
    coach_signs(coach, agreement, user.full_name)
    client.open(journey.base + link_for(agreement.client.email, "copy"))
    client.arrive("Copy of the agreement", h1(client.page, "Your copy"))


def sponsor_declines(journey: Journey, coach: Actor, agreement: Agreement) -> None:
    open_agreement(coach, agreement, "Agreement: draft")
    send(coach, code=False, label="Agreement: sent")
    assert agreement.sponsor_signatory is not None
    sponsor = journey.actor("Sponsor who declines")
    page = sponsor.page
    sponsor.open(journey.base + link_for(agreement.sponsor_signatory.email))
    sponsor.arrive("Signing page", signing_form(page))
    reason = page.get_by_label(re.compile("why are you declining", re.IGNORECASE))
    if not reason.is_visible():
        sponsor.click(page.locator("summary", has_text=re.compile("not want to sign", re.I)))
        expect(reason).to_be_visible()
        sponsor.inspect()
    sponsor.fill(reason, "Our budget for coaching was cut this quarter.")
    sponsor.click(page.get_by_role("button", name=re.compile("^Decline", re.IGNORECASE)))
    sponsor.arrive("Declined", h1(page, "You declined"))
    open_agreement(coach, agreement, "Agreement: declined")
    expect(coach.page.get_by_text("Declined").first).to_be_visible()


def client_signs_an_amendment(journey: Journey, coach: Actor, agreement: Agreement) -> None:
    page = coach.page
    open_agreement(coach, agreement, "Agreement: in force")
    coach.click(page.get_by_role("link", name="Review now"))
    coach.arrive("Review", h1(page, "^Review of"))
    coach.click(page.get_by_role("button", name="Start the review"))
    coach.arrive("Review: started", page.get_by_role("button", name="Amend it"))
    coach.click(page.get_by_role("button", name="Amend it"))
    coach.arrive("Agreement: being amended", page.get_by_text("Being amended"))
    sections = page.get_by_role("region", name="Sections")
    coach.click(sections.get_by_role("link", name=re.compile(r"\bGoals\b")))
    coach.arrive("Edit: goals", h1(page, "^Goals$"))
    coach.fill(page.get_by_label("Goal 1", exact=True), "Lead the merged team with confidence")
    coach.click(page.get_by_role("button", name="Save and see the checklist"))
    coach.arrive("Agreement: amended", page.get_by_text("Being amended"))
    send(coach, code=True, label="Agreement: amendment sent")
    sign_by_link(
        journey,
        "Client (amendment)",
        agreement.client.email,
        agreement.client.name,
        code=True,
        again=True,
    )


@pytest.mark.parametrize("width", [390, 1280])
def test_every_page_of_the_signing_journey_passes_axe_and_fits_the_screen(
    live_server: LiveServer, browser: Browser, coach: User, width: int
) -> None:
    first = three_way(coach, client="Jamie Client", sponsor="Harper HR")
    second = three_way(coach, client="Sam Rivers", sponsor="Morgan Finance")
    journey = Journey(browser=browser, base=live_server.url, width=width)
    try:
        actor = journey.actor("Coach")
        sign_in(actor, coach)
        everyone_signs(journey, actor, coach, first)
        sponsor_declines(journey, actor, second)
        client_signs_an_amendment(journey, actor, first)
    finally:
        journey.close()

    first.refresh_from_db()
    second.refresh_from_db()
    assert second.status == AgreementStatus.DECLINED
    assert first.versions.count() == 2
    assert first.version_in_force() == first.versions.get(number=1)
    amendment = first.versions.get(number=2)
    assert amendment.signers.get(role=SignerRole.CLIENT).status == SignerStatus.SIGNED
    report = journey.report()
    print("\n" + report)
    write_report_section(settings.VAR_DIR / "journey-report.txt", f"{width} px", report)
