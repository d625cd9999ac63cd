"""A journey through the app, party by party: every action counted, every page checked.

Each party has a browser of their own at the journey's width. Every click, fill and tick
goes through their `Actor`, which counts it; every page they reach is checked by `arrive`
(axe-core with no violation, nothing scrolling sideways, the app's CSP header as sent,
and on a phone every control big enough for a finger) and its height recorded. A party
who acts on a page that was never checked fails the test.
"""

from __future__ import annotations

import fcntl
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.core import mail
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Frame,
    Locator,
    Page,
    Response,
    ViewportSize,
    expect,
)

from tests.e2e.axe import app_csp, assert_aria_references_resolve, assert_no_axe_violations
from tests.e2e.layout import assert_finger_sized, assert_no_horizontal_scroll

CODE = re.compile(r"\b(\d{6})\b")
PHONE_WIDTH = 390
NEW_PAGE_SECONDS = 10


def code_for(email: str) -> str:
    """The newest 6-digit code emailed to that address."""
    for message in reversed(mail.outbox):
        found = CODE.search(str(message.body))
        if email in message.to and "code" in str(message.subject).lower() and found:
            return found.group(1)
    raise AssertionError(f"No code was emailed to {email}")


@dataclass
class Visit:
    actor: str
    page: str
    path: str
    height: int


@dataclass
class Actor:
    """One party in their own browser; counts what they do."""

    name: str
    page: Page
    journey: Journey
    clicks: int = 0
    fills: int = 0
    checks: int = 0
    links_opened: int = 0
    pages: int = 0
    _navigations: int = 0
    _checked_at: int = -1
    _csp: str | None = None

    def __post_init__(self) -> None:
        self.page.on("framenavigated", self._navigated)
        self.page.on("response", self._response)

    def _navigated(self, frame: Frame) -> None:
        if frame == self.page.main_frame:
            self._navigations += 1

    def _response(self, response: Response) -> None:
        if response.request.is_navigation_request() and response.frame == self.page.main_frame:
            self._csp = response.headers.get("content-security-policy")

    @property
    def interactions(self) -> int:
        return self.clicks + self.fills + self.checks

    def _on_a_checked_page(self) -> None:
        assert self._navigations == self._checked_at, (
            f"{self.name} acted on {self.page.url} before it was checked"
        )

    # What the party does
    def open(self, url: str) -> None:
        """Open a link from an email (or type the app's address)."""
        self.page.goto(url)
        self.links_opened += 1

    def click(self, target: Locator) -> None:
        self._on_a_checked_page()
        target.click()
        self.clicks += 1

    def fill(self, target: Locator, text: str) -> None:
        self._on_a_checked_page()
        target.fill(text)
        self.fills += 1

    def check(self, target: Locator) -> None:
        self._on_a_checked_page()
        target.check()
        self.checks += 1

    def set_checked(self, target: Locator, checked: bool) -> None:
        self._on_a_checked_page()
        if target.is_checked() != checked:
            target.set_checked(checked)
            self.checks += 1

    def menu(self, name: str) -> None:
        """Follow a link of the main menu, opening the menu first where it is folded away."""
        toggler = self.page.get_by_role("button", name="Show navigation")
        if toggler.is_visible():
            self.click(toggler)
            expect(self.page.locator("#main-nav")).to_be_visible()
            self.inspect()
        self.click(self.page.get_by_role("navigation", name="Main").get_by_role("link", name=name))

    def tick_every_required_box(self, form: Locator) -> int:
        """Tick each required box of the form, opening a folded section to reach one."""
        expect(form).to_be_visible()
        boxes = form.locator("input[type=checkbox][required]")
        count = boxes.count()
        for index in range(count):
            box = boxes.nth(index)
            if not box.is_visible():
                self.click(box.locator("xpath=ancestor::details[1]/summary"))
                self.inspect()
            if not box.is_checked():
                self.check(box)
        return count

    def inspect(self) -> None:
        """Check the page as it now stands (a section or a menu opened)."""
        assert_no_axe_violations(self.page)
        assert_aria_references_resolve(self.page)
        assert_no_horizontal_scroll(self.page)
        if self.journey.width <= PHONE_WIDTH:
            assert_finger_sized(self.page)

    # Where the party arrives
    def arrive(self, label: str, landmark: Locator) -> None:
        """On a new page, recognised by `landmark`: check it and record its height."""
        deadline = time.monotonic() + NEW_PAGE_SECONDS
        while self._navigations <= self._checked_at:
            assert time.monotonic() < deadline, (
                f"{self.name} expected a new page ({label}) but is still on {self.page.url}"
            )
            self.page.wait_for_timeout(50)
        expect(landmark.first).to_be_visible()
        self.page.wait_for_load_state("load")
        assert self._csp == self.journey.csp, (
            f"{self.page.url} was served with the CSP {self._csp!r}, not the app's"
        )
        self.inspect()
        height: int = self.page.evaluate("() => document.documentElement.scrollHeight")
        path = re.sub(
            r"/(sign|copy)/[^/]+/", r"/\1/<link>/", self.page.url[len(self.journey.base) :]
        )
        self.journey.visits.append(Visit(self.name, label, path, height))
        self.pages += 1
        self._checked_at = self._navigations


