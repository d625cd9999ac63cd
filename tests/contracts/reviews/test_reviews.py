from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse

from coaching.models import User
from contracts.models import (
    Agreement,
    AgreementStatus,
    AuditEvent,
    AuditEventKind,
    ReviewOutcome,
    SignerRole,
)
from contracts.reviews import services as reviews
from contracts.signing import services as signing
from tests.contracts.signing_helpers import (
    LINK,
    link_for,
    send_agreement,
    sign_as_coach,
    sign_by_link,
    sponsor_email,
)

pytestmark = pytest.mark.django_db


def signed(coach: User, http: HttpClient) -> Agreement:
    version = send_agreement(coach, review_date=date(2027, 4, 12), end_date=date(2028, 6, 30))
    agreement = version.agreement
    sign_by_link(link_for(agreement.client.email))
    sign_by_link(link_for(sponsor_email(version)))
    sign_as_coach(http, agreement)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED
    mail.outbox.clear()
    return agreement


def confirm_link(email: str) -> str:
    for message in reversed(mail.outbox):
        if email in message.to:
            paths: list[str] = LINK.findall(str(message.body))
            for path in paths + _review_paths(str(message.body)):
                if path.startswith("/review/"):
                    return path
    raise AssertionError(f"no confirmation link for {email}")


def _review_paths(body: str) -> list[str]:
    import re

    return re.findall(r"https?://[^/\s]+(/review/[A-Za-z0-9_-]+/)", body)


def test_signing_sets_the_next_review_date(coach: User, signed_in: HttpClient) -> None:
    agreement = signed(coach, signed_in)
    assert agreement.next_review_on == date(2027, 4, 12)


def test_a_review_that_still_holds_is_confirmed_by_client_and_sponsor_online(
    coach: User, signed_in: HttpClient, sign_in: Callable[[User], HttpClient]
) -> None:
    agreement = signed(coach, signed_in)
    with time_machine.travel("2027-04-14 10:00Z", tick=False):
        signed_in = sign_in(coach)  # a session from months ago would have expired
        signed_in.post(reverse("contracts:review-start", args=[agreement.pk]))
        signed_in.post(
            reverse("contracts:review", args=[agreement.pk]),
            {"notes": "Jordan now leads two teams; goals still fit."},
        )
        review = agreement.open_review()
        assert review is not None and review.notes.startswith("Jordan now leads")
        signed_in.post(reverse("contracts:review-holds", args=[agreement.pk]))

        sponsor = agreement.sponsor_signatory
        assert sponsor is not None
        assert sorted(m.to[0] for m in mail.outbox) == sorted(
            [agreement.client.email, sponsor.email]
        )
        client_page = HttpClient().get(confirm_link(agreement.client.email)).content.decode()
        assert "Does your coaching agreement still hold?" in client_page
        assert "Risk of serious harm" in client_page, "the limits are shown again"

        HttpClient().post(confirm_link(agreement.client.email))
        review.refresh_from_db()
        assert review.outcome == ReviewOutcome.HOLDS, "waiting for the sponsor"
        done = HttpClient().post(confirm_link(sponsor.email))
        assert "your confirmation is recorded" in done.content.decode()

    review.refresh_from_db()
    agreement.refresh_from_db()
    assert review.outcome == ReviewOutcome.CONFIRMED
    assert agreement.next_review_on == date(2028, 4, 14)
    kinds = list(AuditEvent.objects.filter(agreement=agreement).values_list("kind", flat=True))
    assert kinds.count("review_confirmed") == 2
    assert kinds[-1] == "review_completed"
    page = sign_in(coach).get(agreement.get_absolute_url()).content.decode()
    assert "Next review 14 April 2028" in page


def test_review_notes_stay_with_the_coach(coach: User, signed_in: HttpClient) -> None:
    agreement = signed(coach, signed_in)
    review = reviews.review_start(agreement=agreement, coach=coach)
    review.notes = "Private: a conflict with the line manager."
    review.save()
    reviews.review_still_holds(review=review, coach=coach)
    sponsor = agreement.sponsor_signatory
    assert sponsor is not None
    assert sorted(m.to[0] for m in mail.outbox) == sorted([agreement.client.email, sponsor.email])
    for message in mail.outbox:
        assert "conflict with the line manager" not in str(message.body)
    page = HttpClient().get(confirm_link(agreement.client.email)).content.decode()
    assert "conflict with the line manager" not in page


