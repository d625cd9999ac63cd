"""A version in force stays in force, and is shown so, while its amendment is drafted."""

from collections.abc import Callable
from datetime import date

import pytest
import time_machine
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from coaching.models import User
from contracts.models import Agreement, AgreementStatus
from contracts.reviews import services as reviews
from tests.conftest import make_agreement
from tests.contracts.drafting.list_helpers import listed_pks
from tests.contracts.engagement.sessions.helpers import in_force

pytestmark = pytest.mark.django_db

AMENDING = "In force (amendment in draft)"


def being_amended(coach: User, **fields: object) -> Agreement:
    agreement = in_force(coach, **fields)
    review = reviews.review_start(agreement=agreement, coach=coach)
    reviews.review_amend(review=review, coach=coach)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DRAFT
    return agreement


def listed(http: HttpClient, **query: str) -> list[Agreement]:
    response = http.get(reverse("contracts:agreement-list"), query)
    shown = listed_pks(response)
    found = Agreement.objects.in_bulk(shown)
    return [found[pk] for pk in shown]


def test_the_list_shows_an_amended_agreement_in_force_not_draft(
    coach: User, signed_in: HttpClient
) -> None:
    being_amended(coach)

    page = signed_in.get(reverse("contracts:agreement-list")).content.decode()

    assert f'<span class="badge status-amending">{AMENDING}</span>' in page
    assert 'status-draft">' not in page


def test_the_status_filter_finds_an_amended_agreement_under_in_force(
    coach: User, signed_in: HttpClient
) -> None:
    amended = being_amended(coach)
    draft = make_agreement(coach=coach)
    signed = in_force(coach)

    assert set(listed(signed_in, status="in_force")) == {amended, signed}
    assert listed(signed_in, status="amending") == [amended]
    assert listed(signed_in, status="draft") == [draft]
    assert set(listed(signed_in, status="signed")) == {amended, signed}, "an old bookmark"
    options = signed_in.get(reverse("contracts:agreement-list")).content.decode()
    assert '<option value="in_force">In force</option>' in options


def test_the_list_reads_every_status_in_a_fixed_number_of_queries(
    coach: User, signed_in: HttpClient, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    for _ in range(3):
        being_amended(coach)
        make_agreement(coach=coach)
    with django_assert_max_num_queries(8):
        page = signed_in.get(reverse("contracts:agreement-list")).content.decode()
    assert page.count(AMENDING) == 3


def test_the_agreement_page_shows_it_in_force_with_its_signed_pdf(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = being_amended(coach)

    page = signed_in.get(agreement.get_absolute_url()).content.decode()

    assert AMENDING in page
    assert "version 1 stays in force" in page
    assert reverse("contracts:agreement-pdf", args=[agreement.pk, "executed"]) in page
    sealed = signed_in.get(reverse("contracts:agreement-pdf", args=[agreement.pk, "executed"]))
    assert sealed.status_code in {200, 202}, "the version in force can be downloaded"


def test_the_home_page_counts_no_amendment_as_a_draft_and_says_it_stays_in_force(
    coach: User, sign_in: Callable[[User], HttpClient]
) -> None:
    agreement = being_amended(coach, end_date=date(2027, 7, 9))
    make_agreement(coach=coach)

    with time_machine.travel("2027-06-01 10:00Z", tick=False):
        response = sign_in(coach).get(reverse("coaching:home"))

    page = response.content.decode()
    assert response.context["counts"]["drafts"] == 1
    assert "and 1 amendment in draft, the version signed staying in force" in page
    assert list(response.context["ending"]) == [agreement], "its engagement still ends"


def test_the_client_page_shows_it_in_force(coach: User, signed_in: HttpClient) -> None:
    agreement = being_amended(coach)

    page = signed_in.get(reverse("coaching:client-detail", args=[agreement.client_id]))

    assert AMENDING in page.content.decode()


def test_a_signed_agreement_reads_in_force(coach: User, signed_in: HttpClient) -> None:
    in_force(coach)
    page = signed_in.get(reverse("contracts:agreement-list")).content.decode()
    assert '<span class="badge status-in_force">In force</span>' in page
