"""The client sees, through their link, the disclosures about them they may see; the
sponsor's copy shows none."""

import pytest
from pytest_django import DjangoAssertNumQueries

from coaching.models import User
from contracts.models import SignerRole
from contracts.sponsor.log.services import entries_for_client_page
from tests.contracts.engagement.sessions.helpers import in_force
from tests.contracts.sponsor.log.helpers import SUMMARY, copy_page, released_summary

pytestmark = pytest.mark.django_db


def test_the_client_sees_the_visible_entries_and_not_the_hidden_ones(coach: User) -> None:
    agreement = in_force(coach)
    shown = released_summary(agreement)
    hidden = released_summary(agreement, visible=False)
    hidden.__class__.objects.filter(pk=hidden.pk).update(what="Hidden entry")
    released_summary(in_force(coach))  # another agreement's entry

    page = copy_page(agreement, SignerRole.CLIENT)

    assert "What your coach has disclosed about you" in page
    assert page.count("Progress summary, March") == 1
    assert shown.to_name in page
    assert "Hidden entry" not in page
    assert SUMMARY not in page


def test_the_sponsor_copy_shows_no_entries(coach: User) -> None:
    agreement = in_force(coach)
    released_summary(agreement)
    version = agreement.version_in_force()
    assert version is not None

    page = copy_page(agreement, SignerRole.SPONSOR)

    assert "What your coach has disclosed" not in page
    assert "Progress summary, March" not in page
    assert entries_for_client_page(version.signers.get(role=SignerRole.SPONSOR)) == []


def test_the_client_entries_read_a_bounded_number_of_queries(
    coach: User, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    agreement = in_force(coach)
    for _ in range(5):
        released_summary(agreement)
    version = agreement.version_in_force()
    assert version is not None
    client = version.signers.get(role=SignerRole.CLIENT)

    with django_assert_max_num_queries(2):
        rows = entries_for_client_page(client)

    assert len(rows) == 5
