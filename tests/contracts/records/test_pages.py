"""The coach's pages of records: due, one agreement's, holds placed and lifted, an early end."""

from collections.abc import Callable
from datetime import date

import pytest
import time_machine
from django.test import Client as HttpClient
from django.urls import reverse

from coaching.models import User
from contracts.models import AuditEventKind, LegalHold, Termination
from tests.conftest import make_agreement
from tests.contracts.records.helpers import at_noon, ended_engagement

pytestmark = pytest.mark.django_db


def test_the_due_page_lists_what_is_due_and_soon_and_nothing_of_other_coaches(
    coach: User, other_coach: User, sign_in: Callable[[User], HttpClient]
) -> None:
    mine = ended_engagement(coach, periods={"notes": 2})
    theirs = ended_engagement(other_coach, periods={"notes": 2})
    records = reverse("contracts:records-due")

    with time_machine.travel(at_noon(date(2029, 5, 1))):
        soon = sign_in(coach).get(records).content.decode()
    with time_machine.travel(at_noon(date(2029, 7, 10))):
        due = sign_in(coach).get(records).content.decode()

    assert "Coach&#x27;s session notes on 9 July 2029" in soon
    assert "Nothing is due for disposal." in soon
    assert "Coach&#x27;s session notes (2)" in due and "Review and dispose" in due
    mine_url = reverse("contracts:agreement-records", args=[mine.pk])
    theirs_url = reverse("contracts:agreement-records", args=[theirs.pk])
    assert mine_url in due and theirs_url not in due


def test_an_agreements_records_page_shows_each_class_with_its_period_and_date(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = ended_engagement(coach, periods={"notes": 2})

    page = signed_in.get(reverse("contracts:agreement-records", args=[agreement.pk]))

    text = page.content.decode()
    assert "Retention periods from version 1, signed." in text
    assert "The engagement ends on <strong>9 July 2027</strong>" in text
    assert "9 July 2029" in text and "9 July 2034" in text
    assert "Engagement running" in text


def test_a_draft_has_no_retention_yet(coach: User, signed_in: HttpClient) -> None:
    draft = make_agreement(coach=coach)

    page = signed_in.get(reverse("contracts:agreement-records", args=[draft.pk]))

    assert "no retention applies to it yet" in page.content.decode()


def test_the_coach_holds_an_agreement_with_a_reason_and_lifts_it_with_another(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = ended_engagement(coach)
    url = reverse("contracts:agreement-records-hold", args=[agreement.pk])

    refused = signed_in.post(url, {"reason": "  "})
    assert "Say why the records are held." in refused.content.decode()
    signed_in.post(url, {"reason": "A complaint to the EMCC"})
    hold = LegalHold.objects.get(agreement=agreement)
    page = signed_in.get(reverse("contracts:agreement-records", args=[agreement.pk]))
    assert "On hold</strong>" in page.content.decode()

    lift = reverse("contracts:records-hold-lift", args=[hold.pk])
    signed_in.post(lift, {"reason": "Closed by the EMCC"})

    hold.refresh_from_db()
    assert hold.lifted_at is not None and hold.lift_reason == "Closed by the EMCC"
    assert "This hold was lifted on" in signed_in.post(lift, {"reason": "Again"}).content.decode()
    kinds = list(agreement.events.values_list("kind", flat=True))
    assert kinds[-2:] == [AuditEventKind.HOLD_PLACED, AuditEventKind.HOLD_LIFTED]


def test_a_client_is_put_on_hold_from_their_records_page(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = ended_engagement(coach)

    signed_in.post(
        reverse("contracts:client-records-hold", args=[agreement.client_id]),
        {"reason": "A claim"},
    )

    page = signed_in.get(reverse("contracts:client-records", args=[agreement.client_id]))
    assert "Every agreement of Jamie Client" in page.content.decode()
    assert LegalHold.objects.get().client_id == agreement.client_id


def test_an_early_end_is_refused_next_to_the_date_when_it_is_not_earlier(coach: User) -> None:
    agreement = ended_engagement(coach)
    url = reverse("contracts:agreement-records-ended", args=[agreement.pk])

    with time_machine.travel(at_noon(date(2027, 8, 1))):
        http = HttpClient()
        http.force_login(coach)
        refused = http.post(url, {"ended_on": "2027-07-20"})
        http.post(url, {"ended_on": "2027-05-31", "reason": "Left the company"})

    assert "That is not earlier than the end date signed" in refused.content.decode()
    assert Termination.objects.get(agreement=agreement).ended_on == date(2027, 5, 31)
