"""Take the README's screenshots from a running demo (`make run` in another terminal).

.venv/bin/python scripts/screenshots.py [http://127.0.0.1:8000]
"""

import os
import sys
from pathlib import Path

import django
from playwright.sync_api import Locator, Page, ViewportSize, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coaching.settings")
os.environ.setdefault("DEBUG", "true")  # beside `make run`, on a developer's machine
django.setup()

from contracts.management.commands.load_demo import DEMO_EMAIL, DEMO_PASSWORD  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE: ViewportSize = {"width": 390, "height": 844}

# (file name, path, full page?)
SHOTS = [
    ("home", "/", False),
    ("clients", "/clients/", False),
    ("sponsor", "/organisations/", True),
    ("profile", "/accounts/profile/", False),
    ("agreements", "/agreements/", False),
]
# (file name, view of the demo's complete three-way agreement, section shown)
VIEWS = [
    ("view-coach", "preview/coach/", "#s-sharing"),
    ("view-client", "preview/client/", "#s-sharing"),
    ("view-sponsor", "preview/sponsor/", "#s-sharing"),
]


def signing_form(page: Page) -> Locator:
    """The form that signs, whatever the page around it looks like."""
    button = page.get_by_role("button", name="Sign the agreement")
    return page.locator("form").filter(has=button)


def sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", DEMO_EMAIL)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")


def sponsor_link() -> str:
    """A fresh signing link for the demo's pending sponsor signature (development only)."""
    from contracts.links import issue_link
    from contracts.models import LinkPurpose, Signer, SignerStatus

    pending = Signer.objects.filter(role="sponsor", status=SignerStatus.INVITED).first()
    if pending is None:
        raise SystemExit("The demo has no pending sponsor signature: run `make run` afresh.")
    token, _ = issue_link(pending, LinkPurpose.SIGN)
    return f"/sign/{token}/"


def portal_link() -> str:
    """A fresh sign-in link to the sponsor portal for the demo's HR director."""
    import hashlib
    import secrets
    from datetime import timedelta

    from django.utils import timezone

    from coaching.models import SponsorContact
    from contracts.models import PortalLink

    contact = SponsorContact.objects.get(email="priya.shah@northwind.example")
    token = secrets.token_urlsafe(32)
    PortalLink.objects.create(
        contact=contact,
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        expires_at=timezone.now() + timedelta(minutes=30),
    )
    return f"/portal/enter/{token}/"


def main(base: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    signing_path = sponsor_link()  # before Playwright starts its event loop
    portal_path = portal_link()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1200, "height": 760})
        page.goto(base)
        page.screenshot(path=OUT / "landing.png")
        sign_in(page, base)
        for name, path, full_page in SHOTS:
            page.goto(base + path)
            if name == "sponsor":
                page.get_by_role("link", name="Northwind Logistics Ltd").click()
            page.screenshot(path=OUT / f"{name}.png", full_page=full_page)
        page.goto(base + "/agreements/")
        page.get_by_role("link", name="Leadership coaching for Jordan Ellis").click()
        agreement_url = page.url
        page.screenshot(path=OUT / "checklist.png")
        page.goto(agreement_url + "edit/sharing/")
        page.screenshot(path=OUT / "builder-sharing.png")
        for name, path, section in VIEWS:
            page.goto(agreement_url + path)
            page.locator(f"section:has({section})").screenshot(path=OUT / f"{name}.png")
        page.goto(base + "/agreements/")
        page.get_by_role("link", name="Career coaching for Sam Okafor").click()
        page.screenshot(path=OUT / "checklist-unfinished.png")
        page.goto(base + "/agreements/")
        page.get_by_role("link", name="Leadership coaching for Casey Patel").click()
        page.screenshot(path=OUT / "signatures.png")
        page.goto(page.url + "audit/")
        page.screenshot(path=OUT / "audit-trail.png")
        page.goto(base + "/agreements/")
        page.get_by_role("link", name="Career transition coaching for Riley Chen").click()
        page.goto(page.url + "review/")
        page.get_by_role("button", name="Start the review").click()
        page.screenshot(path=OUT / "review.png")
        page.goto(base + "/agreements/")
        page.get_by_role("link", name="Leadership coaching for Morgan Blake").click()
        engagement_url = page.url + "engagement/"
        page.goto(engagement_url)
        page.screenshot(path=OUT / "engagement.png", full_page=True)
        page.goto(engagement_url.replace("engagement/", "sessions/"))
        page.screenshot(path=OUT / "sessions.png", full_page=True)
        page.goto(engagement_url.replace("engagement/", "meetings/"))
        page.screenshot(path=OUT / "meetings.png", full_page=True)
        page.goto(base + "/coaching-log/")
        page.screenshot(path=OUT / "coaching-log.png", full_page=True)
        morgan_url = engagement_url.replace("engagement/", "")
        page.goto(morgan_url + "requests/")
        page.get_by_role("link", name="What is said in coaching sessions").first.click()
        page.screenshot(path=OUT / "request-refused.png", full_page=True)
        page.goto(morgan_url + "disclosures/")
        page.screenshot(path=OUT / "disclosure-log.png", full_page=True)
        sponsor = browser.new_page(viewport={"width": 1100, "height": 900})
        sponsor.goto(base + portal_path)
        sponsor.get_by_role("button", name="Sign in").click()
        sponsor.get_by_role("link", name="Leadership coaching for Morgan Blake").click()
        sponsor.screenshot(path=OUT / "portal.png")
        signer = browser.new_page(viewport={"width": 1000, "height": 900})
        signer.goto(base + signing_path)
        signing_form(signer).screenshot(path=OUT / "signing.png")
        phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        on_phone = phone.new_page()
        on_phone.goto(base + signing_path)
        on_phone.screenshot(path=OUT / "signing-phone.png")
        browser.close()
    print(f"Screenshots written to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
