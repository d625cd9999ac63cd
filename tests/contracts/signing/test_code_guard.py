"""When an agreement asks for an emailed code, no link shows or does anything without it."""

import re

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.urls import URLPattern, get_resolver, reverse
from django.utils import timezone

from coaching.models import User
from contracts.engagement.intake.questions import built_in_questions
from contracts.engagement.intake.services import intake_send
from contracts.models import RequestChannel, Signer, SignerRole
from contracts.reviews import services as reviews
from contracts.signing import services as signing
from contracts.sponsor.asking import request_receive
from contracts.sponsor.requests import services as releases
from tests.contracts.engagement.intake.helpers import intake_link
from tests.contracts.signing_helpers import link_for, send_agreement, signer
from tests.test_isolation import walk

pytestmark = pytest.mark.django_db

# The pages where the code is asked for and entered: the only ones open without it.
CODE_PAGES = {
    "contracts:sign-code",
    "contracts:sign-verify",
    "contracts:copy-code",
    "contracts:copy-verify",
    "contracts:review-code",
    "contracts:review-verify",
    "contracts:intake-code",
    "contracts:intake-verify",
    "contracts:decide-code",
    "contracts:decide-verify",
    "contracts:copy-my-data-code",
    "contracts:copy-my-data-verify",
}


def link_routes() -> list[tuple[str, URLPattern]]:
    # The sponsor portal's sign-in link is not a party's link to an agreement: it is
    # itself the proof from the mailbox, and shows nothing before it is used.
    return [
        (name, pattern)
        for name, pattern in walk(get_resolver().url_patterns)
        if name.startswith("contracts:")
        and "token" in pattern.pattern.converters
        and not name.startswith("contracts:portal-")
    ]


def newest_code(email: str) -> str:
    for message in reversed(mail.outbox):
        if email in message.to and (found := re.search(r"\b(\d{6})\b", str(message.body))):
            return found.group(1)
    raise AssertionError(f"no code was emailed to {email}")


def review_link_for(email: str) -> str:
    for message in reversed(mail.outbox):
        if email in message.to and (
            found := re.search(r"(/review/[A-Za-z0-9_-]+/)", str(message.body))
        ):
            return found.group(1)
    raise AssertionError(f"no review link was emailed to {email}")


def _link(email: str, kind: str) -> str:
    for message in reversed(mail.outbox):
        if email in message.to and (found := re.search(rf"/{kind}/([\w-]+)/", str(message.body))):
            return found.group(1)
    raise AssertionError(f"no {kind} link was emailed to {email}")


def _sign_everyone(signers: list[Signer]) -> None:
    for person in signers:
        Signer.objects.filter(pk=person.pk).update(code_verified_at=timezone.now())
        limits = [
            item["key"] for item in person.version.snapshot["terms"]["confidentiality_limits"]
        ]
        signature = signing.Signature(
            typed_name=person.name,
            intent="Sign",
            limits=limits,
            authority=person.role == SignerRole.SPONSOR,
        )
        signing.signer_sign(signer=Signer.objects.get(pk=person.pk), signature=signature)


@pytest.fixture
def tokens(coach: User) -> dict[str, str]:
    """A token of each kind of link, all of agreements that ask for a code."""
    pending = send_agreement(coach, require_email_code=True)
    signed = send_agreement(coach, require_email_code=True, observers=1)
    _sign_everyone(list(signed.signers.exclude(role=SignerRole.OBSERVER)))
    review = reviews.review_start(agreement=signed.agreement, coach=coach)
    reviews.review_still_holds(review=review, coach=coach)
    client_email = signed.agreement.client.email
    intake_send(agreement=signed.agreement, coach=coach, questions=built_in_questions())
    sponsor = signed.agreement.sponsor_signatory
    assert sponsor is not None
    asked = request_receive(
        agreement=signed.agreement,
        contact=sponsor,
        kind="progress",
        asked="Progress",
        channel=RequestChannel.COACH,
        actor="Coach",
    )
    release = releases.release_prepare(
        agreement=signed.agreement,
        coach=coach,
        title="Progress",
        body="Steady.",
        information_request=asked,
    )
    releases.release_to_client(release=release, coach=coach)
    return {
        "decide": _link(client_email, "decide"),
        "intake": intake_link(client_email).split("/")[2],
        "sign": link_for(pending.agreement.client.email).split("/")[2],
        "copy": link_for(client_email, "copy").split("/")[2],
        "review": review_link_for(client_email).split("/")[2],
    }


