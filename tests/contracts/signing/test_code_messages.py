"""The emailed code step says one thing at a time: what to do now, and nothing that
contradicts it, whether the code is yet to be asked for, sent, sent again, expired,
mistyped, used up, or asked for too often."""

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from coaching.models import User
from tests.contracts.documents.helpers import newest_code
from tests.contracts.signing_helpers import link_for, send_agreement

pytestmark = pytest.mark.django_db

ASK = "Press the button and we will email you a code. It works for 10 minutes."
SENT = "We have emailed a code to the address this link was sent to. It works for 10 minutes."
RESENT = "A new code is on its way; the earlier one no longer works."
EXPIRED = "That code has expired: codes work for 10 minutes. Ask for a new one."
WRONG = "That code is wrong."
SPENT = "That code was entered wrongly too many times. Ask for a new code."
SENDING_PAUSED = (
    "Several codes were sent just now. Use the latest one, or wait ten minutes before asking "
    "again."
)
CHECKING_PAUSED = "Too many codes were tried in the last hour. Wait an hour, then try again."
# Every message the code step says or has said, so that a stray second one is caught.
EVERY_MESSAGE = [
    ASK,
    SENT,
    RESENT,
    EXPIRED,
    WRONG,
    SPENT,
    SENDING_PAUSED,
    CHECKING_PAUSED,
    "We have emailed a code",
    "Ask for a code first",
    "Several codes were sent just now",
    "no tries are left",
    "There were too many attempts",
]


def messages_on(page: str) -> list[str]:
    """The messages on the page, each counted once (a shorter one inside a longer is not)."""
    found = [message for message in EVERY_MESSAGE if message in page]
    return [m for m in found if not any(m != other and m in other for other in found)]


def one_message(response: Any, expected: str) -> str:
    page: str = response.content.decode()
    assert messages_on(page) == [expected], messages_on(page)
    return page


class CodeStepVisit:
    """A browser at the code step of the client's signing link."""

    def __init__(self, coach: User) -> None:
        version = send_agreement(coach, require_email_code=True)
        self.email = version.agreement.client.email
        self.token = link_for(self.email).split("/")[2]
        self.browser = HttpClient()
        self.ask_url = reverse("contracts:sign-code", args=[self.token])
        self.enter_url = reverse("contracts:sign-verify", args=[self.token])

    def ask(self) -> Any:
        return self.browser.post(self.ask_url)

    def enter(self, code: str) -> Any:
        return self.browser.post(self.enter_url, {"code": code})

    def wrong_code(self) -> str:
        return f"{(int(newest_code(self.email)) + 1) % 10**6:06d}"


@pytest.fixture
def visit(coach: User) -> CodeStepVisit:
    return CodeStepVisit(coach)


def test_before_any_code_the_page_offers_one_and_says_only_that(visit: CodeStepVisit) -> None:
    for response in (visit.browser.get(visit.ask_url), HttpClient().get(link_for(visit.email))):
        page = one_message(response, ASK)
        assert 'name="code"' not in page
        assert "Email me a code" in page


def test_a_code_sent_then_sent_again_says_the_earlier_one_no_longer_works(
    visit: CodeStepVisit,
) -> None:
    page = one_message(visit.ask(), SENT)
    assert 'name="code"' in page and "Send me another code" in page
    earlier = newest_code(visit.email)
    page = one_message(visit.ask(), RESENT)
    assert 'name="code"' in page
    assert newest_code(visit.email) != earlier  # fails once in a million: the same code
    one_message(visit.enter(earlier), WRONG)


def test_a_revisit_after_a_resend_shows_the_box_and_one_message(visit: CodeStepVisit) -> None:
    visit.ask()
    visit.ask()
    sent = len(mail.outbox)
    for url in (visit.ask_url, visit.enter_url):
        page = one_message(visit.browser.get(url), SENT)
        assert 'name="code"' in page
    page = one_message(HttpClient().get(link_for(visit.email)), SENT)
    assert "Enter the code" in page
    assert len(mail.outbox) == sent, "a revisit sends nothing"


def test_an_expired_code_says_so_once_and_offers_a_new_one(visit: CodeStepVisit) -> None:
    visit.ask()
    code = newest_code(visit.email)
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        for response in (visit.browser.get(visit.ask_url), visit.enter(code)):
            page = one_message(response, EXPIRED)
            assert 'name="code"' not in page
            assert "Email me a new code" in page


def test_a_wrong_code_says_so_beside_the_box_and_nothing_else(visit: CodeStepVisit) -> None:
    visit.ask()
    response = visit.enter(visit.wrong_code())
    assert response.status_code == 400
    page = one_message(response, WRONG)
    assert "You have 4 tries left." in page
    assert 'name="code"' in page


def test_a_code_entered_wrongly_too_often_says_so_once_without_the_box(
    visit: CodeStepVisit,
) -> None:
    visit.ask()
    wrong = visit.wrong_code()
    for _ in range(4):
        visit.enter(wrong)
    for response in (visit.enter(wrong), visit.browser.get(visit.enter_url)):
        page = one_message(response, SPENT)
        assert 'name="code"' not in page
        assert "Email me a new code" in page


def test_asking_for_codes_too_often_says_to_wait_and_keeps_the_latest_box(
    visit: CodeStepVisit,
) -> None:
    for _ in range(3):
        visit.ask()
    response = visit.ask()
    assert response.status_code == 429
    page = one_message(response, SENDING_PAUSED)
    assert 'name="code"' in page, "the latest code still works"
    assert "Send me another code" not in page


def test_trying_codes_too_often_says_to_wait(visit: CodeStepVisit) -> None:
    statuses = []
    for _ in range(2):  # two codes, each mistyped until used up: ten tries in all
        visit.ask()
        wrong = visit.wrong_code()
        statuses += [visit.enter(wrong).status_code for _ in range(5)]
    assert statuses == [400] * 10
    response = visit.enter(wrong)
    assert response.status_code == 429
    page = one_message(response, CHECKING_PAUSED)
    assert 'name="code"' not in page


def test_entering_a_code_before_asking_for_one_says_only_to_ask(visit: CodeStepVisit) -> None:
    for typed in ("123456", ""):
        page = one_message(visit.enter(typed), ASK)
        assert 'name="code"' not in page


def test_once_the_code_is_entered_coming_back_to_the_step_goes_on_to_sign(
    visit: CodeStepVisit,
) -> None:
    visit.ask()
    assert visit.enter(newest_code(visit.email)).status_code == 302
    again = visit.browser.get(visit.ask_url)
    assert again["Location"] == reverse("contracts:sign", args=[visit.token])
