"""The signing page in a browser: errors where the eye is, a drawing that is what the pad
shows, and a page that works on a phone."""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from coaching.models import User
from contracts.models import SignerRole, SignerStatus
from contracts.signing import services as signing
from tests.conftest import make_agreement
from tests.contracts.signing_helpers import link_for
from tests.e2e.conftest import draw_signature

pytestmark = pytest.mark.e2e

INKED = """canvas => {
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
    let inked = 0;
    for (let i = 3; i < data.data.length; i += 4) if (data.data[i] > 0) inked += 1;
    return inked;
}"""

MAX_HEIGHT = 6000
MIN_TARGET = 44
WIDTHS = [390, 1280]


def inked_pixels(page: Page) -> int:
    """How many pixels of the signature pad are drawn on."""
    count: int = page.locator("[data-signature-pad] canvas").evaluate(INKED)
    return count


def test_a_failed_submit_focuses_the_summary_and_a_cleared_drawing_is_never_sealed(
    live_server: LiveServer, new_visitor: Callable[[], Page], coach: User
) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    version = signing.agreement_send(agreement=agreement, coach=coach)
    page = new_visitor()
    page.goto(live_server.url + link_for(agreement.client.email))
    draw_signature(page)
    drawing = page.locator("input[name=drawn_signature]")
    expect(drawing).to_have_value(re.compile(r"^data:image/png;base64,"))

    page.get_by_role("button", name="Sign the agreement").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_be_in_viewport()
    assert page.evaluate("window.scrollY") > 0, "the page moved to the summary"
    expect(page.get_by_label("Type your full name to sign")).to_have_value("")
    expect(drawing).to_have_value(re.compile(r"^data:image/png;base64,"))
    # The drawing sent back is on the pad again, as the signer left it.
    page.wait_for_function(
        f"() => ({INKED})(document.querySelector('[data-signature-pad] canvas')) > 0",
        timeout=5000,
    )

    summary.get_by_role("link", name="Type your full name: it is your signature.").click()
    expect(page.get_by_label("Type your full name to sign")).to_be_focused()

    page.get_by_role("button", name="Clear the drawing").click()
    expect(drawing).to_have_value("")
    assert inked_pixels(page) == 0
    boxes = page.locator("form.signing-form input[type=checkbox]")
    for index in range(boxes.count()):
        boxes.nth(index).check()
    page.get_by_role("button", name="Sign the agreement").click()

    # Failed again (no name): what was cleared does not come back.
    expect(page.locator("#error-summary")).to_be_focused()
    expect(drawing).to_have_value("")
    assert inked_pixels(page) == 0
    for index in range(boxes.count()):
        expect(boxes.nth(index)).to_be_checked()
    page.get_by_label("Type your full name to sign").fill("Jamie Client")
    page.get_by_role("button", name="Sign the agreement").click()
    expect(page.get_by_role("heading", name="Thank you, Jamie Client")).to_be_visible()

    client = version.signers.get(role=SignerRole.CLIENT)
    assert client.status == SignerStatus.SIGNED
    assert client.drawn_signature is None


def test_a_decline_without_a_reason_focuses_the_summary_by_the_reason(
    live_server: LiveServer, new_visitor: Callable[[], Page], coach: User
) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    signing.agreement_send(agreement=agreement, coach=coach)
    page = new_visitor()
    page.goto(live_server.url + link_for(agreement.client.email))
    page.get_by_text("I do not want to sign this agreement").click()
    page.get_by_role("button", name="Decline to sign").click()

    expect(page.locator("#error-summary")).to_be_focused()
    reason = page.get_by_label("Why are you declining?")
    expect(reason).to_be_visible()
    expect(reason).to_be_in_viewport()
    page.locator("#error-summary").get_by_role("link").click()
    expect(reason).to_be_focused()


def measure(page: Page) -> dict[str, object]:
    """The page's size, and every tap target lower than the minimum (with its text)."""
    result: dict[str, object] = page.evaluate(
        """min => {
            const root = document.documentElement;
            const small = [];
            const targets = document.querySelectorAll([
                "main button", "main summary", "main .form-check", "#error-summary a",
                "main .sign-pdf-link",
            ].join(", "));
            for (const element of targets) {
                const box = element.getBoundingClientRect();
                if (box.width === 0 && box.height === 0) continue;  // inside a closed section
                if (box.height < min) {
                    small.push(element.tagName + " " + Math.round(box.height) + "px: " +
                        element.textContent.trim().slice(0, 60));
                }
            }
            return {
                height: root.scrollHeight,
                scrollWidth: root.scrollWidth,
                clientWidth: root.clientWidth,
                small: small,
            };
        }""",
        MIN_TARGET,
    )
    return result


@pytest.mark.parametrize("role", [SignerRole.CLIENT, SignerRole.SPONSOR])
@pytest.mark.parametrize("width", WIDTHS)
def test_the_signing_page_fits_a_phone_without_sideways_scrolling(
    live_server: LiveServer,
    new_visitor: Callable[[], Page],
    coach: User,
    width: int,
    role: SignerRole,
) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    version = signing.agreement_send(agreement=agreement, coach=coach)
    page = new_visitor()
    page.set_viewport_size({"width": width, "height": 844 if width < 600 else 900})
    page.goto(live_server.url + link_for(version.signers.get(role=role).email))
    expect(page.get_by_role("heading", name="The agreement in brief")).to_be_visible()

    found = measure(page)

    print(
        f"The {role.label.lower()}'s signing page at {width} px wide: {found['height']} px "
        "high, sections closed"
    )
    assert found["scrollWidth"] == found["clientWidth"], "nothing scrolls sideways"
    assert isinstance(found["height"], int) and found["height"] <= MAX_HEIGHT
    assert found["small"] == [], "every tap target is at least 44 px high"

    # After a failed submit the summary's links are tap targets too.
    page.get_by_role("button", name="Sign the agreement").click()
    expect(page.locator("#error-summary")).to_be_focused()
    failed = measure(page)
    assert failed["scrollWidth"] == failed["clientWidth"]
    assert failed["small"] == []
