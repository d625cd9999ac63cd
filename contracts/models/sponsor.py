"""The sponsor's side, governed by the agreement (see contracts.sponsor): the sponsor
portal's sign-in links, requests for information answered from the signed matrix, what
is released (reports, attendance, answers) with the client's approval or consent, the
disclosure log, the record of breaking confidentiality, and programmes."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from coaching.models import Client, Currency, Organisation, SponsorContact, User
from contracts.models.agreements import Agreement
from contracts.models.signing import AgreementVersion, Signer
from contracts.terms import InformationKind, Recipient, SharingLevel


class Programme(models.Model):
    """One sponsor's purchase of coaching for several employees: it groups agreements."""

    coach = models.ForeignKey(User, on_delete=models.CASCADE, related_name="programmes")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="programmes"
    )
    name = models.CharField(max_length=150)
    purchase_order = models.CharField("purchase order number", max_length=80, blank=True)
    budget_sessions = models.PositiveIntegerField(null=True, blank=True)
    budget_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.GBP)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class ProgrammeChangeKind(models.TextChoices):
    CREATED = "created", "Programme created"
    EDITED = "edited", "Programme changed"
    AGREEMENTS_ADDED = "agreements_added", "Agreements added"
    AGREEMENTS_REMOVED = "agreements_removed", "Agreement removed"
    BULK_CREATED = "bulk_created", "Agreements created from a CSV file"


