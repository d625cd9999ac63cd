"""The agreement list is kept whole for what it shows, and never shows anything stale or
anyone else's."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from coaching.models import Client, Organisation, User
from contracts.drafting.views import sponsor_choices
from tests.conftest import leave_message, make_agreement, make_coach, make_organisation
from tests.contracts.drafting.list_helpers import listed_pks

pytestmark = pytest.mark.django_db

LIST = reverse("contracts:agreement-list")


def test_a_renamed_client_shows_at_once(coach: User, signed_in: HttpClient) -> None:
    agreement = make_agreement(coach=coach)
    assert agreement.client.name in signed_in.get(LIST).content.decode()

    Client.objects.filter(pk=agreement.client_id).update(name="Robin Renamed")

    assert "Robin Renamed" in signed_in.get(LIST).content.decode()


def test_each_coach_sees_their_own_name_on_the_same_empty_list(
    sign_in: Callable[[User], HttpClient],
) -> None:
    first, second = make_coach(full_name="Ada First"), make_coach(full_name="Bo Second")

    first_page = sign_in(first).get(LIST).content.decode()
    second_page = sign_in(second).get(LIST).content.decode()

    assert "Ada First" in first_page and "Bo Second" not in first_page
    assert "Bo Second" in second_page and "Ada First" not in second_page


def test_a_renamed_coach_shows_in_the_menu_at_once(coach: User, signed_in: HttpClient) -> None:
    make_agreement(coach=coach)
    signed_in.get(LIST)

    User.objects.filter(pk=coach.pk).update(full_name="Casey Renamed")

    assert "Casey Renamed" in signed_in.get(LIST).content.decode()


def test_a_waiting_message_is_shown_once(coach: User, signed_in: HttpClient) -> None:
    make_agreement(coach=coach)
    signed_in.get(LIST)

    leave_message(signed_in, "The agreement was archived.")

    assert "The agreement was archived." in signed_in.get(LIST).content.decode()
    assert "The agreement was archived." not in signed_in.get(LIST).content.decode()


def test_the_kept_list_signs_out_with_the_coachs_own_csrf_token(coach: User) -> None:
    make_agreement(coach=coach)
    earlier = HttpClient(enforce_csrf_checks=True)
    earlier.force_login(coach)
    earlier.get(LIST)
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(coach)

    page = http.get(LIST).content.decode()

    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    signed_out = http.post(reverse("coaching:logout"), {"csrfmiddlewaretoken": token.group(1)})
    assert signed_out.status_code == 302
    assert http.get(LIST).status_code == 302, "signed out"


def test_the_second_page_of_a_kept_list_is_its_own(coach: User, signed_in: HttpClient) -> None:
    agreement = make_agreement(coach=coach)
    client = agreement.client
    for _ in range(25):
        make_agreement(coach=coach, client=client)

    first, second = listed_pks(signed_in.get(LIST)), listed_pks(signed_in.get(LIST, {"page": 2}))

    assert len(first) == 25 and len(second) == 1
    assert not set(first) & set(second)


def test_the_sponsor_filter_offers_the_coachs_own_organisations_by_name(
    coach: User, other_coach: User
) -> None:
    for name in ["beta Bank", "Acme", "alpha Ltd"]:
        make_organisation(coach=coach, name=name)
    make_organisation(coach=other_coach, name="Another Practice's Sponsor")

    offered = sponsor_choices(coach.pk)

    assert [name for _, name in offered] == ["Acme", "alpha Ltd", "beta Bank"]
    assert offered == list(Organisation.objects.for_coach(coach).values_list("pk", "name"))
