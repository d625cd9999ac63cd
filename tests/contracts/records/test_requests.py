"""A client asks for their data through their link, once an emailed code proves it is them;
the coach records requests that came otherwise, and is reminded of the month to answer."""

import re
from datetime import date

import pytest
import time_machine
from django.core import mail
from django.test import Client as HttpClient
from django.test import TestCase
from django.urls import reverse

from coaching.models import User
from contracts.models import AuditEventKind, DataRequest, DataRequestChannel, SignerRole
from contracts.records.services import records_daily_pass
from tests.contracts.records.helpers import at_noon, ended_engagement
from tests.contracts.signing_helpers import link_for

pytestmark = pytest.mark.django_db


def copy_token(email: str) -> str:
    return link_for(email, "copy").strip("/").split("/")[1]


def emailed_code(email: str) -> str:
    for message in reversed(mail.outbox):
        if email in message.to and (found := re.search(r"\b(\d{6})\b", str(message.body))):
            return found.group(1)
    raise AssertionError("no code was emailed")


def test_the_client_asks_for_a_copy_through_their_link_after_the_emailed_code(
    coach: User,
) -> None:
    agreement = ended_engagement(coach)
    client_email = agreement.client.email
    token = copy_token(client_email)
    page = reverse("contracts:copy-my-data", args=[token])
    browser = HttpClient()

    first = browser.get(page).content.decode()
    assert "Email me a code" in first and "Send my request" not in first
    refused = browser.post(page, {"kind": "access"})
    assert "Send my request" not in refused.content.decode()
    assert not DataRequest.objects.exists()

    browser.post(reverse("contracts:copy-my-data-code", args=[token]))
    wrong = browser.post(
        reverse("contracts:copy-my-data-verify", args=[token]), {"code": "000000"}
    )
    assert wrong.status_code == 400
    browser.post(
        reverse("contracts:copy-my-data-verify", args=[token]),
        {"code": emailed_code(client_email)},
    )
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        asked = browser.post(page, {"kind": "access"})

    assert "Your request is with Alex Morgan" in asked.content.decode()
    made = DataRequest.objects.get()
    assert made.channel == DataRequestChannel.LINK and made.client_id == agreement.client_id
    assert agreement.events.filter(kind=AuditEventKind.DATA_REQUESTED).count() == 1
    told = [m for m in mail.outbox if coach.email in m.to]
    assert len(told) == 1 and "Jamie Client asked on" in str(told[0].body)
    browser.post(page, {"kind": "access"})
    assert DataRequest.objects.count() == 1  # asking twice makes one request


def test_only_the_client_may_ask_through_a_link(coach: User) -> None:
    agreement = ended_engagement(coach)
    sponsor = agreement.versions.get().signers.get(role=SignerRole.SPONSOR)

    response = HttpClient().get(
        reverse("contracts:copy-my-data", args=[copy_token(sponsor.email)])
    )

    assert response.status_code == 404


def test_the_coach_records_a_request_and_is_reminded_a_week_before_the_month_ends(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = ended_engagement(coach)
    with time_machine.travel(at_noon(date(2028, 3, 1))):
        http = HttpClient()
        http.force_login(coach)
        response = http.post(
            reverse("contracts:client-records-request-new", args=[agreement.client_id]),
            {"kind": "erasure", "note": "By email"},
            follow=True,
        )
        assert "Answer by 1 April 2028." in response.content.decode()
    mail.outbox.clear()

    with time_machine.travel(at_noon(date(2028, 3, 24))):
        records_daily_pass()
    assert not mail.outbox
    with time_machine.travel(at_noon(date(2028, 3, 25))):
        records_daily_pass()
    with time_machine.travel(at_noon(date(2028, 3, 26))):
        records_daily_pass()

    assert len(mail.outbox) == 1
    assert "for their personal data to be erased" in str(mail.outbox[0].body)
    assert "1 April 2028" in mail.outbox[0].subject