def test_every_page_of_every_link_asks_for_the_code_first(tokens: dict[str, str]) -> None:
    routes = link_routes()
    assert {name for name, _ in routes} >= CODE_PAGES
    checked = []
    for name, pattern in routes:
        if name in CODE_PAGES:
            continue
        kind = str(pattern.pattern).split("/", 1)[0]
        # Other arguments (a release's id) are never looked at before the code.
        others = {key: 1 for key in pattern.pattern.converters if key != "token"}
        url = reverse(name, kwargs={"token": tokens[kind], **others})
        for method in ("get", "post"):
            response = getattr(HttpClient(), method)(url)
            if response.status_code == 405:
                continue
            assert response.status_code == 200, (method, url, response.status_code)
            page = response.content.decode()
            assert "Confirm it is you" in page, (method, url)
            assert "Email me a code" in page, (method, url)
            checked.append((name, method))
    assert {name for name, _ in checked} >= {
        "contracts:sign",
        "contracts:sign-pdf",
        "contracts:sign-decline",
        "contracts:copy",
        "contracts:copy-pdf",
        "contracts:review-confirm",
        "contracts:intake",
        "contracts:decide",
        "contracts:release-copy",
        "contracts:release-copy-pdf",
    }


def test_once_the_code_is_entered_the_copy_opens_in_that_browser_only(coach: User) -> None:
    version = send_agreement(coach, require_email_code=True, observers=1)
    observer = version.signers.get(role=SignerRole.OBSERVER)
    token = link_for(observer.email, "copy").split("/")[2]
    browser = HttpClient()

    asked = browser.post(reverse("contracts:copy-code", args=[token]))
    assert "We have emailed a code" in asked.content.decode()
    entered = browser.post(
        reverse("contracts:copy-verify", args=[token]), {"code": newest_code(observer.email)}
    )
    assert entered["Location"] == reverse("contracts:copy", args=[token])

    page = browser.get(reverse("contracts:copy", args=[token]))
    assert page.status_code == 200
    assert version.agreement.title in page.content.decode()
    assert (
        "Confirm it is you"
        in HttpClient().get(reverse("contracts:copy", args=[token])).content.decode()
    )


def test_declining_needs_the_code_too(coach: User) -> None:
    version = send_agreement(coach, require_email_code=True)
    token = link_for(version.agreement.client.email).split("/")[2]
    response = HttpClient().post(
        reverse("contracts:sign-decline", args=[token]), {"reason": "Forwarded link."}
    )
    assert "Confirm it is you" in response.content.decode()
    assert signer(version, SignerRole.CLIENT).declined_at is None


def test_every_answer_through_a_link_is_kept_out_of_caches(coach: User) -> None:
    version = send_agreement(coach)
    path = link_for(version.agreement.client.email)
    for url in (path, "/sign/not-a-token/"):
        response = HttpClient().get(url)
        assert "no-store" in response["Cache-Control"], url


def test_the_code_step_answers_a_revisit_without_sending_another_code(coach: User) -> None:
    version = send_agreement(coach, require_email_code=True)
    email = version.agreement.client.email
    token = link_for(email).split("/")[2]
    browser = HttpClient()
    ask = reverse("contracts:sign-code", args=[token])
    enter = reverse("contracts:sign-verify", args=[token])

    before = browser.get(ask)
    assert before.status_code == 200
    assert "Email me a code" in before.content.decode()
    assert 'name="code"' not in before.content.decode(), "no box before a code exists"

    browser.post(ask)
    sent = len(mail.outbox)
    for url in (ask, enter):
        again = browser.get(url)
        assert again.status_code == 200, url
        page = again.content.decode()
        assert 'name="code"' in page and "Send me another code" in page, url
    assert len(mail.outbox) == sent, "a revisit sends nothing"
