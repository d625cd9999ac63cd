"""axe-core in the browser tests: the vendored copy, run inside a page without lifting its CSP.

The script is evaluated through the DevTools protocol (Playwright's `evaluate`), which the
page's Content-Security-Policy does not govern, so the page keeps the exact header the app
sent; adding it as a <script> element would need 'unsafe-inline'.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, TypedDict, cast

from django.conf import settings
from django.utils.csp import build_policy
from playwright.sync_api import Page

# WCAG 2.0 and 2.1, levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


class AxeNode(TypedDict):
    target: list[Any]
    html: str
    failureSummary: str


class AxeViolation(TypedDict):
    id: str
    impact: str | None
    help: str
    helpUrl: str
    nodes: list[AxeNode]


def app_csp() -> str:
    """The Content-Security-Policy header the app sends with every page."""
    return build_policy(cast("dict[str, list[str]]", settings.SECURE_CSP))


def axe_script() -> Path:
    """The one vendored axe.min.js (static/vendor/axe-core-<version>/)."""
    found = sorted(Path(settings.BASE_DIR, "static", "vendor").glob("axe-core-*/axe.min.js"))
    assert len(found) == 1, f"expected one vendored axe-core, found {found}"
    return found[0]


@cache
def _axe_source() -> str:
    return axe_script().read_text(encoding="utf-8")


def install_axe(page: Page) -> str:
    """Load axe into the page (once per document); returns its version."""
    if page.evaluate("() => typeof window.axe") != "object":
        page.evaluate("() => {\n" + _axe_source() + "\n}")
    version: str = page.evaluate("() => window.axe.version")
    return version


def _settle(page: Page) -> None:
    """Wait for the document to load and for transitions (a fading alert) to finish, so
    colours are measured as a person sees them."""
    page.wait_for_load_state("load")
    page.wait_for_function(
        "() => document.getAnimations().every(a => a.playState !== 'running')", timeout=5000
    )


def axe_violations(page: Page) -> list[AxeViolation]:
    """Run axe over the whole page with the WCAG 2.1 A and AA rules."""
    _settle(page)
    install_axe(page)
    result: dict[str, Any] = page.evaluate(
        "options => window.axe.run(document, options)",
        {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    violations: list[AxeViolation] = result["violations"]
    return violations


def describe_violations(violations: list[AxeViolation]) -> str:
    """One block per rule: id, impact, what it asks, then each offending element."""
    lines: list[str] = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"<{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            summary = " ".join(node["failureSummary"].split())
            lines.append(f"    {target}: {summary}")
    return "\n".join(lines)


def assert_no_axe_violations(page: Page) -> None:
    violations = axe_violations(page)
    assert not violations, (
        f"axe found {len(violations)} kind(s) of WCAG 2.1 A/AA violation on {page.url}:\n"
        + describe_violations(violations)
    )


def dangling_aria_references(page: Page) -> list[str]:
    """Each ARIA reference to an id that is not on the page (axe leaves these to a person
    to review; a screen reader silently reads nothing)."""
    found: list[str] = page.evaluate(
        """() => [...document.querySelectorAll(
                '[aria-describedby], [aria-labelledby], [aria-controls], [aria-errormessage]')]
            .flatMap(e => ['aria-describedby', 'aria-labelledby', 'aria-controls',
                           'aria-errormessage']
                .filter(name => e.hasAttribute(name))
                .flatMap(name => e.getAttribute(name).trim().split(/\\s+/)
                    .filter(id => id && !document.getElementById(id))
                    .map(id => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                         + ` ${name}="${id}"`)))"""
    )
    return found


def assert_aria_references_resolve(page: Page) -> None:
    dangling = dangling_aria_references(page)
    assert not dangling, f"on {page.url}, ARIA references to missing ids: " + "; ".join(dangling)
