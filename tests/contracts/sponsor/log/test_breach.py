"""Breaking confidentiality by the agreed procedure: the coach cites a signed limit,
walks each step, and the disclosure lands in the log citing the clause."""

from typing import Any

import pytest
import time_machine
from django.test import Client as HttpClient
from django.urls import reverse

from coaching.models import User
from contracts.models import (
    Agreement,
    AuditEvent,
    AuditEventKind,
    BreachRecord,
    DisclosureBasis,
    DisclosureEntry,
    SignerRole,
)
from contracts.sponsor.disclosure import verify_disclosures
from contracts.terms import standard_limit
from tests.conftest import make_agreement
from tests.contracts.engagement.sessions.helpers import in_force
from tests.contracts.sponsor.log.helpers import NOW, breach_answers, copy_page

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def post(http: HttpClient, agreement: Agreement, **changes: Any) -> Any:
    return http.post(
        reverse("contracts:agreement-breach-new", args=[agreement.pk]), breach_answers(**changes)
    )


def test_the_page_offers_only_the_signed_limits_with_their_wording(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = in_force(coach)

    page = signed_in.get(reverse("contracts:agreement-breach-new", args=[agreement.pk]))

    text = page.content.decode()
    assert page.status_code == 200
    assert "Risk of serious harm" in text
    assert "imminent or likely risk of serious harm" in text
    assert "The procedure you agreed" in text


def test_it_records_the_disclosure_in_the_log_citing_the_clause(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = in_force(coach)

    response = post(signed_in, agreement)

    breach = BreachRecord.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "contracts:agreement-breach", args=[agreement.pk, breach.pk]
    )
    assert breach.limit_key == "harm" and breach.client_told_first
    assert breach.consulted == [
        {"who": "supervisor", "name": "Dr Ruth Lee"},
        {"who": "insurer", "name": "Hiscox legal line"},
    ]
    entry = DisclosureEntry.objects.get()
    assert entry.breach == breach and entry.basis == DisclosureBasis.LIMIT
    assert entry.basis_reference == "harm: Risk of serious harm"
    assert entry.visible_to_client
    assert entry.at.isoformat() == "2027-03-03T10:30:00+00:00"
    assert "hurt" not in str(list(DisclosureEntry.objects.values()))
    assert verify_disclosures(coach).intact
    event = AuditEvent.objects.get(kind=AuditEventKind.BREACH_RECORDED)
    assert event.data == {"limit": "harm"}

    record = signed_in.get(response["Location"]).content.decode()
    assert "planned to hurt their manager" in record
    assert "Dr Ruth Lee" in record and "Entry 1, citing" in record
    log = signed_in.get(reverse("contracts:agreement-disclosures", args=[agreement.pk]))
    assert "The limit of confidentiality “Risk of serious harm”" in log.content.decode()
    assert "planned to hurt" not in log.content.decode()

    client_copy = copy_page(agreement, SignerRole.CLIENT)
    assert "Disclosure under a limit of confidentiality: Risk of serious harm" in client_copy
    assert "planned to hurt" not in client_copy


def test_a_limit_the_agreement_did_not_sign_is_refused(coach: User, signed_in: HttpClient) -> None:
    agreement = in_force(coach, confidentiality_limits=[standard_limit("law")])
    # What the agreement says now is not what was signed: only the signed limits count.
    Agreement.objects.filter(pk=agreement.pk).update(
        confidentiality_limits=[standard_limit("law"), standard_limit("harm")]
    )

    response = post(signed_in, agreement, limit="harm")

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not BreachRecord.objects.exists() and not DisclosureEntry.objects.exists()


def test_not_telling_the_client_first_needs_a_reason(coach: User, signed_in: HttpClient) -> None:
    agreement = in_force(coach)

    response = post(signed_in, agreement, client_told="no")

    assert response.status_code == 400
    assert "Say why the client was not told first." in response.content.decode()
    assert not BreachRecord.objects.exists()

    post(signed_in, agreement, client_told="no", not_told_reason="It would put a child at risk.")
    assert BreachRecord.objects.get().not_told_reason == "It would put a child at risk."


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"occurred_on": "2027-03-11", "disclosed_on": "2027-03-11", "disclosed_time": "09:00"},
            "This day is in the future.",
        ),
        ({"disclosed_on": "2027-03-11"}, "This time is in the future."),
        ({"disclosed_on": "2027-03-01"}, "This is before the day it came to light."),
        ({"consulted": ["other"]}, "Say who else you consulted."),
        ({"disclosed": ""}, "Write down what was disclosed."),
        ({"hide_from_client": "on"}, "Give the lawful reason, or untick the box."),
    ],
)
def test_it_refuses_a_record_that_cannot_be_right_next_to_the_field(
    changes: dict[str, Any], message: str, coach: User, signed_in: HttpClient
) -> None:
    agreement = in_force(coach)

    response = post(signed_in, agreement, **changes)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert (
        not BreachRecord.objects.exists()
        and not AuditEvent.objects.filter(kind=AuditEventKind.BREACH_RECORDED).exists()
    )


def test_a_lawful_reason_hides_it_from_the_client(coach: User, signed_in: HttpClient) -> None:
    agreement = in_force(coach)

    post(
        signed_in,
        agreement,
        limit="safeguarding",
        client_told="no",
        not_told_reason="Telling them could put the child at risk.",
        hide_from_client="on",
        hidden_from_client_reason="A safeguarding referral the client must not be alerted to.",
    )

    entry = DisclosureEntry.objects.get()
    assert not entry.visible_to_client
    assert entry.basis_reference == "safeguarding: Safeguarding"
    assert "Disclosure under a limit" not in copy_page(agreement, SignerRole.CLIENT)


def test_an_agreement_not_in_force_has_no_limit_to_cite(
    coach: User, signed_in: HttpClient
) -> None:
    draft = make_agreement(coach=coach)

    page = signed_in.get(reverse("contracts:agreement-breach-new", args=[draft.pk]))
    response = post(signed_in, draft)

    assert "This agreement is not in force" in page.content.decode()
    assert response.status_code == 409
    assert not BreachRecord.objects.exists()
