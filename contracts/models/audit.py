"""The audit trail: append-only events, hash-chained per agreement (see contracts.audit)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from contracts.models.agreements import Agreement
from contracts.models.signing import AgreementVersion, Signer


class AuditEventKind(models.TextChoices):
    VERSION_FROZEN = "version_frozen", "Version frozen"
    SENT = "sent", "Sent for signature"
    EMAIL_HANDED_OVER = "email_handed_over", "Email handed to the mail server"
    EMAIL_FAILED = "email_failed", "Email could not be delivered"
    EMAIL_RESENT = "email_resent", "Failed email sent again"
    VIEWED = "viewed", "Viewed"
    CODE_SENT = "code_sent", "Code sent"
    CODE_VERIFIED = "code_verified", "Code verified"
    CODE_FAILED = "code_failed", "Wrong code entered"
    DISCLOSURE_ACCEPTED = "disclosure_accepted", "Electronic records disclosure accepted"
    LIMIT_CONFIRMED = "limit_confirmed", "Limit of confidentiality confirmed"
    SHARING_CONFIRMED = "sharing_confirmed", "Sharing rule confirmed"
    AUTHORITY_CONFIRMED = "authority_confirmed", "Authority to sign confirmed"
    SIGNED = "signed", "Signed"
    DECLINED = "declined", "Declined"
    VOIDED = "voided", "Voided"
    REMINDER_SENT = "reminder_sent", "Reminder sent"
    COMPLETED = "completed", "Completed"
    DOWNLOADED = "downloaded", "Downloaded"
    REOPENED = "reopened", "Reopened as a new draft"
    REVIEW_STARTED = "review_started", "Review started"
    REVIEW_HOLDS = "review_holds", "Review: agreement still holds"
    REVIEW_CONFIRMED = "review_confirmed", "Review: still holds, confirmed"
    REVIEW_COMPLETED = "review_completed", "Review completed"
    AMENDMENT_STARTED = "amendment_started", "Review: amendment started"
    SUPERSEDED = "superseded", "Superseded by a new version"
    SESSION_LOGGED = "session_logged", "Session logged"
    SESSION_CHANGED = "session_changed", "Session changed"
    NOTE_WRITTEN = "note_written", "Private note written"
    NOTE_READ = "note_read", "Private note read"
    NOTE_DELETED = "note_deleted", "Private note deleted"
    INTAKE_SENT = "intake_sent", "Intake questionnaire sent"
    INTAKE_SUBMITTED = "intake_submitted", "Intake questionnaire submitted"
    INTAKE_READ = "intake_read", "Intake answers read"
    HEALTH_CONSENT = "health_consent", "Consent to share health information given"
    MEETING_PLANNED = "meeting_planned", "Three-way meeting planned"
    MEETING_NOTE = "meeting_note", "What a three-way meeting agreed recorded"
    LOG_CONSENT_GIVEN = "log_consent_given", "Consent to be named in the coaching log given"
    LOG_CONSENT_WITHDRAWN = "log_consent_withdrawn", "Consent to be named in the log withdrawn"
    REQUEST_RECEIVED = "request_received", "Request for information received"
    REQUEST_DECLINED = "request_declined", "Request for information declined"
    RELEASE_PREPARED = "release_prepared", "Information prepared for release"
    RELEASE_TO_CLIENT = "release_to_client", "Asked the client to approve or consent"
    CLIENT_DECIDED = "client_decided", "The client decided on a release"
    RELEASED = "released", "Information released"
    BREACH_RECORDED = "breach_recorded", "Confidentiality broken under a limit, recorded"
    ENGAGEMENT_ENDED = "engagement_ended", "Engagement ended early"
    HOLD_PLACED = "hold_placed", "Legal hold placed"
    HOLD_LIFTED = "hold_lifted", "Legal hold lifted"
    RECORDS_DISPOSED = "records_disposed", "Records disposed of"
    DATA_REQUESTED = "data_requested", "The client asked about their personal data"
    DATA_EXPORTED = "data_exported", "Copy of the client's personal data made"


class AuditEvent(models.Model):
    """One thing that happened to an agreement. Never updated or deleted."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=30, choices=AuditEventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    version = models.ForeignKey(
        AgreementVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    signer = models.ForeignKey(
        Signer, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    actor = models.CharField(max_length=300)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    version_hash = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["agreement", "seq"]
        constraints = [models.UniqueConstraint("agreement", "seq", name="audit_seq_unique")]

    def __str__(self) -> str:
        return f"{self.agreement.reference} #{self.seq} {self.get_kind_display()}"


class AuditCheckpoint(models.Model):
    """Every agreement's audit head at one moment, chained to the checkpoint before and
    signed with the seal's key (see contracts.checkpoints). Never updated or deleted."""

    number = models.PositiveIntegerField()
    taken_at = models.DateTimeField()
    heads = models.JSONField(
        help_text="[agreement id, number of events, hash of the last event], by agreement id."
    )
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)
    certificate_sha256 = models.CharField(
        "SHA-256 of the seal certificate", max_length=64, help_text="Whose key signed it."
    )
    signature = models.TextField(help_text="The seal key's signature of the hash, in base64.")

    class Meta:
        ordering = ["number"]
        constraints = [
            # Two schedulers taking a checkpoint at once: one of them wins, the chain stays one.
            models.UniqueConstraint("number", name="one_checkpoint_per_number"),
            models.UniqueConstraint("prev_hash", name="one_checkpoint_after_each"),
        ]

    def __str__(self) -> str:
        return f"Audit checkpoint {self.number}"


class TrailCheck(models.Model):
    """How far an agreement's trail has been checked: every event up to `seq` was found
    chained to the one before it, the last carrying `hash`. A page checks only the
    events added since; `verify_audit` and the scheduler check whole trails and note
    here what they found."""

    agreement = models.OneToOneField(
        Agreement, on_delete=models.CASCADE, primary_key=True, related_name="trail_check"
    )
    seq = models.PositiveIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True)
    full_check_at = models.DateTimeField(null=True, blank=True)
    problems = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [models.Index(fields=["full_check_at"], name="trailcheck_full_check")]

    def __str__(self) -> str:
        return f"Trail of agreement {self.agreement_id} checked to event {self.seq}"
