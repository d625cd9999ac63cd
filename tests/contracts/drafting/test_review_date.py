"""A review date after the engagement ends is flagged; the default review falls within it."""

from datetime import date

import pytest
from django.test import Client as HttpClient

from coaching.models import User
from contracts.drafting.checks import Severity, agreement_problems, is_ready_to_send
from tests.conftest import make_agreement
from tests.contracts.drafting.test_builder import step_data, step_url

pytestmark = pytest.mark.django_db

AFTER_THE_END = (
    "The review date is after coaching ends on 9 July 2027: choose a review date on or "
    "before that day, or move the end date."
)


def test_a_review_after_the_end_is_a_contradiction_in_the_checklist(coach: User) -> None:
    agreement = make_agreement(coach=coach, complete=True, review_date=date(2027, 9, 1))

    [problem] = [p for p in agreement_problems(agreement) if p.step == "logistics"]

    assert problem.message == AFTER_THE_END
    assert problem.field == "review_date"
    assert problem.severity == Severity.CONTRADICTION
    assert not is_ready_to_send(agreement)


def test_a_review_on_the_last_day_is_accepted(coach: User) -> None:
    agreement = make_agreement(coach=coach, complete=True, review_date=date(2027, 7, 9))
    assert is_ready_to_send(agreement)


def test_the_sessions_step_refuses_a_review_after_the_end_next_to_the_field(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    data = step_data(agreement, "logistics", coach, review_date="2027-12-01")

    response = signed_in.post(step_url(agreement, "logistics"), data)

    assert response.status_code == 200
    assert response.context["form"].errors["review_date"] == [AFTER_THE_END]
    agreement.refresh_from_db()
    assert agreement.review_date == date(2027, 4, 12), "nothing was saved"


def test_left_empty_the_review_falls_halfway_through_a_short_engagement(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    data = step_data(agreement, "logistics", coach, review_date=None)

    signed_in.post(step_url(agreement, "logistics"), data)

    agreement.refresh_from_db()
    assert agreement.review_date == date(2027, 4, 10), "halfway from 11 January to 9 July"
    assert is_ready_to_send(agreement)


def test_left_empty_the_review_is_one_interval_after_the_start_of_a_long_engagement(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = make_agreement(coach=coach, complete=True, end_date=date(2028, 6, 30))
    data = step_data(agreement, "logistics", coach, review_date=None)

    signed_in.post(step_url(agreement, "logistics"), data)

    agreement.refresh_from_db()
    assert agreement.review_date == date(2028, 1, 11)