@dataclass
class Journey:
    browser: Browser
    base: str
    width: int
    visits: list[Visit] = field(default_factory=list)
    actors: list[Actor] = field(default_factory=list)
    contexts: list[BrowserContext] = field(default_factory=list)
    csp: str = field(default_factory=app_csp)

    @property
    def viewport(self) -> ViewportSize:
        return {"width": self.width, "height": 844 if self.width <= PHONE_WIDTH else 800}

    def actor(self, name: str) -> Actor:
        phone = self.width <= PHONE_WIDTH
        context = self.browser.new_context(
            viewport=self.viewport, is_mobile=phone, has_touch=phone
        )
        self.contexts.append(context)
        actor = Actor(name=name, page=context.new_page(), journey=self)
        self.actors.append(actor)
        return actor

    def close(self) -> None:
        for context in self.contexts:
            context.close()

    def report(self) -> str:
        """The interactions of each party and the height of each page, as plain tables."""
        lines = [
            f"Journey at {self.width} px wide ({self.viewport['height']} px high)",
            "",
            _table(
                ["Party", "Pages", "Links opened", "Clicks", "Fills", "Ticks", "Interactions"],
                [
                    [
                        actor.name,
                        str(actor.pages),
                        str(actor.links_opened),
                        str(actor.clicks),
                        str(actor.fills),
                        str(actor.checks),
                        str(actor.interactions),
                    ]
                    for actor in self.actors
                ],
            ),
            "",
            _table(
                ["Party", "Page", "Path", "Height (px)"],
                [[v.actor, v.page, v.path, str(v.height)] for v in self.visits],
            ),
        ]
        return "\n".join(lines)


def _table(header: list[str], rows: list[list[str]]) -> str:
    numeric = [all(row[i].isdigit() for row in rows) and bool(rows) for i in range(len(header))]
    widths = [
        max(len(cell) for cell in [name, *(row[i] for row in rows)])
        for i, name in enumerate(header)
    ]

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.rjust(width) if right else cell.ljust(width)
            for cell, width, right in zip(cells, widths, numeric, strict=True)
        ).rstrip()

    return "\n".join(
        [line(header), line(["-" * width for width in widths]), *(line(row) for row in rows)]
    )


def write_report_section(path: Path, heading: str, text: str) -> None:
    """Put `text` under `heading` in the report file, keeping the other sections (two test
    workers may write theirs at the same moment)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.with_suffix(".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        sections = _read_sections(path)
        sections[heading] = text
        path.write_text(
            "".join(
                f"== {name} ==\n{sections[name].rstrip()}\n\n"
                for name in sorted(sections, key=_leading_number)
            ),
            encoding="utf-8",
        )


def _leading_number(heading: str) -> tuple[int, str]:
    digits = re.match(r"\d+", heading)
    return (int(digits.group()) if digits else 0, heading)


def _read_sections(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    parts = re.split(r"^== (.+) ==\n", path.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))