class ProgrammeChange(models.Model):
    """One change to a programme (a budget extended, an end date moved, agreements added):
    who, when and, field by field, from what to what. A bulk creation keeps the token of
    the preview it came from, so that submitting that preview twice creates once."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=30, choices=ProgrammeChangeKind.choices)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    changes = models.JSONField(default=dict, blank=True)
    token = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(
                "programme",
                "token",
                condition=~models.Q(token=""),
                name="programme_change_token_unique",
            )
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class PortalLink(models.Model):
    """A one-time sign-in link to the sponsor portal for one contact. Only the SHA-256 of
    its token is stored; it works once, for a short time."""

    contact = models.ForeignKey(
        SponsorContact, on_delete=models.CASCADE, related_name="portal_links"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Portal link {self.pk}"


class RequestChannel(models.TextChoices):
    PORTAL = "portal", "Through the sponsor portal"
    COACH = "coach", "Entered by the coach (phone, email, in person)"


class RequestStatus(models.TextChoices):
    RECEIVED = "received", "Received, waiting for the coach"
    PREPARING = "preparing", "Being prepared by the coach"
    WITH_CLIENT = "with_client", "Waiting for the client"
    CHANGE_ASKED = "change_asked", "The client asked for a change"
    RELEASED = "released", "Released"
    DECLINED = "declined", "Declined"
    REFUSED_BY_CLIENT = "refused_by_client", "Refused by the client"


class InformationRequest(models.Model):
    """A sponsor contact asks for a kind of information about one engagement. The signed
    rule for that kind and recipient, as it stood when asked, is kept with it."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="requests")
    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="+")
    contact = models.ForeignKey(
        SponsorContact, on_delete=models.PROTECT, related_name="information_requests"
    )
    recipient = models.CharField(max_length=20, choices=Recipient.choices)
    kind = models.CharField(
        max_length=20, choices=InformationKind.choices, blank=True, help_text="Empty: not covered."
    )
    asked = models.TextField("what was asked", blank=True)
    channel = models.CharField(max_length=10, choices=RequestChannel.choices)
    level = models.CharField(
        max_length=20,
        choices=SharingLevel.choices,
        help_text="The signed rule when asked (never, when the agreement does not cover it).",
    )
    status = models.CharField(
        max_length=20, choices=RequestStatus.choices, default=RequestStatus.RECEIVED
    )
    answer = models.TextField(
        blank=True, help_text="What the requester is told (never content they may not have)."
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Request {self.pk} ({self.get_status_display()})"


class ReleaseKind(models.TextChoices):
    ANSWER = "answer", "Answer to a request"
    PROGRESS_REPORT = "progress_report", "Progress report"
    END_REPORT = "end_report", "End-of-engagement report"
    ATTENDANCE = "attendance", "Attendance"
    BREACH = "breach", "Disclosure under a limit of confidentiality"


class ReleaseStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    WITH_CLIENT = "with_client", "With the client"
    CHANGE_ASKED = "change_asked", "The client asked for a change"
    APPROVED = "approved", "Approved by the client"
    REFUSED = "refused", "Refused by the client"
    RELEASED = "released", "Released"
    WITHDRAWN = "withdrawn", "Withdrawn by the coach"


class Release(models.Model):
    """Something the coach means to give a sponsor contact: a report, attendance, an
    answer. Only the exact text approved (when approval is needed) is ever released."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="releases")
    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(
        InformationRequest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="releases",
    )
    contact = models.ForeignKey(SponsorContact, on_delete=models.PROTECT, related_name="releases")
    recipient = models.CharField(max_length=20, choices=Recipient.choices)
    kind = models.CharField(max_length=20, choices=ReleaseKind.choices)
    information = models.CharField(max_length=20, choices=InformationKind.choices)
    level = models.CharField(max_length=20, choices=SharingLevel.choices)
    title = models.CharField(max_length=200)
    body = models.TextField()
    body_sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        max_length=20, choices=ReleaseStatus.choices, default=ReleaseStatus.DRAFT
    )
    client_comment = models.TextField(blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    # A released report, sealed: AgreementPdf is for the texts of agreements.
    report_pdf = models.FileField(upload_to="releases/pdf/", blank=True)
    report_pdf_sha256 = models.CharField(max_length=64, blank=True)
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"


class ClientDecisionKind(models.TextChoices):
    APPROVED = "approved", "Approved the text"
    CONSENTED = "consented", "Gave written consent"
    CHANGE_ASKED = "change_asked", "Asked for a change"
    REFUSED = "refused", "Refused"


class ClientDecision(models.Model):
    """The client's answer about one release, with the evidence of a signature: what they
    saw (and its hash), when, from where, with which browser."""

    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="decisions")
    signer = models.ForeignKey(Signer, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=20, choices=ClientDecisionKind.choices)
    text_seen = models.TextField()
    text_sha256 = models.CharField(max_length=64)
    comment = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.get_decision_display()


class BreachRecord(models.Model):
    """Confidentiality broken by the agreed procedure (DOMAIN.md section 9), citing the
    signed limit that applied."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="breaches")
    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="+")
    limit_key = models.CharField(max_length=60)
    occurred_on = models.DateField()
    client_told_first = models.BooleanField()
    not_told_reason = models.TextField(blank=True)
    consulted = models.JSONField(default=list, blank=True)
    disclosed = models.TextField("the minimum disclosed")
    disclosed_to = models.CharField(max_length=200)
    disclosed_how = models.CharField(max_length=200)
    disclosed_at = models.DateTimeField()
    follow_up = models.TextField(blank=True)
    hidden_from_client_reason = models.TextField(
        blank=True, help_text="A lawful reason not to show it to the client (e.g. safeguarding)."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-disclosed_at", "-id"]

    def __str__(self) -> str:
        return f"Breach record {self.pk}"


class DisclosureBasis(models.TextChoices):
    MATRIX = "matrix", "The signed sharing matrix"
    CONSENT = "consent", "The client's written consent"
    APPROVAL = "approval", "The client's approval of the exact text"
    LIMIT = "limit", "A limit of confidentiality"


class DisclosureEntry(models.Model):
    """One release of information outside coach and client: append-only and hash-chained
    per coach (see contracts.sponsor.disclosure). Holds hashes, never the content."""

    coach = models.ForeignKey(User, on_delete=models.PROTECT, related_name="disclosures")
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="disclosures")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="disclosures")
    seq = models.PositiveIntegerField()
    what = models.CharField(max_length=200)
    content_sha256 = models.CharField(max_length=64)
    to_name = models.CharField(max_length=150)
    to_email = models.EmailField(max_length=254)
    to_role = models.CharField(max_length=40)
    basis = models.CharField(max_length=20, choices=DisclosureBasis.choices)
    basis_reference = models.CharField(
        max_length=200, help_text="The matrix cell, the consent record or the limit cited."
    )
    approved_by = models.CharField(max_length=200)
    at = models.DateTimeField(default=timezone.now)
    release = models.ForeignKey(
        Release, on_delete=models.PROTECT, null=True, blank=True, related_name="disclosures"
    )
    breach = models.ForeignKey(
        BreachRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="disclosures"
    )
    visible_to_client = models.BooleanField(default=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["coach", "seq"]
        constraints = [
            models.UniqueConstraint("coach", "seq", name="one_disclosure_per_seq"),
        ]

    def __str__(self) -> str:
        return f"Disclosure {self.seq}"
