"""Reminders to coaches, each recorded under one key so that it is sent at most once."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from coaching.models import User
from contracts.models.agreements import Agreement


class ReminderKind(models.TextChoices):
    REVIEW_SOON = "review_soon", "Review coming up"
    REVIEW_DUE = "review_due", "Review due"
    REVIEW_OVERDUE = "review_overdue", "Review overdue"
    ENDING_SOON = "ending_soon", "Engagement ending soon"
    LAST_SESSION = "last_session", "Last session agreed used or planned"
    INSURANCE_EXPIRING = "insurance_expiring", "Insurance expiring"
    DISPOSAL_DUE = "disposal_due", "Records due for disposal"
    DATA_REQUEST_DUE = "data_request_due", "A client's request about their data due"


class ReminderStatus(models.TextChoices):
    CLAIMED = "claimed", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed, to be retried"


class Reminder(models.Model):
    """One reminder. Its key (what, kind, cycle) is unique: a second claim is refused."""

    key = models.CharField(max_length=120, unique=True)
    coach = models.ForeignKey(User, on_delete=models.CASCADE, related_name="reminders")
    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    cycle = models.CharField(max_length=60)
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=ReminderStatus.choices)
    claimed_by = models.CharField(max_length=36)
    claimed_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=1)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "claimed_at"])]

    def __str__(self) -> str:
        return self.key
