"""A client's page lists their agreements and starts a new one for them."""

from datetime import date

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from coaching.models import User
from tests.conftest import make_agreement, make_client

pytestmark = pytest.mark.django_db


def test_the_client_page_lists_the_clients_agreements(coach: User, signed_in: HttpClient) -> None:
    client = make_client(coach=coach, name="Jordan Ellis")
    mine = make_agreement(
        coach=coach,
        client=client,
        title="Leadership coaching 2027",
        start_date=date(2027, 1, 11),
        end_date=date(2027, 7, 9),
    )
    someone_else = make_agreement(coach=coach, title="Another client's agreement")

    page = signed_in.get(reverse("coaching:client-detail", args=[client.pk])).content.decode()

    assert f'href="{mine.get_absolute_url()}">Leadership coaching 2027</a>' in page
    assert "11 Jan 2027 \u2013 9 Jul 2027" in page
    assert '<span class="badge status-draft">Draft</span>' in page
    assert someone_else.title not in page


def test_new_agreement_on_the_client_page_starts_one_for_that_client(
    coach: User, signed_in: HttpClient
) -> None:
    client = make_client(coach=coach, name="Jordan Ellis")
    make_client(coach=coach, name="Riley Chen")
    page = signed_in.get(reverse("coaching:client-detail", args=[client.pk])).content.decode()
    start = f"{reverse('contracts:agreement-create')}?client={client.pk}"
    assert f'href="{start}"' in page

    form = signed_in.get(start).context["form"]
    assert form["client"].value() == client.pk

    signed_in.post(start, {"client": client.pk, "template": "builtin", "title": ""})
    assert client.agreements.get().title == "Coaching agreement: Jordan Ellis"


def test_an_archived_client_offers_no_new_agreement(coach: User, signed_in: HttpClient) -> None:
    client = make_client(coach=coach)
    client.archive()
    page = signed_in.get(reverse("coaching:client-detail", args=[client.pk])).content.decode()
    assert f"?client={client.pk}" not in page
