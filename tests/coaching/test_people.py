from collections.abc import Callable

import pytest
from django.db import models
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from coaching.models import Client, Organisation, SponsorContact, User
from tests.conftest import make_client, make_contact, make_organisation

pytestmark = pytest.mark.django_db


def test_a_coach_adds_a_sponsored_client(signed_in: HttpClient, coach: User) -> None:
    northwind = make_organisation(coach=coach, name="Northwind")
    response = signed_in.post(
        reverse("coaching:client-create"),
        {
            "name": "Jordan Ellis",
            "email": "Jordan@Northwind.example",
            "job_title": "Ops",
            "organisation": northwind.pk,
        },
        follow=True,
    )
    client = Client.objects.get()
    assert client.coach == coach
    assert client.email == "jordan@northwind.example"
    assert client.organisation == northwind
    page = response.content.decode()
    assert "Jordan Ellis is added to your clients." in page
    assert "Northwind" in page


def test_a_private_client_has_no_sponsor(signed_in: HttpClient) -> None:
    signed_in.post(
        reverse("coaching:client-create"), {"name": "Riley Chen", "email": "riley@example.com"}
    )
    client = Client.objects.get()
    assert client.is_private
    listing = signed_in.get(reverse("coaching:client-list")).content.decode()
    assert "Private client" in listing


def test_a_duplicate_client_email_is_refused_next_to_the_field(
    signed_in: HttpClient, coach: User
) -> None:
    make_client(coach=coach, email="jordan@example.com")
    response = signed_in.post(
        reverse("coaching:client-create"), {"name": "Jordan Two", "email": "JORDAN@example.com"}
    )
    assert response.context["form"].errors["email"] == [
        "Another client in your practice already has this email address."
    ]
    assert Client.objects.count() == 1


def test_a_duplicate_of_an_archived_client_suggests_restoring_it(
    signed_in: HttpClient, coach: User
) -> None:
    make_client(coach=coach, email="gone@example.com").archive()
    response = signed_in.post(
        reverse("coaching:client-create"), {"name": "Gone", "email": "gone@example.com"}
    )
    assert "It is archived: restore it" in response.context["form"].errors["email"][0]


def test_the_same_email_may_be_a_client_of_two_coaches(
    signed_in: HttpClient, other_coach: User
) -> None:
    make_client(coach=other_coach, email="shared@example.com")
    signed_in.post(
        reverse("coaching:client-create"), {"name": "Shared", "email": "shared@example.com"}
    )
    assert Client.objects.count() == 2


def test_another_coachs_organisation_cannot_be_chosen(
    signed_in: HttpClient, other_coach: User
) -> None:
    theirs = make_organisation(coach=other_coach)
    response = signed_in.post(
        reverse("coaching:client-create"),
        {"name": "Jo", "email": "jo@example.com", "organisation": theirs.pk},
    )
    assert "organisation" in response.context["form"].errors
    assert not Client.objects.filter(name="Jo").exists()


def test_an_invalid_email_is_explained(signed_in: HttpClient) -> None:
    response = signed_in.post(
        reverse("coaching:client-create"), {"name": "Jo", "email": "not-an-email"}
    )
    assert response.context["form"].errors["email"] == [
        "Enter an email address in the form name@example.com."
    ]


def test_organisations_are_unique_by_name_whatever_the_case(
    signed_in: HttpClient, coach: User
) -> None:
    make_organisation(coach=coach, name="Northwind Ltd")
    response = signed_in.post(reverse("coaching:organisation-create"), {"name": "northwind ltd"})
    assert response.context["form"].errors["name"] == [
        "You already have an organisation with this name."
    ]


