"""The snapshot's declared shape is the shape of what is frozen and signed."""

import pytest

from coaching.models import User
from contracts.models import Terms
from contracts.snapshot import Snapshot, TermsData, agreement_snapshot, terms_from_snapshot
from tests.conftest import make_agreement

pytestmark = pytest.mark.django_db


def test_the_declared_terms_are_exactly_the_terms_an_agreement_has() -> None:
    assert set(TermsData.__annotations__) == set(Terms.TERMS_FIELDS)


@pytest.mark.parametrize("sponsored", [True, False])
def test_a_snapshot_has_every_declared_part_and_nothing_else(coach: User, sponsored: bool) -> None:
    snapshot = agreement_snapshot(make_agreement(coach=coach, complete=True, sponsored=sponsored))
    assert set(snapshot) == set(Snapshot.__annotations__)
    assert set(snapshot["terms"]) == set(TermsData.__annotations__)
    assert (snapshot["sponsor"] is None) is not sponsored


def test_the_terms_read_back_from_a_snapshot_are_the_agreements(coach: User) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    again = terms_from_snapshot(agreement_snapshot(agreement))
    assert again.terms_data() == agreement.terms_data()
