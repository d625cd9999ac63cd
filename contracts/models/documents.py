"""Rendered PDFs of agreements: made once per version and kind, then kept."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from contracts.models.agreements import Agreement


class PdfKind(models.TextChoices):
    DRAFT = "draft", "Draft (watermarked)"
    SIGNABLE = "signable", "For signature, online or on paper"
    EXECUTED = "executed", "Signed and sealed, with all the evidence (the coach's copy)"
    COPY = "copy", "Signed and sealed (the parties' copy)"
    RECORD = "record", "Voided or declined: kept for the record, watermarked"
    PARTIAL = "partial", "Signed so far: not yet signed by all parties, watermarked"

    @property
    def is_sealed(self) -> bool:
        return self in {PdfKind.EXECUTED, PdfKind.COPY}


class PdfStatus(models.TextChoices):
    PENDING = "pending", "Being prepared"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class AgreementPdf(models.Model):
    """One rendering of one text of an agreement (a draft's snapshot, or a version)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="pdfs")
    version = models.ForeignKey(
        "contracts.AgreementVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pdfs",
    )
    kind = models.CharField(max_length=10, choices=PdfKind.choices)
    paper_size = models.CharField(max_length=10)
    source_hash = models.CharField(
        max_length=64, help_text="SHA-256 of the snapshot the PDF was made from."
    )
    status = models.CharField(max_length=10, choices=PdfStatus.choices, default=PdfStatus.PENDING)
    file = models.FileField(upload_to="agreements/pdf/", blank=True)
    sha256 = models.CharField("SHA-256 of the PDF file", max_length=64, blank=True, db_index=True)
    size = models.PositiveIntegerField(default=0)
    render_ms = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker last began making it."
    )
    ready_at = models.DateTimeField(null=True, blank=True)
    # The agreement's audit head when a sealed PDF was made; the sealed file holds it too.
    audit_seq = models.PositiveIntegerField("audit trail's last event when sealed", null=True)
    audit_head = models.CharField("hash of that event", max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "source_hash", "kind", "paper_size", name="one_pdf_per_text_kind_and_paper"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agreement.reference} {self.get_kind_display()} PDF"

    @property
    def filename(self) -> str:
        suffix = {
            "draft": "draft",
            "signable": "for-signature",
            "executed": "signed",
            "copy": "signed",
            "record": "not-in-force",
            "partial": "signed-so-far",
        }[self.kind]
        number = f"-v{self.version.number}" if self.version else ""
        return f"{self.agreement.reference}{number}-{suffix}.pdf"
