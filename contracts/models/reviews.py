"""Reviews of signed agreements: the yearly conversation of coach, client and sponsor."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from contracts.models.agreements import Agreement
from contracts.models.signing import AgreementVersion, Signer


class ReviewOutcome(models.TextChoices):
    OPEN = "open", "In progress"
    HOLDS = "holds", "Still holds: waiting for the parties to confirm"
    CONFIRMED = "confirmed", "Still holds: confirmed by everyone"
    AMENDED = "amended", "Amended as a new version"


class Review(models.Model):
    """One review of the version in force; it ends confirmed, or amended as a new version."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="reviews")
    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="reviews")
    due_on = models.DateField(null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    notes = models.TextField(
        "notes of the review conversation",
        blank=True,
        help_text="For you only: never shown to the client or the sponsor.",
    )
    outcome = models.CharField(
        max_length=10, choices=ReviewOutcome.choices, default=ReviewOutcome.OPEN
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    next_review_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Review of {self.version}"


class ReviewConfirmation(models.Model):
    """A party's confirmation, by emailed link, that the agreement still holds."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="confirmations")
    signer = models.ForeignKey(
        Signer, on_delete=models.PROTECT, related_name="review_confirmations"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("review", "signer", name="one_confirmation_per_party")
        ]

    def __str__(self) -> str:
        return f"{self.signer} for {self.review}"
