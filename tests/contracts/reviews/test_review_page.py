"""The coach's review page: the notes typed beside a decision, and its wording."""

import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from coaching.models import User
from contracts.models import AgreementStatus, Review, ReviewOutcome
from contracts.reviews import services as reviews
from tests.contracts.engagement.sessions.helpers import in_force

pytestmark = pytest.mark.django_db


def review_page(http: HttpClient, pk: int) -> str:
    return http.get(reverse("contracts:review", args=[pk])).content.decode()


def test_notes_typed_before_it_still_holds_are_kept(coach: User, signed_in: HttpClient) -> None:
    agreement = in_force(coach)
    reviews.review_start(agreement=agreement, coach=coach)
    page = review_page(signed_in, agreement.pk)
    holds = reverse("contracts:review-holds", args=[agreement.pk])
    # The button that decides belongs to the form that holds the notes.
    form = re.search(r'<form method="post"[^>]*id="review-form".*?</form>', page, re.S)
    assert form is not None and 'name="notes"' in form.group(0)
    assert f'formaction="{holds}"' in form.group(0)

    response = signed_in.post(holds, {"notes": "Jordan now leads two teams; goals still fit."})

    assert response.status_code == 302
    review = Review.objects.get(agreement=agreement)
    assert review.outcome == ReviewOutcome.HOLDS
    assert review.notes == "Jordan now leads two teams; goals still fit."


def test_notes_typed_before_amending_are_kept(coach: User, signed_in: HttpClient) -> None:
    agreement = in_force(coach)
    reviews.review_start(agreement=agreement, coach=coach)
    amend = reverse("contracts:review-amend", args=[agreement.pk])
    assert f'formaction="{amend}"' in review_page(signed_in, agreement.pk)

    signed_in.post(amend, {"notes": "Add two sessions; new line manager from May."})

    review = Review.objects.get(agreement=agreement)
    assert review.outcome == ReviewOutcome.AMENDED
    assert review.notes == "Add two sessions; new line manager from May."
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DRAFT


def test_deciding_without_the_notes_field_keeps_the_saved_notes(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = in_force(coach)
    review = reviews.review_start(agreement=agreement, coach=coach)
    review.notes = "Saved earlier."
    review.save()

    signed_in.post(reverse("contracts:review-holds", args=[agreement.pk]))

    review.refresh_from_db()
    assert review.notes == "Saved earlier."
    assert review.outcome == ReviewOutcome.HOLDS


def test_a_two_party_review_speaks_of_two_parties_not_three(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = in_force(coach, sponsored=False)
    reviews.review_start(agreement=agreement, coach=coach)

    page = review_page(signed_in, agreement.pk)

    assert "all three" not in page
    assert "you and the client sign the new version" in page


def test_a_three_way_review_says_all_three_sign(coach: User, signed_in: HttpClient) -> None:
    agreement = in_force(coach)
    reviews.review_start(agreement=agreement, coach=coach)

    assert "all three of you sign the new version" in review_page(signed_in, agreement.pk)
