"""Programmes: created and extended with their history, their agreements, and the budget
used and left."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from coaching.models import Client, User
from contracts.models import (
    Agreement,
    AgreementStatus,
    CoachingSession,
    FeeBasis,
    Programme,
    ProgrammeChange,
    ProgrammeChangeKind,
)
from contracts.sponsor.programmes.services import programme_budget, programme_for_portal
from tests.conftest import make_agreement, make_client, make_contact, make_organisation
from tests.contracts.engagement.sessions.helpers import in_force
from tests.contracts.sponsor.programmes.helpers import make_programme

pytestmark = pytest.mark.django_db


def _fields(organisation_pk: int, **changes: str) -> dict[str, str]:
    data = {
        "organisation": str(organisation_pk),
        "name": "Leaders 2027",
        "purchase_order": "PO-4471",
        "budget_sessions": "30",
        "budget_amount": "",
        "currency": "GBP",
        "start_date": "2027-01-04",
        "end_date": "2027-12-17",
    }
    data.update(changes)
    return data


def test_it_creates_a_programme_and_records_its_creation(
    coach: User, signed_in: HttpClient
) -> None:
    organisation = make_organisation(coach=coach)

    response = signed_in.post(reverse("contracts:programme-new"), _fields(organisation.pk))

    programme = Programme.objects.get()
    assert response.status_code == 302
    assert (programme.coach, programme.organisation, programme.purchase_order) == (
        coach,
        organisation,
        "PO-4471",
    )
    assert programme.budget_sessions == 30
    assert programme.changes.get().kind == ProgrammeChangeKind.CREATED


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"end_date": "2027-01-04"}, "end_date", "The end date must be after the start date."),
        ({"end_date": "2026-06-01"}, "end_date", "The end date must be after the start date."),
        (
            {"budget_sessions": ""},
            "budget_sessions",
            "Give a budget in sessions, in money, or both.",
        ),
        (
            {"budget_sessions": "0"},
            "budget_sessions",
            "A budget in sessions is at least 1 session.",
        ),
        (
            {"budget_sessions": "", "budget_amount": "-5"},
            "budget_amount",
            "A budget in money is more than zero.",
        ),
        ({"name": ""}, "name", "Give the programme a name."),
    ],
)
def test_it_refuses_a_bad_programme_next_to_the_field(
    coach: User, signed_in: HttpClient, changes: dict[str, str], field: str, message: str
) -> None:
    organisation = make_organisation(coach=coach)

    response = signed_in.post(
        reverse("contracts:programme-new"), _fields(organisation.pk, **changes)
    )

    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert not Programme.objects.exists()


def test_another_coachs_organisation_cannot_be_chosen(
    other_coach: User, signed_in: HttpClient
) -> None:
    theirs = make_organisation(coach=other_coach)

    response = signed_in.post(reverse("contracts:programme-new"), _fields(theirs.pk))

    assert response.status_code == 400
    assert "organisation" in response.context["form"].errors
    assert not Programme.objects.exists()


def test_extending_keeps_who_changed_what_from_what_to_what(
    coach: User, signed_in: HttpClient
) -> None:
    programme = make_programme(coach, budget_sessions=20, budget_amount=None)

    response = signed_in.post(
        reverse("contracts:programme-edit", args=[programme.pk]),
        _fields(programme.organisation_id, budget_sessions="26", end_date="2028-03-31"),
    )

    assert response.status_code == 302
    programme.refresh_from_db()
    assert (programme.budget_sessions, programme.end_date) == (26, date(2028, 3, 31))
    change = programme.changes.get(kind=ProgrammeChangeKind.EDITED)
    assert change.by == coach
    assert change.changes["budget_sessions"] == [20, 26]
    assert change.changes["end_date"] == ["2027-12-17", "2028-03-31"]
    page = signed_in.get(reverse("contracts:programme-detail", args=[programme.pk]))
    assert "Budget in sessions: 20 → 26" in page.content.decode()


def test_saving_without_a_change_records_nothing(coach: User, signed_in: HttpClient) -> None:
    programme = make_programme(coach, budget_amount=None, purchase_order="PO-1")

    signed_in.post(
        reverse("contracts:programme-edit", args=[programme.pk]),
        _fields(
            programme.organisation_id,
            purchase_order="PO-1",
            budget_sessions="20",
            name="Leaders 2027",
        ),
    )

    assert not ProgrammeChange.objects.filter(kind=ProgrammeChangeKind.EDITED).exists()


def test_another_coachs_programme_is_404(
    other_coach: User, sign_in: Callable[[User], HttpClient], coach: User
) -> None:
    programme = make_programme(other_coach)
    http = sign_in(coach)

    assert http.get(reverse("contracts:programme-detail", args=[programme.pk])).status_code == 404
    assert http.get(reverse("contracts:programme-edit", args=[programme.pk])).status_code == 404
    assert http.get(reverse("contracts:programme-bulk", args=[programme.pk])).status_code == 404


def _used(agreement: Agreement, count: int) -> None:
    version = agreement.version_in_force()
    assert version is not None
    for _ in range(count):
        CoachingSession.objects.create(
            agreement=agreement,
            version=version,
            starts_at=timezone.now(),
            minutes=60,
            format="video",
            status="held",
            counted=True,
        )


def test_the_budget_adds_up_what_each_agreement_commits_and_has_used(coach: User) -> None:
    programme = make_programme(coach, budget_sessions=20, budget_amount=Decimal("10000.00"))
    organisation = programme.organisation

    def client() -> Client:
        return make_client(coach=coach, organisation=organisation)

    signed = in_force(
        coach,
        client=client(),
        programme=programme,
        session_count=6,
        fee_basis=FeeBasis.PACKAGE,
        fee_amount=Decimal("4800.00"),
    )
    # The draft changed after signing does not count: the version in force does.
    Agreement.objects.filter(pk=signed.pk).update(session_count=12)
    _used(signed, 2)
    make_agreement(
        coach=coach,
        client=client(),
        programme=programme,
        session_count=4,
        fee_basis=FeeBasis.PER_SESSION,
        fee_amount=Decimal("300.00"),
    )
    make_agreement(
        coach=coach,
        client=client(),
        programme=programme,
        session_count=8,
        status=AgreementStatus.VOIDED,
        fee_basis=FeeBasis.PACKAGE,
        fee_amount=Decimal("9999.00"),
    )

    budget = programme_budget(programme)

    assert (budget.sessions_agreed, budget.sessions_left, budget.sessions_used) == (10, 10, 2)
    assert budget.money_committed == Decimal("6000.00")
    assert budget.money_left == Decimal("4000.00")
    assert (budget.sessions_over, budget.money_over) == (0, Decimal("0.00"))


def test_the_budget_shows_what_goes_over(coach: User, signed_in: HttpClient) -> None:
    programme = make_programme(coach, budget_sessions=5, budget_amount=Decimal("1000.00"))
    make_agreement(
        coach=coach,
        client=make_client(coach=coach, organisation=programme.organisation),
        programme=programme,
        session_count=6,
        fee_basis=FeeBasis.PER_SESSION,
        fee_amount=Decimal("250.00"),
    )

    budget = programme_budget(programme)
    page = signed_in.get(reverse("contracts:programme-detail", args=[programme.pk]))

    assert (budget.sessions_left, budget.sessions_over) == (0, 1)
    assert (budget.money_left, budget.money_over) == (Decimal("0.00"), Decimal("500.00"))
    assert "1 over budget" in page.content.decode()
    assert "500.00 over budget" in page.content.decode()


def test_a_fee_in_another_currency_is_not_added_but_named(coach: User) -> None:
    programme = make_programme(coach)
    agreement = make_agreement(
        coach=coach,
        client=make_client(coach=coach, organisation=programme.organisation),
        programme=programme,
        fee_basis=FeeBasis.PACKAGE,
        fee_amount=Decimal("900.00"),
        fee_currency="EUR",
    )

    budget = programme_budget(programme)

    assert budget.money_committed == Decimal("0.00")
    assert [row.agreement for row in budget.money_unknown] == [agreement]


def test_the_programme_page_lists_its_agreements_with_their_use(
    coach: User, signed_in: HttpClient, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    programme = make_programme(coach)
    for _ in range(3):
        make_agreement(
            coach=coach,
            client=make_client(coach=coach, organisation=programme.organisation),
            programme=programme,
            session_count=4,
        )

    page = signed_in.get(reverse("contracts:programme-detail", args=[programme.pk]))
    with django_assert_max_num_queries(40):
        signed_in.get(reverse("contracts:programme-detail", args=[programme.pk]))

    assert page.status_code == 200
    assert page.content.decode().count("Jamie Client") == 3
    assert page.context["budget"].sessions_agreed == 12


def test_it_adds_only_the_coachs_agreements_with_that_organisation(
    coach: User, other_coach: User, signed_in: HttpClient
) -> None:
    programme = make_programme(coach)
    mine = make_agreement(
        coach=coach, client=make_client(coach=coach, organisation=programme.organisation)
    )
    elsewhere = make_agreement(coach=coach)
    theirs = make_agreement(coach=other_coach)
    url = reverse("contracts:programme-agreements-add", args=[programme.pk])

    refused = signed_in.post(url, {"agreements": [elsewhere.pk, theirs.pk]})
    added = signed_in.post(url, {"agreements": [mine.pk]})

    assert refused.status_code == 400
    assert added.status_code == 302
    assert list(programme.agreements.all()) == [mine]
    elsewhere.refresh_from_db()
    theirs.refresh_from_db()
    assert elsewhere.programme is None
    assert theirs.programme is None
    assert programme.changes.get(kind=ProgrammeChangeKind.AGREEMENTS_ADDED).changes == {
        "agreements": [mine.reference]
    }


def test_it_removes_an_agreement_and_keeps_the_agreement(
    coach: User, signed_in: HttpClient
) -> None:
    programme = make_programme(coach)
    agreement = make_agreement(
        coach=coach,
        client=make_client(coach=coach, organisation=programme.organisation),
        programme=programme,
    )

    response = signed_in.post(
        reverse("contracts:programme-agreement-remove", args=[programme.pk]),
        {"agreement": agreement.pk},
    )

    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.programme is None
    assert programme.changes.filter(kind=ProgrammeChangeKind.AGREEMENTS_REMOVED).exists()


def test_removing_an_agreement_of_another_programme_is_404(
    coach: User, signed_in: HttpClient
) -> None:
    programme, other = make_programme(coach), make_programme(coach)
    agreement = make_agreement(
        coach=coach,
        client=make_client(coach=coach, organisation=other.organisation),
        programme=other,
    )

    response = signed_in.post(
        reverse("contracts:programme-agreement-remove", args=[programme.pk]),
        {"agreement": agreement.pk},
    )

    assert response.status_code == 404
    agreement.refresh_from_db()
    assert agreement.programme == other


def test_the_portal_shows_counts_of_the_contacts_own_programmes_only(coach: User) -> None:
    programme = make_programme(coach, budget_sessions=20, budget_amount=None)
    contact = programme.organisation.contacts.get()
    make_agreement(
        coach=coach,
        client=make_client(coach=coach, organisation=programme.organisation),
        programme=programme,
        session_count=6,
    )
    make_programme(coach, name="Someone else's")
    stranger = make_contact(coach=coach, organisation=make_organisation(coach=coach))

    shown = programme_for_portal(contact)

    assert [(p.name, p.agreements, p.sessions_agreed, p.sessions_left) for p in shown] == [
        ("Leaders 2027", 1, 6, 14)
    ]
    assert not hasattr(shown[0], "clients")
    assert programme_for_portal(stranger) == []


def test_the_portal_include_renders_the_counts(coach: User) -> None:
    programme = make_programme(coach, budget_sessions=20, purchase_order="PO-77")
    contact = programme.organisation.contacts.get()

    html = render_to_string(
        "contracts/sponsor/programmes/_portal.html",
        {"programmes": programme_for_portal(contact)},
    )

    assert "PO-77" in html
    assert "0 of 20 agreed, 20 left" in html
