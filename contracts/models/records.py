"""The records lifecycle (see contracts.records): when an engagement ended early, legal
holds, the disposal log and the tombstone of a disposed agreement, stored files waiting
to be deleted, the clients' requests for their data or its erasure, and the claim of
each day's pass."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from coaching.models import Client, RecordClass, User
from contracts.models.agreements import Agreement


class Termination(models.Model):
    """The engagement ended before the end date the parties signed: retention runs from here."""

    agreement = models.OneToOneField(
        Agreement, on_delete=models.PROTECT, related_name="termination"
    )
    ended_on = models.DateField("the engagement ended on")
    reason = models.CharField(
        "why (for you only)", max_length=300, blank=True, help_text="For example: notice given."
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Ended on {self.ended_on}"


class LegalHold(models.Model):
    """Nothing of the agreement, or of any agreement of the client, is disposed of while
    the hold stands (a complaint, a claim). Lifting it is kept, never deleted."""

    coach = models.ForeignKey(User, on_delete=models.PROTECT, related_name="legal_holds")
    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, null=True, blank=True, related_name="holds"
    )
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, null=True, blank=True, related_name="holds"
    )
    reason = models.TextField("why the records are held")
    placed_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(agreement__isnull=False) & Q(client__isnull=True))
                | (Q(agreement__isnull=True) & Q(client__isnull=False)),
                name="hold_on_an_agreement_or_a_client",
            )
        ]

    def __str__(self) -> str:
        return f"Legal hold {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class DisposalReason(models.TextChoices):
    RETENTION = "retention", "Retention period ended"
    ERASURE = "erasure", "The client asked for erasure"


class DisposalEntry(models.Model):
    """One class of records of one agreement deleted: what, how many, when, by whom, and the
    SHA-256 of each thing deleted (never the content). Never updated or deleted."""

    coach = models.ForeignKey(User, on_delete=models.PROTECT, related_name="disposals")
    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, null=True, blank=True, related_name="disposals"
    )
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, null=True, blank=True, related_name="disposals"
    )
    reference = models.CharField(max_length=20, help_text="The agreement's reference.")
    record_class = models.CharField(max_length=20, choices=RecordClass.choices)
    count = models.PositiveIntegerField()
    reason = models.CharField(max_length=20, choices=DisposalReason.choices)
    by = models.CharField(max_length=300, help_text="The coach, or the scheduled disposal.")
    at = models.DateTimeField(default=timezone.now)
    hashes = models.JSONField(default=list, help_text="SHA-256 of each record deleted.")
    digest = models.CharField(max_length=64, help_text="SHA-256 of the hashes, in order.")
    audit_seq = models.PositiveIntegerField(
        null=True, blank=True, help_text="The event of the agreement's trail that records it."
    )
    data_request = models.ForeignKey(
        "contracts.DataRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disposals",
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["coach", "at"], name="disposal_coach_at")]

    def __str__(self) -> str:
        return f"{self.reference} {self.record_class} disposed of"


class Tombstone(models.Model):
    """What is left of a disposed agreement: that it existed, the fingerprints of its
    versions and of its audit trail, and the retention it was kept under."""

    agreement = models.OneToOneField(Agreement, on_delete=models.PROTECT, related_name="tombstone")
    reference = models.CharField(max_length=20)
    ended_on = models.DateField(null=True, blank=True)
    retention = models.JSONField(
        default=dict, help_text="Years kept, by record class, as the signed version said."
    )
    versions = models.JSONField(
        default=list, help_text="Each version's number, SHA-256 and dates."
    )
    audit_seq = models.PositiveIntegerField(help_text="The event that records the disposal.")
    audit_head = models.CharField(max_length=64)
    disposed_at = models.DateTimeField(default=timezone.now)
    by = models.CharField(max_length=300)

    def __str__(self) -> str:
        return f"Tombstone of {self.reference}"


class FileDeletion(models.Model):
    """A stored file whose record was deleted: removed from storage once the deletion is
    committed, and tried again by the scheduler until it is gone."""

    name = models.CharField(max_length=500, help_text="The file's name in the storage.")
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"File to delete {self.pk}"


class DataRequestKind(models.TextChoices):
    ACCESS = "access", "A copy of their personal data (UK/EU GDPR art. 15)"
    ERASURE = "erasure", "Erasure of their personal data (UK/EU GDPR art. 17)"


class DataRequestChannel(models.TextChoices):
    LINK = "link", "By the client, through their link (code verified)"
    COACH = "coach", "Recorded by the coach (email, letter, in person)"


class DataRequest(models.Model):
    """A client's request for a copy of their data or for its erasure: answered within a
    month of receipt."""

    coach = models.ForeignKey(User, on_delete=models.PROTECT, related_name="data_requests")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="data_requests")
    kind = models.CharField(max_length=10, choices=DataRequestKind.choices)
    channel = models.CharField(max_length=10, choices=DataRequestChannel.choices)
    received_at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField(help_text="One month after it was received.")
    note = models.CharField("how it reached you", max_length=300, blank=True)
    exported_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.JSONField(
        default=dict, blank=True, help_text="For an erasure: what was erased, what kept and why."
    )
    notice_to = models.EmailField(blank=True, help_text="Where the erasure notice goes.")
    notified_at = models.DateTimeField(null=True, blank=True)
    notice_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.pk})"

    @property
    def is_open(self) -> bool:
        return self.completed_at is None


class RecordsPass(models.Model):
    """The day's pass over retention, claimed by one scheduler (the day is unique)."""

    day = models.DateField(unique=True)
    claimed_by = models.CharField(max_length=36)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    due = models.PositiveIntegerField(default=0)
    disposed = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"Records pass of {self.day}"
