"""A coach protects their account in Chromium: sign-up with its emailed link, an
authenticator app, recovery codes, a passkey (Chromium's virtual authenticator) and the
list of signed-in sessions."""

import re
from collections.abc import Callable

import pyotp
import pytest
from django.core import mail
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from coaching.models import User
from tests.conftest import PASSWORD, make_coach
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

CHOSEN_PASSWORD = "correct-horse-battery"


def sign_out(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role(
        "button", name=re.compile(".")
    ).last.click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def password_step(page: Page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label(re.compile(r"^\s*Password\W*$")).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def confirm_password_if_asked(page: Page, password: str) -> None:
    """Security pages ask for the password again once it is a while since it was given."""
    if page.get_by_role("heading", name="Confirm it is you").is_visible():
        page.get_by_label(re.compile(r"^\s*Password\W*$")).fill(password)
        page.get_by_role("button", name="Continue").click()


def test_a_coach_signs_up_turns_on_an_authenticator_app_and_signs_in_with_it_and_a_recovery_code(
    live_server: LiveServer, page: Page
) -> None:
    base = live_server.url
    page.goto(f"{base}/accounts/signup/")
    page.get_by_label("Your full name").fill("Robin Reyes")
    page.get_by_label("Email address").fill("robin@example.com")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    [message] = mail.outbox
    link = re.search(r"https?://[^/\s]+(/accounts/signup/\S+)", str(message.body))
    assert link is not None
    page.goto(base + link.group(1))
    page.get_by_label(re.compile(r"^\s*Password\W*$")).fill(CHOSEN_PASSWORD)
    page.get_by_label("Password confirmation").fill(CHOSEN_PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Profile and practice")).to_be_visible()

    page.get_by_role("link", name="Turn on two-factor sign-in").click()
    page.get_by_role("link", name="Set up an authenticator app").click()
    confirm_password_if_asked(page, CHOSEN_PASSWORD)
    expect(page.get_by_role("heading", name="Set up an authenticator app")).to_be_visible()
    expect(
        page.get_by_role("img", name="QR code to scan with your authenticator app")
    ).to_be_visible()
    page.get_by_text("Cannot scan? Type this key instead").click()
    secret = page.locator("#authenticator-secret").inner_text().strip()
    page.get_by_label("Authenticator code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on").click()

    expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()
    codes = page.get_by_label("Your recovery codes").input_value().split()
    assert len(codes) == 10
    page.get_by_label("I have saved my recovery codes").check()
    page.get_by_role("link", name="Done").click()
    expect(page.get_by_text("Two-factor sign-in is on")).to_be_visible()

    sign_out(page)
    password_step(page, base, "robin@example.com", CHOSEN_PASSWORD)
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    page.get_by_label("Code").fill("123456" if pyotp.TOTP(secret).now() != "123456" else "654321")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Incorrect code")).to_be_visible()
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="Agreements")).to_be_visible()

    sign_out(page)
    password_step(page, base, "robin@example.com", CHOSEN_PASSWORD)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="Agreements")).to_be_visible()


def add_virtual_authenticator(page: Page) -> None:
    """Chromium's own stand-in for a phone or laptop that keeps passkeys and confirms the
    person with a fingerprint: it says yes to every request, as the person would."""
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )


def test_a_coach_adds_a_passkey_and_signs_in_with_it_alone_and_as_a_second_factor(
    live_server: LiveServer, page: Page
) -> None:
    base = live_server.url.replace("127.0.0.1", "localhost")
    coach = make_coach(email="casey@example.com")
    add_virtual_authenticator(page)
    password_step(page, base, coach.email, PASSWORD)
    expect(page.get_by_role("link", name="Agreements")).to_be_visible()

    page.goto(f"{base}/accounts/2fa/")
    page.get_by_role("link", name="Add a passkey").click()
    confirm_password_if_asked(page, PASSWORD)
    expect(page.get_by_role("heading", name="Add a passkey")).to_be_visible()
    page.get_by_label("Name").fill("Work laptop")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()
    page.goto(f"{base}/accounts/2fa/webauthn/")
    expect(page.get_by_role("row", name=re.compile("Work laptop"))).to_contain_text("Passkey")

    sign_out(page)
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page.get_by_role("link", name="Agreements")).to_be_visible()

    sign_out(page)
    password_step(page, base, coach.email, PASSWORD)
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    page.get_by_role("button", name="Use a passkey").click()
    expect(page.get_by_role("link", name="Agreements")).to_be_visible()


def test_a_coach_sees_a_second_browser_and_signs_it_out(
    live_server: LiveServer, page: Page, new_visitor: Callable[[], Page], coach: User
) -> None:
    base = live_server.url
    other = new_visitor()
    sign_in(other, base, coach)
    expect(other.get_by_role("link", name="Agreements")).to_be_visible()
    sign_in(page, base, coach)
    expect(page.get_by_role("link", name="Agreements")).to_be_visible()

    page.goto(f"{base}/accounts/profile/")
    page.get_by_role("link", name="Where you are signed in").first.click()
    rows = page.get_by_role("row", name=re.compile("Chrome"))
    expect(rows).to_have_count(2)
    other_row = (
        page.get_by_role("row").filter(has_not_text="This browser").filter(has_text="Chrome")
    )
    other_row.get_by_role("button", name=re.compile("Sign out")).click()
    expect(page.get_by_text("is signed out")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Chrome"))).to_have_count(1)

    other.goto(f"{base}/clients/")
    expect(other.get_by_role("heading", name="Sign in")).to_be_visible()