def test_a_contact_is_added_from_the_organisation_page(signed_in: HttpClient, coach: User) -> None:
    northwind = make_organisation(coach=coach, name="Northwind")
    form_page = signed_in.get(reverse("coaching:contact-create"), {"organisation": northwind.pk})
    assert form_page.context["form"].initial["organisation"] == northwind

    response = signed_in.post(
        reverse("coaching:contact-create"),
        {
            "name": "Priya Shah",
            "email": "priya@northwind.example",
            "role": "hr",
            "job_title": "HR Director",
            "organisation": northwind.pk,
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse(
        "coaching:organisation-detail", args=[northwind.pk]
    )
    assert "Priya Shah" in response.content.decode()
    assert SponsorContact.objects.get().organisation == northwind


def test_adding_a_contact_without_organisations_says_to_add_one_first(
    signed_in: HttpClient,
) -> None:
    page = signed_in.get(reverse("coaching:contact-create")).content.decode()
    assert "Add the organisation first" in page


def test_a_duplicate_contact_email_is_refused(signed_in: HttpClient, coach: User) -> None:
    contact = make_contact(coach=coach, email="priya@northwind.example")
    response = signed_in.post(
        reverse("coaching:contact-create"),
        {
            "name": "Priya Again",
            "email": "Priya@northwind.example",
            "role": "hr",
            "organisation": contact.organisation_id,
        },
    )
    assert response.context["form"].errors["email"] == [
        "Another sponsor contact in your practice already has this email address."
    ]


def test_editing_keeps_its_own_email(signed_in: HttpClient, coach: User) -> None:
    client = make_client(coach=coach, email="jordan@example.com")
    response = signed_in.post(
        reverse("coaching:client-edit", args=[client.pk]),
        {"name": "Jordan E.", "email": "jordan@example.com"},
    )
    assert response.status_code == 302
    client.refresh_from_db()
    assert client.name == "Jordan E."


def test_archiving_hides_a_client_and_restoring_brings_them_back(
    signed_in: HttpClient, coach: User
) -> None:
    client = make_client(coach=coach, name="Sam Okafor")
    list_url = reverse("coaching:client-list")

    def listed(**query: str) -> list[Client]:
        return list(signed_in.get(list_url, query).context["page"].object_list)

    signed_in.post(reverse("coaching:client-archive", args=[client.pk]), {"archived": "1"})
    assert listed() == []
    assert listed(archived="1") == [client]
    assert Client.objects.filter(pk=client.pk).exists(), "archiving never deletes"

    signed_in.post(reverse("coaching:client-archive", args=[client.pk]), {"archived": "0"})
    assert listed() == [client]


def test_archive_only_accepts_post(signed_in: HttpClient, coach: User) -> None:
    client = make_client(coach=coach)
    response = signed_in.get(reverse("coaching:client-archive", args=[client.pk]))
    assert response.status_code == 405
    client.refresh_from_db()
    assert not client.is_archived


def test_an_archived_organisation_is_not_offered_for_new_clients(
    signed_in: HttpClient, coach: User
) -> None:
    gone = make_organisation(coach=coach, name="Gone Ltd")
    gone.archive()
    form = signed_in.get(reverse("coaching:client-create")).context["form"]
    assert gone not in form.fields["organisation"].queryset


def test_search_finds_clients_by_name_email_or_organisation(
    signed_in: HttpClient, coach: User
) -> None:
    northwind = make_organisation(coach=coach, name="Northwind")
    make_client(coach=coach, name="Jordan Ellis", organisation=northwind)
    make_client(coach=coach, name="Riley Chen", email="riley@freelance.example")
    url = reverse("coaching:client-list")

    def names(query: str) -> list[str]:
        page = signed_in.get(url, {"q": query}).context["page"]
        return [client.name for client in page.object_list]

    assert names("jord") == ["Jordan Ellis"]
    assert names("freelance") == ["Riley Chen"]
    assert names("northwind") == ["Jordan Ellis"]
    assert "No client matches" in signed_in.get(url, {"q": "zzz"}).content.decode()


def test_lists_are_paginated_and_survive_a_bad_page_number(
    signed_in: HttpClient, coach: User
) -> None:
    for number in range(30):
        make_client(coach=coach, name=f"Client {number:02d}")
    url = reverse("coaching:client-list")
    first = signed_in.get(url).context["page"]
    assert len(first.object_list) == 25
    assert first.paginator.num_pages == 2
    assert len(signed_in.get(url, {"page": "2"}).context["page"].object_list) == 5
    assert signed_in.get(url, {"page": "banana"}).status_code == 200


def test_empty_lists_tell_the_coach_what_to_do_next(signed_in: HttpClient) -> None:
    for name, text in [
        ("coaching:client-list", "Add your first client"),
        ("coaching:organisation-list", "Add your first organisation"),
        ("coaching:contact-list", "Add your first contact"),
    ]:
        assert text in signed_in.get(reverse(name)).content.decode()
    home = signed_in.get(reverse("coaching:home")).content.decode()
    assert "Set up your practice in four steps" in home


def test_organisation_list_counts_people_in_a_fixed_number_of_queries(
    signed_in: HttpClient, coach: User, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    for _ in range(10):
        organisation = make_organisation(coach=coach)
        make_contact(coach=coach, organisation=organisation)
        make_client(coach=coach, organisation=organisation)
        make_client(coach=coach, organisation=organisation).archive()
    with django_assert_max_num_queries(7):
        response = signed_in.get(reverse("coaching:organisation-list"))
    rows = list(response.context["page"].object_list)
    assert [(row.contact_count, row.client_count) for row in rows] == [(1, 1)] * 10


@pytest.mark.parametrize(
    ("url_name", "maker"),
    [
        ("coaching:client-list", lambda coach: make_client(coach=coach)),
        ("coaching:contact-list", lambda coach: make_contact(coach=coach)),
    ],
)
def test_people_lists_do_not_grow_queries_with_rows(
    signed_in: HttpClient,
    coach: User,
    django_assert_max_num_queries: DjangoAssertNumQueries,
    url_name: str,
    maker: Callable[[User], models.Model],
) -> None:
    for _ in range(20):
        maker(coach)
    with django_assert_max_num_queries(6):
        signed_in.get(reverse(url_name))


def test_html_in_names_is_shown_as_text(signed_in: HttpClient, coach: User) -> None:
    organisation = Organisation.objects.create(coach=coach, name="<script>alert('x')</script> Ltd")
    page = signed_in.get(reverse("coaching:organisation-detail", args=[organisation.pk]))
    html = page.content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("coaching:client-list", {"q": "Jor\x00dan"}),
        ("contracts:agreement-list", {"q": "Jor\x00dan"}),
        ("coaching:client-create", {"organisation": "²"}),
        ("coaching:contact-create", {"organisation": "١٢"}),
        ("contracts:agreement-list", {"organisation": "²"}),
        ("contracts:agreement-list", {"organisation": "9" * 40}),
        ("contracts:agreement-create", {"client": "²"}),
        ("contracts:template-create", {"from": "²"}),
    ],
)
def test_odd_query_values_are_ignored_not_a_server_error(
    signed_in: HttpClient, coach: User, name: str, query: dict[str, str]
) -> None:
    make_client(coach=coach, name="Jordan Ellis")

    response = signed_in.get(reverse(name), query)

    assert response.status_code == 200
