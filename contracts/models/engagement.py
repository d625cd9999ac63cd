"""The engagement an agreement in force governs: sessions, private notes, the intake
questionnaire and three-way meetings (see contracts.engagement)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from coaching.models import User
from contracts.models.agreements import Agreement, SessionFormat
from contracts.models.signing import AgreementVersion, Signer


class SessionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    HELD = "held", "Held"
    LATE_CANCELLED = "late_cancelled", "Cancelled late"
    NO_SHOW = "no_show", "Client did not come"
    RESCHEDULED = "rescheduled", "Rescheduled"


class CoachingSession(models.Model):
    """One coaching session, planned or past, logged against the agreement in force."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="sessions")
    version = models.ForeignKey(
        AgreementVersion,
        on_delete=models.PROTECT,
        related_name="sessions",
        help_text="The version in force when the session was logged.",
    )
    starts_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField()
    format = models.CharField(max_length=20, choices=SessionFormat.choices)
    status = models.CharField(
        max_length=20, choices=SessionStatus.choices, default=SessionStatus.PLANNED
    )
    counted = models.BooleanField(
        default=False, help_text="Counts against the sessions agreed (as the agreement says)."
    )
    pro_bono = models.BooleanField(default=False)
    override_reason = models.CharField(
        max_length=300,
        blank=True,
        help_text="Why a session outside the engagement dates or beyond the number agreed.",
    )
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["agreement", "starts_at"], name="session_agreement_start")]

    def __str__(self) -> str:
        return f"{self.get_status_display()} session"


class PrivateNote(models.Model):
    """The coach's own note on an agreement or one of its sessions, encrypted at rest.

    `ciphertext` is a Fernet token made with NOTES_KEY (contracts.engagement.crypto);
    nothing else about the note's content is stored.
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="notes")
    session = models.ForeignKey(
        CoachingSession, on_delete=models.CASCADE, null=True, blank=True, related_name="notes"
    )
    ciphertext = models.TextField(editable=False)
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Private note {self.pk}"  # never the text


class NotesKeyFingerprint(models.Model):
    """A key that has encrypted stored text (notes, intake answers), known by its
    fingerprint only: the start-up check refuses a NOTES_KEY that lacks any of them."""

    fingerprint = models.CharField(max_length=16, unique=True)
    first_used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["first_used_at", "id"]

    def __str__(self) -> str:
        return f"Key {self.fingerprint}"


class IntakeQuestionnaire(models.Model):
    """A coach's editable questionnaire; the built-in one is used until they make theirs."""

    coach = models.ForeignKey(User, on_delete=models.CASCADE, related_name="questionnaires")
    name = models.CharField(max_length=120)
    questions = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class IntakeStatus(models.TextChoices):
    SENT = "sent", "Sent to the client"
    STARTED = "started", "Started, not submitted"
    SUBMITTED = "submitted", "Submitted"
    WITHDRAWN = "withdrawn", "Withdrawn by the coach"


class Intake(models.Model):
    """One client's answers to one questionnaire, for one agreement.

    The questions are copied when it is sent (the client answers what they were sent);
    the answers are encrypted like private notes, since they may hold health data.
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="intakes")
    signer = models.ForeignKey(Signer, on_delete=models.PROTECT, related_name="intakes")
    questions = models.JSONField(default=list)
    answers_ciphertext = models.TextField(blank=True, editable=False)
    status = models.CharField(max_length=10, choices=IntakeStatus.choices)
    health_consent_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(default=timezone.now)
    saved_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"Intake ({self.get_status_display()})"


class MeetingKind(models.TextChoices):
    CONTRACTING = "contracting", "Contracting meeting"
    MIDPOINT = "midpoint", "Mid-point review"
    CLOSE = "close", "Closing meeting"
    OTHER = "other", "Three-way meeting"


class ThreeWayMeeting(models.Model):
    """A dated meeting of coach, client and sponsor, with an agenda drawn from the
    agreement and, afterwards, a note of what was agreed that all three may read."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="meetings")
    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=MeetingKind.choices)
    starts_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField(default=60)
    location = models.CharField(max_length=200, blank=True)
    agreed_note = models.TextField(
        blank=True, help_text="What was agreed, in a few lines all three parties may read."
    )
    agreed_recorded_at = models.DateTimeField(null=True, blank=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return self.get_kind_display()
