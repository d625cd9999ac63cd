"""Reviewing a signed agreement with client and sponsor.

A review starts from the version in force. The coach records notes of the
three-way conversation, then decides:
- *still holds*: client and sponsor each confirm online, by emailed link; when all
  have, the review is complete and the next review date moves on by the coach's
  interval;
- *amend*: the agreement becomes a draft again, pre-filled with the terms in force;
  sent and signed by all three, it becomes the next version, and the old one is
  marked superseded (`on_version_completed`, called by `contracts.signing`).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from coaching.models import User
from contracts.audit import coach_actor, record_event, signer_actor
from contracts.models import (
    Agreement,
    AgreementStatus,
    AgreementVersion,
    AuditEventKind,
    EmailKind,
    Review,
    ReviewConfirmation,
    ReviewOutcome,
    Signer,
    SignerRole,
    add_months,
)
from contracts.outbox import email_queue


class ReviewError(Exception):
    """A review step that is not possible now; the message is shown to the person."""


@transaction.atomic
def review_start(
    *, agreement: Agreement, coach: User, request: HttpRequest | None = None
) -> Review:
    """Open a review of the version in force (or return the one already open)."""
    agreement = Agreement.objects.locked(agreement)
    existing = agreement.open_review()
    if existing is not None:
        return existing
    version = agreement.version_in_force()
    if agreement.status != AgreementStatus.SIGNED or version is None:
        raise ReviewError("Only a signed agreement can be reviewed.")
    review = Review.objects.create(
        agreement=agreement, version=version, due_on=agreement.next_review_on
    )
    record_event(
        agreement,
        AuditEventKind.REVIEW_STARTED,
        actor=coach_actor(coach),
        version=version,
        request=request,
    )
    return review


def _open(review: Review, notes: str | None) -> tuple[Agreement, Review]:
    """The review, still to be decided, under the agreement's lock; with the notes typed on
    the page beside the decision, saved first, so that deciding never loses them."""
    agreement = Agreement.objects.locked(review.agreement)
    review = Review.objects.select_related("version").get(pk=review.pk)
    if review.outcome != ReviewOutcome.OPEN:
        raise ReviewError("This review has already been decided.")
    if notes is not None:
        review.notes = notes
        review.save(update_fields=["notes"])
    return agreement, review


@transaction.atomic
def review_still_holds(
    *,
    review: Review,
    coach: User,
    notes: str | None = None,
    request: HttpRequest | None = None,
) -> None:
    """The agreement stays as it is: ask client and sponsor to confirm it online.

    `notes`, when given, replaces the review's notes (what the page showed, as edited)."""
    agreement, review = _open(review, notes)
    review.outcome, review.decided_at = ReviewOutcome.HOLDS, timezone.now()
    review.save(update_fields=["outcome", "decided_at"])
    record_event(
        agreement,
        AuditEventKind.REVIEW_HOLDS,
        actor=coach_actor(coach),
        version=review.version,
        request=request,
    )
    parties = review.version.signers.filter(role__in=[SignerRole.CLIENT, SignerRole.SPONSOR])
    for party in parties:
        confirmation = ReviewConfirmation.objects.create(review=review, signer=party)
        email_queue(kind=EmailKind.REVIEW_CONFIRMATION, signer=party, confirmation=confirmation)


@transaction.atomic
def review_confirm(
    *, confirmation: ReviewConfirmation, request: HttpRequest | None = None
) -> Review:
    """A party confirms the agreement still holds; the last one completes the review."""
    review = confirmation.review
    agreement = Agreement.objects.locked(review.agreement)
    confirmation = ReviewConfirmation.objects.select_related("signer").get(pk=confirmation.pk)
    review = Review.objects.select_related("version").get(pk=review.pk)
    if review.outcome != ReviewOutcome.HOLDS:
        raise ReviewError("This review is no longer waiting for confirmations.")
    signer: Signer = confirmation.signer
    if confirmation.confirmed_at is None:
        confirmation.confirmed_at = timezone.now()
        confirmation.save(update_fields=["confirmed_at"])
        record_event(
            agreement,
            AuditEventKind.REVIEW_CONFIRMED,
            actor=signer_actor(signer),
            version=review.version,
            signer=signer,
            request=request,
        )
    if not review.confirmations.filter(confirmed_at__isnull=True).exists():
        _complete_review(agreement, review, ReviewOutcome.CONFIRMED)
    return review


def _next_review_date(agreement: Agreement, review: Review) -> date:
    months = agreement.coach.profile.review_interval_months
    today = timezone.localdate()
    # Reviewed early, the yearly rhythm keeps its date; reviewed late, it starts again today.
    base = review.due_on if review.due_on and review.due_on > today else today
    return add_months(base, months)


def _complete_review(agreement: Agreement, review: Review, outcome: ReviewOutcome) -> None:
    review.outcome, review.completed_at = outcome, timezone.now()
    if outcome == ReviewOutcome.CONFIRMED:
        review.next_review_on = _next_review_date(agreement, review)
        agreement.next_review_on = review.next_review_on
        agreement.save(update_fields=["next_review_on", "updated_at"])
    else:
        review.next_review_on = agreement.next_review_on
    review.save(update_fields=["outcome", "completed_at", "next_review_on"])
    record_event(
        agreement,
        AuditEventKind.REVIEW_COMPLETED,
        actor="Tripartite",
        version=review.version,
        data={"outcome": outcome, "next_review_on": str(review.next_review_on or "")},
    )


@transaction.atomic
def review_amend(
    *,
    review: Review,
    coach: User,
    notes: str | None = None,
    request: HttpRequest | None = None,
) -> Agreement:
    """Amend: the agreement becomes a draft with the terms in force, to be signed again.

    `notes`, when given, replaces the review's notes (what the page showed, as edited)."""
    agreement, review = _open(review, notes)
    review.outcome, review.decided_at = ReviewOutcome.AMENDED, timezone.now()
    review.save(update_fields=["outcome", "decided_at"])
    agreement.status = AgreementStatus.DRAFT
    agreement.save(update_fields=["status", "updated_at"])
    record_event(
        agreement,
        AuditEventKind.AMENDMENT_STARTED,
        actor=coach_actor(coach),
        version=review.version,
        request=request,
    )
    return agreement


def on_version_completed(agreement: Agreement, version: AgreementVersion) -> None:
    """Called by signing when a version is signed by all: earlier versions are superseded,
    and an amendment's review is complete."""
    now = timezone.now()
    for older in agreement.versions.filter(
        completed_at__isnull=False, ended_at__isnull=True
    ).exclude(pk=version.pk):
        older.ended_at = now
        older.save(update_fields=["ended_at"])
        record_event(
            agreement,
            AuditEventKind.SUPERSEDED,
            actor="Tripartite",
            version=older,
            data={"by_version": version.number},
        )
    amended = agreement.reviews.filter(
        outcome=ReviewOutcome.AMENDED, completed_at__isnull=True
    ).first()
    if amended is not None:
        _complete_review(agreement, amended, ReviewOutcome.AMENDED)
