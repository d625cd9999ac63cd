"""The coach's home asks the same queries however much needs their attention, and reads
only the columns each list shows."""

from __future__ import annotations

from collections.abc import Callable

import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coaching.models import User
from contracts.models import Agreement, EmailState, OutgoingEmail, RequestChannel, SignerRole
from contracts.signing import services as signing
from contracts.sponsor.asking import request_receive
from tests.contracts.records.helpers import sign_everyone
from tests.contracts.signing_helpers import send_agreement

# The session, the coach with their profile, the requests, the clients, sponsors and
# contacts counted, the drafts and amendments counted together, then one query per list:
# reviews due, declines, emails not delivered, waiting for signatures, ending soon.
HOME_QUERIES = 12
TODAY = "2027-06-01 09:00Z"


def a_bit_of_everything(coach: User) -> None:
    """One agreement in each list on the home page."""
    signed = send_agreement(coach, start_date="2027-01-11", end_date="2027-07-09")
    sign_everyone(signed)
    Agreement.objects.filter(pk=signed.agreement_id).update(next_review_on="2027-05-20")
    sponsor = signed.agreement.sponsor_signatory
    assert sponsor is not None
    request_receive(
        agreement=signed.agreement,
        contact=sponsor,
        kind="progress",
        asked="How is it going?",
        channel=RequestChannel.COACH,
        actor="Coach",
    )
    send_agreement(coach)  # waiting for signatures
    declined = send_agreement(coach)
    client = declined.signers.get(role=SignerRole.CLIENT)
    signing.signer_decline(signer=client, reason="The fee is wrong.")
    invitation = OutgoingEmail.objects.filter(signer__version=declined).first()
    assert invitation is not None
    OutgoingEmail.objects.filter(pk=invitation.pk).update(
        state=EmailState.FAILED, last_answer="550 No such mailbox"
    )


def home_queries(http: HttpClient) -> tuple[list[str], str]:
    with CaptureQueriesContext(connection) as queries:
        response = http.get(reverse("coaching:home"))
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries], response.content.decode()


def test_the_home_page_asks_the_same_queries_with_every_list_full(
    coach: User, sign_in: Callable[[User], HttpClient]
) -> None:
    with time_machine.travel(TODAY, tick=False):
        http = sign_in(coach)
        empty, _ = home_queries(http)
        for _ in range(2):
            a_bit_of_everything(coach)
        full, page = home_queries(http)

    for heading in (
        "Requests for information",
        "Declined",
        "Emails not delivered",
        "Reviews due",
        "Waiting for signatures",
        "Ending soon",
    ):
        assert heading in page, heading
    assert len(full) == len(empty) == HOME_QUERIES, full


def test_the_home_page_never_reads_an_agreements_terms(
    coach: User, sign_in: Callable[[User], HttpClient]
) -> None:
    with time_machine.travel(TODAY, tick=False):
        a_bit_of_everything(coach)
        queries, page = home_queries(sign_in(coach))

    assert "Ending soon" in page
    terms = ('"sharing"', '"confidentiality_limits"', '"snapshot"', '"goals"')
    assert not [sql for sql in queries if any(column in sql for column in terms)]