def test_an_amendment_is_a_new_version_signed_by_all_and_the_old_one_is_superseded(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = signed(coach, signed_in)
    first = agreement.current_version()
    assert first is not None
    signed_in.post(reverse("contracts:review-start", args=[agreement.pk]))
    response = signed_in.post(reverse("contracts:review-amend", args=[agreement.pk]))
    assert response["Location"] == agreement.get_absolute_url()
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DRAFT
    detail = signed_in.get(agreement.get_absolute_url()).content.decode()
    assert "version 1 stays in force" in detail

    agreement.fee_amount = Decimal("5400.00")
    agreement.session_count = 8
    agreement.save()
    changes = signed_in.get(reverse("contracts:agreement-changes", args=[agreement.pk]))
    rows = {c.label: (c.before, c.after) for c in changes.context["changes"]}
    assert rows["Amount"] == ("4800.00", "5400.00")
    assert rows["Number of sessions"] == ("6", "8")
    assert len(rows) == 2, "nothing else changed"

    second = signing.agreement_send(agreement=agreement, coach=coach)
    assert second.number == 2
    sign_by_link(link_for(agreement.client.email))
    sign_by_link(link_for(second.signers.get(role=SignerRole.SPONSOR).email))
    sign_as_coach(signed_in, agreement)

    first.refresh_from_db()
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED
    assert first.ended_at is not None, "version 1 is superseded"
    assert agreement.version_in_force() == second
    review = agreement.reviews.get()
    assert review.outcome == ReviewOutcome.AMENDED and review.completed_at is not None
    old = signed_in.get(reverse("contracts:agreement-version", args=[agreement.pk, 1]))
    assert "superseded" in old.content.decode()
    assert "4,800.00" in old.content.decode()
    assert AuditEvent.objects.filter(kind=AuditEventKind.SUPERSEDED, version=first).exists()


def test_only_a_signed_agreement_can_be_reviewed(coach: User, signed_in: HttpClient) -> None:
    draft = send_agreement(coach).agreement
    response = signed_in.post(reverse("contracts:review-start", args=[draft.pk]), follow=True)
    assert "Only a signed agreement can be reviewed." in response.content.decode()
    assert not draft.reviews.exists()


def test_the_home_page_lists_reviews_signatures_and_endings(
    coach: User, signed_in: HttpClient, sign_in: Callable[[User], HttpClient]
) -> None:
    agreement = signed(coach, signed_in)
    waiting = send_agreement(coach).agreement
    with time_machine.travel("2027-04-20 10:00Z", tick=False):
        page = sign_in(coach).get(reverse("coaching:home")).content.decode()
    assert "Needs your attention" in page
    assert "Overdue since 12 April 2027" in page
    assert agreement.title in page and waiting.title in page
    with time_machine.travel("2028-05-15 10:00Z", tick=False):
        later = sign_in(coach).get(reverse("coaching:home")).content.decode()
    assert "Ends 30 June 2028" in later


def test_the_coach_moves_the_next_review_date_within_the_engagement(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = signed(coach, signed_in)
    url = reverse("contracts:review-date", args=[agreement.pk])
    page = signed_in.post(url, {"next_review_on": "2029-01-01"}, follow=True).content.decode()
    assert "after the engagement ends" in page
    signed_in.post(url, {"next_review_on": "2027-06-01"})
    agreement.refresh_from_db()
    assert agreement.next_review_on == date(2027, 6, 1)


def test_clearing_the_next_review_date_asks_for_one_and_keeps_the_date(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = signed(coach, signed_in)
    before = agreement.next_review_on
    url = reverse("contracts:review-date", args=[agreement.pk])

    response = signed_in.post(url, {"next_review_on": ""}, follow=True)

    assert response.status_code == 200
    assert "Choose the date of the next review." in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.next_review_on == before
