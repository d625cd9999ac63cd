"""What is signed and by whom: frozen versions, their signers and their emailed links."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils import timezone

from coaching.models import Client, SponsorContact
from contracts.models.agreements import Agreement, SigningOrder

if TYPE_CHECKING:
    from contracts.snapshot import Snapshot


class AgreementVersion(models.Model):
    """An immutable snapshot of every term, frozen when the agreement is sent."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot: models.JSONField[Snapshot, Snapshot] = models.JSONField(editable=False)
    sha256 = models.CharField("SHA-256 of the snapshot", max_length=64, editable=False)
    signing_order = models.CharField(max_length=20, editable=False)
    require_email_code = models.BooleanField(editable=False)
    frozen_at = models.DateTimeField(default=timezone.now, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    ended_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Declined, voided or superseded."
    )
    # Correspondence, not terms: outside the snapshot and its hash, and never logged.
    invitation_message = models.TextField(
        "personal message to the parties", blank=True, editable=False
    )

    class Meta:
        ordering = ["agreement", "number"]
        constraints = [
            models.UniqueConstraint("agreement", "number", name="version_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agreement.reference} v{self.number}"

    @property
    def signing_order_label(self) -> str:
        return SigningOrder(self.signing_order).label

    @property
    def state(self) -> str:
        """What became of this version, whatever became of the agreement since: only a
        signed version not yet superseded is in force."""
        if self.ended_at is None:
            return "Signed" if self.completed_at else "Waiting for signatures"
        if self.completed_at:
            return "Superseded by a later version"
        if self.signers.filter(status=SignerStatus.DECLINED).exists():
            return "Declined"
        return "Voided"

    @property
    def declined_by(self) -> Signer | None:
        """The signer whose refusal ended this version, if one did."""
        return self.signers.filter(status=SignerStatus.DECLINED).first()

    @property
    def in_force(self) -> bool:
        return self.ended_at is None and self.completed_at is not None

    @property
    def fingerprint(self) -> str:
        """A short form of the hash, for people to compare by eye."""
        return f"{self.sha256[:4]} {self.sha256[4:8]} {self.sha256[8:12]}".upper()


class SignerRole(models.TextChoices):
    CLIENT = "client", "Client"
    SPONSOR = "sponsor", "Sponsor"
    COACH = "coach", "Coach"
    OBSERVER = "observer", "Kept informed"


class SignerStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for their turn"
    INVITED = "invited", "Invited to sign"
    SIGNED = "signed", "Signed"
    DECLINED = "declined", "Declined"
    COPIED = "copied", "Sent a copy"


class Signer(models.Model):
    """One party to one version: who they are, and the evidence of what they did."""

    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="signers")
    role = models.CharField(max_length=10, choices=SignerRole.choices)
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Turn in the signing order; 0 when everyone signs at once."
    )
    status = models.CharField(max_length=10, choices=SignerStatus.choices)
    name = models.CharField(max_length=150)
    email = models.EmailField(max_length=254)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, null=True, blank=True)
    contact = models.ForeignKey(SponsorContact, on_delete=models.PROTECT, null=True, blank=True)

    invited_at = models.DateTimeField(null=True, blank=True)
    first_viewed_at = models.DateTimeField(null=True, blank=True)
    code_hash = models.CharField(max_length=64, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)
    code_verified_at = models.DateTimeField(null=True, blank=True)
    disclosure_version = models.CharField(max_length=20, blank=True)
    disclosure_accepted_at = models.DateTimeField(null=True, blank=True)
    confirmations = models.JSONField(default=list, blank=True)
    authority_confirmed_at = models.DateTimeField(null=True, blank=True)
    typed_name = models.CharField(max_length=150, blank=True)
    drawn_signature = models.BinaryField(null=True, blank=True, editable=False)
    intent = models.CharField(
        max_length=200, blank=True, help_text="The button the signer pressed."
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    decline_dealt_with_at = models.DateTimeField(
        null=True, blank=True, help_text="When the coach set the decline aside on the home page."
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["version", "position", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"

    @property
    def signs(self) -> bool:
        return self.role != SignerRole.OBSERVER

    @property
    def still_to_sign(self) -> bool:
        """Waiting for their turn, or invited: neither signed nor declined."""
        return self.status in {SignerStatus.WAITING, SignerStatus.INVITED}

    @property
    def signs_by_email(self) -> bool:
        """Client and sponsor sign from emailed links; the coach signs in the app."""
        return self.role in {SignerRole.CLIENT, SignerRole.SPONSOR}

    def evidence(self) -> dict[str, Any]:
        """The facts of this signature, for the certificate and the audit trail."""
        return {
            "role": self.role,
            "name": self.name,
            "email": self.email,
            "typed_name": self.typed_name,
            "drawn": bool(self.drawn_signature),
            "signed_at": self.signed_at.isoformat() if self.signed_at else None,
            "authenticated_by": "email link and code" if self.code_verified_at else "email link",
        }


class LinkPurpose(models.TextChoices):
    SIGN = "sign", "Sign"
    VIEW = "view", "View a copy"
    CONFIRM = "confirm", "Confirm at a review"
    INTAKE = "intake", "Answer the intake questionnaire"
    DECIDE = "decide", "Approve or consent to a release"


class SigningLink(models.Model):
    """An emailed link. Only the SHA-256 of its random token is stored."""

    signer = models.ForeignKey(Signer, on_delete=models.CASCADE, related_name="links")
    purpose = models.CharField(max_length=10, choices=LinkPurpose.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    views = models.PositiveIntegerField(
        default=0,
        help_text="Times the agreement was opened through this link, a minute or more apart.",
    )
    view_recorded_at = models.DateTimeField(
        null=True, blank=True, help_text="When a view was last written to the audit trail."
    )

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} link for {self.signer}"
