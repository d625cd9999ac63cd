"""What a phone asks of a page: nothing scrolls sideways, and controls are big enough to tap."""

from __future__ import annotations

from playwright.sync_api import Page

# WCAG 2.5.5 (AAA) and the platforms' own guidance: a finger needs about 44 CSS px.
TAP_TARGET_PX = 44
# Buttons, links of the navigation bars and breadcrumbs, menu items, the labels of boxes
# and radio buttons, and the summaries that open folded sections. Links inside sentences
# are exempt: they wrap with the text around them.
TAP_TARGETS = (
    "button, .btn, nav a, .dropdown-item, .page-link, .form-check-label, summary, "
    ".form-control, .form-select"
)


def horizontal_overflow(page: Page) -> int:
    """How many pixels the page is wider than the window (0: nothing scrolls sideways).

    The layout viewport's width (clientWidth) as well as innerWidth: a phone browser
    zooms out to fit a page that is too wide, which widens innerWidth with it."""
    overflow: int = page.evaluate(
        """() => document.scrollingElement.scrollWidth
                 - Math.min(window.innerWidth, document.documentElement.clientWidth)"""
    )
    return max(overflow, 0)


def _widest(page: Page) -> str:
    """The innermost elements that stick out of the window or whose text does."""
    found: list[str] = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5
                || (e.scrollWidth > e.clientWidth + 1
                    && getComputedStyle(e).overflowX === 'visible'))
            .slice(-5)
            .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                 + (typeof e.className === 'string' && e.className.trim()
                    ? '.' + e.className.trim().split(/\\s+/).join('.') : ''))"""
    )
    return ", ".join(found)


def assert_no_horizontal_scroll(page: Page) -> None:
    overflow = horizontal_overflow(page)
    assert overflow == 0, (
        f"{page.url} scrolls sideways by {overflow} px at {page.viewport_size}; "
        f"wider than the window: {_widest(page)}"
    )


def small_tap_targets(page: Page) -> list[str]:
    """Each visible control less than TAP_TARGET_PX high, named with its height."""
    found: list[str] = page.evaluate(
        """([selector, least]) => [...document.querySelectorAll(selector)]
            .filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
            .filter(e => !e.closest('.visually-hidden, .visually-hidden-focusable'))
            .map(e => [e, e.getBoundingClientRect().height])
            .filter(([e, height]) => height + 0.5 < least)
            .map(([e, height]) => `${e.tagName.toLowerCase()} "${e.textContent.trim()
                .replace(/\\s+/g, ' ').slice(0, 40) || e.getAttribute('aria-label')}": `
                + `${Math.round(height)} px`)""",
        [TAP_TARGETS, TAP_TARGET_PX],
    )
    return found


def assert_finger_sized(page: Page) -> None:
    small = small_tap_targets(page)
    assert not small, f"on {page.url}, controls under {TAP_TARGET_PX} px high: " + "; ".join(small)
