"""The outbox: every email to a party of an agreement, as a record that says what became of it.

A row holds who, what kind and about which agreement, never the message itself: links and
codes are made afresh at each attempt, so the only copy of a secret is the email that the
mail server accepted.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils import timezone

from contracts.models.agreements import Agreement
from contracts.models.reviews import ReviewConfirmation
from contracts.models.signing import Signer, SignerRole


class EmailKind(models.TextChoices):
    INVITATION = "invitation", "Invitation to sign"
    REMINDER = "reminder", "Reminder to sign"
    COPY = "copy", "Copy to read"
    CODE = "code", "One-time code"
    COMPLETED = "completed", "Signed copy"
    VOIDED = "voided", "Agreement voided"
    DECLINED_TO_COACH = "declined_to_coach", "Declined (to you)"
    COACH_TURN = "coach_turn", "Your turn to sign (to you)"
    REVIEW_CONFIRMATION = "review_confirmation", "Review confirmation"
    INTAKE = "intake", "Intake questionnaire"
    MEETING_INVITATION = "meeting_invitation", "Three-way meeting invitation"
    CLIENT_DECISION = "client_decision", "Approval or consent asked of the client"
    REQUEST_ANSWER = "request_answer", "Answer to a sponsor's request"
    RELEASE_NOTICE = "release_notice", "Information released to a sponsor contact"
    DECLINED = "declined", "Agreement declined"


class EmailState(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Delivered to the mail server"
    RETRYING = "retrying", "Not delivered yet, retrying"
    FAILED = "failed", "Not delivered"
    CANCELLED = "cancelled", "Not sent, no longer needed"


# How long after each failed attempt the next one is made; the last gap repeats until
# GIVE_UP_AFTER has passed since the email was queued.
RETRY_GAPS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
GIVE_UP_AFTER = timedelta(hours=48)


class OutgoingEmailQuerySet(models.QuerySet["OutgoingEmail"]):
    def pending(self) -> OutgoingEmailQuerySet:
        return self.filter(state__in=[EmailState.QUEUED, EmailState.RETRYING])

    def latest_by_signer(self, signer_ids: list[int]) -> dict[int, OutgoingEmail]:
        """Each signer's most recent email: what the coach sees beside their name."""
        latest: dict[int, OutgoingEmail] = {}
        for email in self.filter(signer_id__in=signer_ids).order_by("-queued_at", "-id"):
            latest.setdefault(email.signer_id, email)
        return latest

    def needing_attention(self) -> OutgoingEmailQuerySet:
        """Failed, and neither sent again nor set aside by the coach."""
        return self.filter(state=EmailState.FAILED, replaced_by__isnull=True, dismissed_at=None)


class OutgoingEmail(models.Model):
    kind = models.CharField(max_length=20, choices=EmailKind.choices)
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="emails")
    signer = models.ForeignKey(Signer, on_delete=models.CASCADE, related_name="emails")
    release = models.ForeignKey(
        "contracts.Release", on_delete=models.CASCADE, null=True, blank=True, related_name="emails"
    )
    information_request = models.ForeignKey(
        "contracts.InformationRequest",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="emails",
    )
    confirmation = models.ForeignKey(
        ReviewConfirmation, on_delete=models.CASCADE, null=True, blank=True, related_name="emails"
    )
    intake = models.ForeignKey(
        "contracts.Intake", on_delete=models.CASCADE, null=True, blank=True, related_name="emails"
    )
    meeting = models.ForeignKey(
        "contracts.ThreeWayMeeting",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="emails",
    )
    to = models.EmailField(max_length=254)
    state = models.CharField(max_length=10, choices=EmailState.choices, default=EmailState.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    queued_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_answer = models.CharField(
        max_length=300, blank=True, help_text="What the mail server said at the last attempt."
    )
    replaced_by = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replaces"
    )
    dismissed_at = models.DateTimeField(null=True, blank=True)

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        ordering = ["-queued_at", "-id"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["agreement", "state"], name="outbox_agreement_state"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_state_display()})"

    def delay_after(self, attempts: int) -> timedelta:
        return RETRY_GAPS[min(attempts, len(RETRY_GAPS)) - 1]

    @property
    def addressee(self) -> str:
        """Who it was for, as the coach reads it."""
        if self.kind == EmailKind.DECLINED_TO_COACH or self.signer.role == SignerRole.COACH:
            return "you"
        return self.signer.name

    @property
    def needs_attention(self) -> bool:
        return (
            self.state == EmailState.FAILED
            and self.replaced_by_id is None
            and self.dismissed_at is None
        )

    @property
    def is_pending(self) -> bool:
        return self.state in {EmailState.QUEUED, EmailState.RETRYING}
