"""Browser tests: Playwright driving the system's Chromium against a live server.

Without Chromium the tests are skipped, unless E2E_REQUIRED is set (as CI does),
in which case a missing browser is an error rather than a silent pass.
"""

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from coaching.models import User
from tests.conftest import PASSWORD

# The live server runs Django in a thread beside Playwright's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("E2E_REQUIRED"):
        raise pytest.UsageError(f"Browser tests need Chromium at {CHROMIUM}.")
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "tests/e2e/" in str(item.path):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture
def new_visitor(browser: Browser) -> Iterator[Callable[[], Page]]:
    """Opens a tab in a browser of its own: a signer, with none of the coach's cookies."""
    contexts: list[BrowserContext] = []

    def open_tab() -> Page:
        context = browser.new_context()
        contexts.append(context)
        return context.new_page()

    yield open_tab
    for context in contexts:
        context.close()


def sign_in(page: Page, base: str, coach: User) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email address").fill(coach.email)
    page.get_by_label(re.compile(r"^\s*Password\W*$")).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


def draw_signature(page: Page) -> None:
    """Draw a short stroke on the signing page's signature pad, as a finger or mouse would."""
    canvas = page.locator("[data-signature-pad] canvas")
    canvas.scroll_into_view_if_needed()
    expect(canvas).to_be_visible()
    box = canvas.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 20, box["y"] + 60)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 18, box["y"] + 60 + (step % 3) * 15)
    page.mouse.up()
