"""Agreements and the coach's templates for them.

`Terms` holds everything the three parties agree to, section by section, as
structured data; agreements and templates both have it, so a new agreement is a
copy of its template's terms and later template edits change nothing already made.
"""

from __future__ import annotations

import calendar
import copy
import functools
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar, Self

from django.apps import apps
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.expressions import Combinable
from django.db.models.functions import Lower
from django.urls import reverse

from coaching.models import Client, Currency, Organisation, SponsorContact, User
from contracts import terms

if TYPE_CHECKING:
    from contracts.models.reviews import Review
    from contracts.models.signing import AgreementVersion


class SessionFormat(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "By video call"
    PHONE = "phone", "By telephone"
    MIXED = "mixed", "A mix of in person and video"


class FeeBasis(models.TextChoices):
    PER_SESSION = "per_session", "A fee per session"
    PACKAGE = "package", "A fee for the whole programme"
    PRO_BONO = "pro_bono", "Pro bono: no fee"
    SEPARATE = "separate", "Set out in a separate contract between the coach and the sponsor"


class Payer(models.TextChoices):
    SPONSOR = "sponsor", "The sponsor organisation"
    CLIENT = "client", "The client"


class FeedbackAnonymity(models.TextChoices):
    NOT_COLLECTED = "not_collected", "No stakeholder feedback is collected"
    UNIDENTIFIED = "unidentified", "Unidentified: no one's answers can be told apart"
    BY_CATEGORY = "by_category", "By category only (for example team or level)"
    BY_NAME = "by_name", "By name, with each stakeholder's agreement"


class RecordingPolicy(models.TextChoices):
    NEVER = "never", "Sessions are never recorded"
    WITH_CONSENT = "with_consent", "Only with the client's consent each time, for the client's use"


class TestimonialPolicy(models.TextChoices):
    NEVER = "never", "The coach never asks for testimonials"
    ANONYMOUS = "anonymous", "Anonymous testimonials, only with the client's written consent"
    NAMED = "named", "Named testimonials, only with the client's written consent"


def _between(low: int, high: int) -> list[Any]:
    return [MinValueValidator(low), MaxValueValidator(high)]


def _text(label: str, help_text: str = "") -> models.TextField[str | Combinable, str]:
    return models.TextField(label, blank=True, help_text=help_text)


class Terms(models.Model):
    """The sections of a three-way agreement (see DOMAIN.md, sections 1 to 16)."""

    # 1. Parties' roles and responsibilities
    coach_responsibilities = _text("the coach's responsibilities")
    client_responsibilities = _text("the client's responsibilities")
    sponsor_responsibilities = _text("the sponsor's responsibilities")
    # 2. Nature of coaching
    nature_of_coaching = _text("what coaching is and is not")
    referral_policy = _text(
        "when the coach refers the client elsewhere",
        "For example to a doctor, counsellor or employee assistance programme.",
    )
    # 3. Goals and measures, visible to all three parties
    goals = models.JSONField(default=list, blank=True)
    # 4. Logistics
    session_count = models.PositiveSmallIntegerField(
        "number of sessions", null=True, blank=True, validators=_between(1, 200)
    )
    session_length_minutes = models.PositiveSmallIntegerField(
        "length of a session (minutes)", null=True, blank=True, validators=_between(10, 480)
    )
    session_frequency = models.CharField(
        "frequency", max_length=120, blank=True, help_text="For example: every three weeks."
    )
    session_format = models.CharField(
        "format", max_length=20, choices=SessionFormat.choices, blank=True
    )
    session_location = models.CharField("where sessions take place", max_length=200, blank=True)
    # 5. Money
    fee_basis = models.CharField("fee", max_length=20, choices=FeeBasis.choices, blank=True)
    fee_amount = models.DecimalField(
        "amount", max_digits=12, decimal_places=2, null=True, blank=True
    )
    fee_currency = models.CharField(
        "currency", max_length=3, choices=Currency.choices, default=Currency.GBP
    )
    payer = models.CharField("who pays", max_length=20, choices=Payer.choices, blank=True)
    invoicing_terms = _text("invoicing and payment terms")
    cancellation_terms = _text("cancellations and missed sessions")
    late_cancellation_hours = models.PositiveSmallIntegerField(
        "notice needed to cancel a session (hours)",
        null=True,
        blank=True,
        validators=_between(0, 168),
    )
    late_cancellation_counts = models.BooleanField(
        "a session cancelled later than that counts as held",
        null=True,
        blank=True,
    )
    # 6 and 7. Sharing matrix and stakeholder feedback
    sharing = models.JSONField(default=terms.default_sharing, blank=True)
    feedback_anonymity = models.CharField(
        "stakeholder feedback", max_length=20, choices=FeedbackAnonymity.choices, blank=True
    )
    # 8 and 9. Limits of confidentiality and the procedure for breaking it
    jurisdiction = models.CharField(
        "jurisdiction", max_length=20, choices=terms.Jurisdiction.choices, blank=True
    )
    jurisdiction_other = models.CharField("name of the jurisdiction", max_length=120, blank=True)
    confidentiality_limits = models.JSONField(default=terms.default_limits, blank=True)
    breach_procedure = _text("the procedure for breaking confidentiality")
    # 10. Organisational guidelines and code of conduct
    organisational_guidelines = _text("organisational guidelines and code of conduct")
    # 11. Records
    records = models.JSONField(default=terms.default_records, blank=True)
    data_controller = _text("who controls which records")
    # 12. The client's own confidentiality duties
    client_confidentiality = _text("the client's own confidentiality duties")
    # 13. Ethics and complaints
    ethics_and_complaints = _text("ethics code and complaints")
    # 14. Consents
    recording = models.CharField(
        "recording sessions", max_length=20, choices=RecordingPolicy.choices, blank=True
    )
    testimonials = models.CharField(
        "testimonials", max_length=20, choices=TestimonialPolicy.choices, blank=True
    )
    health_information = _text(
        "health information",
        "How health information is handled: explicit consent (UK GDPR article 9).",
    )
    # 15. Termination
    termination_terms = _text("ending the agreement early")
    notice_days = models.PositiveSmallIntegerField(
        "notice (days)", null=True, blank=True, validators=_between(0, 365)
    )
    # 16. Review and amendments
    amendment_process = _text("how the agreement is reviewed and amended")
    # Optional additional terms, by section key
    additional_terms = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True

    TERMS_FIELDS: tuple[str, ...] = ()  # filled in below, once the fields exist

    def copy_terms_to(self, other: Terms) -> None:
        for name in Terms.TERMS_FIELDS:
            setattr(other, name, _copied(getattr(self, name)))

    def terms_data(self) -> dict[str, Any]:
        return {name: _copied(getattr(self, name)) for name in Terms.TERMS_FIELDS}

    # Typed, normalised views of the JSON sections.
    @property
    def sharing_matrix(self) -> terms.Sharing:
        return terms.normalised_sharing(self.sharing)

    @property
    def limit_items(self) -> list[terms.LimitItem]:
        return terms.normalised_limits(self.confidentiality_limits)

    @property
    def record_rules(self) -> terms.Records:
        return terms.normalised_records(self.records)

    @property
    def goal_items(self) -> list[terms.Goal]:
        return terms.normalised_goals(self.goals)


Terms.TERMS_FIELDS = tuple(field.name for field in Terms._meta.fields)


def _copied(value: Any) -> Any:
    return copy.deepcopy(value)


class AgreementTemplateQuerySet(models.QuerySet["AgreementTemplate"]):
    def for_coach(self, coach: User) -> Self:
        return self.filter(coach=coach)


class AgreementTemplate(Terms):
    """A coach's named starting point for new agreements."""

    coach = models.ForeignKey(User, on_delete=models.CASCADE, related_name="agreement_templates")
    name = models.CharField(max_length=150)
    description = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AgreementTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("coach", Lower("name"), name="template_name_unique_ci")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("contracts:template-edit", args=[self.pk])


class SigningOrder(models.TextChoices):
    PARALLEL = "parallel", "Everyone at the same time"
    CLIENT_FIRST = "client_first", "The client, then the sponsor, then the coach"
    SPONSOR_FIRST = "sponsor_first", "The sponsor, then the client, then the coach"
    COACH_FIRST = "coach_first", "The coach, then the client, then the sponsor"

    def sequence(self) -> list[str]:
        """Roles in signing order; an empty list means all at once."""
        return {
            "parallel": [],
            "client_first": ["client", "sponsor", "coach"],
            "sponsor_first": ["sponsor", "client", "coach"],
            "coach_first": ["coach", "client", "sponsor"],
        }[self.value]


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent for signature"
    PARTLY_SIGNED = "partly_signed", "Partly signed"
    SIGNED = "signed", "Signed"
    DECLINED = "declined", "Declined"
    VOIDED = "voided", "Voided"
    DISPOSED = "disposed", "Disposed of"


# How an agreement's state is shown and filtered: once a version is in force it stays in
# force while an amendment is drafted, sent, declined or voided, so the agreement is shown
# "In force", never "Draft", until a later version replaces it.
SHOWN_STATUSES: dict[str, str] = {
    "draft": "Draft",
    "sent": "Sent for signature",
    "partly_signed": "Partly signed",
    "in_force": "In force",
    "amending": "In force, with an amendment under way",
    "declined": "Declined",
    "voided": "Voided",
}
AMENDMENT_STATES: dict[str, str] = {
    "draft": "In force (amendment in draft)",
    "sent": "In force (amendment sent for signature)",
    "partly_signed": "In force (amendment partly signed)",
    "declined": "In force (amendment declined)",
    "voided": "In force (amendment voided)",
}


def shown_status(status: str, *, in_force: bool) -> str:
    """The key of SHOWN_STATUSES an agreement is shown and filtered under."""
    if not in_force:
        return str(status)
    return "in_force" if status == AgreementStatus.SIGNED else "amending"


def status_label(status: str, *, in_force: bool) -> str:
    """The status as the coach reads it: "In force (amendment in draft)" while a version
    stays in force during an amendment."""
    if not in_force:
        return str(AgreementStatus(status).label)
    if status == AgreementStatus.SIGNED:
        return SHOWN_STATUSES["in_force"]
    return AMENDMENT_STATES[str(status)]


def reference_of(number: int | None) -> str:
    """The coach's own numbering: nothing about other coaches' volume shows."""
    return f"TRI-{number:04d}" if number else "TRI-new"


@dataclass(frozen=True)
class AgreementRow:
    """An agreement as a list shows it: its columns as plain values, not a model."""

    pk: int
    number: int
    title: str
    status: str
    start_date: date | None
    end_date: date | None
    client_name: str
    organisation_name: str | None
    signatory_name: str | None
    in_force: bool

    FIELDS: ClassVar[tuple[str, ...]] = (
        "pk",
        "number",
        "title",
        "status",
        "start_date",
        "end_date",
        "client__name",
        "organisation__name",
        "sponsor_signatory__name",
        "in_force_exists",
    )

    @property
    def reference(self) -> str:
        return reference_of(self.number)

    @property
    def shown_status(self) -> str:
        return shown_status(self.status, in_force=self.in_force)

    @property
    def status_label(self) -> str:
        return status_label(self.status, in_force=self.in_force)


@functools.cache
def _version_in_force() -> Exists:
    """Whether the agreement has a version in force. Built once: each list asks for it,
    and composing the subquery cost as much as the rest of the list's query. Django
    copies an expression when a query takes it, so the one kept is never changed."""
    # The versions' model, without importing the module that imports this one.
    versions = apps.get_model("contracts", "AgreementVersion")._default_manager
    return Exists(
        versions.filter(
            agreement=OuterRef("pk"), completed_at__isnull=False, ended_at__isnull=True
        )
    )


class AgreementQuerySet(models.QuerySet["Agreement"]):
    def for_coach(self, coach: User) -> Self:
        return self.filter(coach=coach)

    def with_in_force(self) -> Self:
        """Each agreement knows, without a query of its own, whether a version is in force."""
        return self.annotate(in_force_exists=_version_in_force())

    def shown_as(self, shown: str) -> Self:
        """The agreements shown with this status (a key of SHOWN_STATUSES; "signed" is
        the same as "in force"); any other value filters nothing."""
        annotated = self.with_in_force()
        if shown in {"in_force", AgreementStatus.SIGNED}:
            return annotated.filter(in_force_exists=True)
        if shown == "amending":
            return annotated.filter(in_force_exists=True).exclude(status=AgreementStatus.SIGNED)
        if shown in AgreementStatus.values:
            return annotated.filter(in_force_exists=False, status=shown)
        return annotated

    def with_parties(self) -> Self:
        return self.select_related("client", "organisation", "sponsor_signatory", "coach__profile")

    def locked(self, agreement: Agreement) -> Agreement:
        """The agreement re-read under its row lock: every state change starts here."""
        return self.select_for_update().select_related("coach").get(pk=agreement.pk)

    def rows(self) -> models.QuerySet[Agreement, tuple[Any, ...]]:
        """Only what a list of agreements shows, as plain values (see `AgreementRow`): a
        row of the full table carries every term (several of them JSON), and making a
        model of it and of its client, sponsor and signatory cost more than the query."""
        annotated = self if "in_force_exists" in self.query.annotations else self.with_in_force()
        return annotated.values_list(*AgreementRow.FIELDS)

    def search(self, query: str) -> Self:
        return self.filter(
            Q(title__icontains=query)
            | Q(client__name__icontains=query)
            | Q(client__email__icontains=query)
            | Q(organisation__name__icontains=query)
        )


class Agreement(Terms):
    """A three-way (or, for a private client, two-way) coaching agreement."""

    coach = models.ForeignKey(User, on_delete=models.CASCADE, related_name="agreements")
    number = models.PositiveIntegerField(editable=False)
    title = models.CharField(
        max_length=200, help_text="For example: Leadership coaching for Jordan Ellis, 2027."
    )
    status = models.CharField(
        max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="agreements")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreements",
        verbose_name="sponsor organisation",
        help_text="Leave empty for a private client: a two-party agreement.",
    )
    programme = models.ForeignKey(
        "contracts.Programme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreements",
        help_text="The sponsor's programme this agreement belongs to, if any.",
    )
    sponsor_signatory = models.ForeignKey(
        SponsorContact,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreements_to_sign",
        verbose_name="who signs for the sponsor",
    )
    stakeholders = models.ManyToManyField(
        SponsorContact,
        blank=True,
        related_name="agreements_copied",
        verbose_name="others kept informed",
        help_text="For example the line manager. They receive a copy but do not sign.",
    )
    start_date = models.DateField("coaching starts", null=True, blank=True)
    end_date = models.DateField("coaching ends", null=True, blank=True)
    review_date = models.DateField("review the agreement on", null=True, blank=True)
    signing_order = models.CharField(
        "signing order",
        max_length=20,
        choices=SigningOrder.choices,
        default=SigningOrder.PARALLEL,
    )
    require_email_code = models.BooleanField(
        "ask signers for a code sent by email",
        default=False,
        help_text="Before signing, client and sponsor enter a 6-digit code emailed to them.",
    )
    next_review_on = models.DateField(
        "next review",
        null=True,
        blank=True,
        help_text="Set when the agreement is signed; moved on by each review.",
    )
    template_name = models.CharField("made from", max_length=150, blank=True, editable=False)
    # The head of this agreement's hash-chained audit trail (see contracts.audit).
    audit_head = models.CharField(max_length=64, blank=True, editable=False)
    audit_count = models.PositiveIntegerField(default=0, editable=False)
    last_step = models.CharField(max_length=40, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AgreementQuerySet.as_manager()

    # Set by AgreementQuerySet.with_in_force(), or on first use of has_version_in_force.
    in_force_exists: bool

    class Meta:
        ordering = ["-updated_at"]
        indexes = [
            models.Index(fields=["coach", "status"]),
            models.Index(fields=["status", "next_review_on"]),
            # The coach's list, newest first, filtered or not by status.
            models.Index(fields=["coach", "-updated_at"], name="agreement_coach_recent"),
            models.Index(
                fields=["coach", "status", "-updated_at"], name="agreement_coach_status_recent"
            ),
        ]
        constraints = [
            models.UniqueConstraint("coach", "number", name="agreement_number_unique_per_coach")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("contracts:agreement-detail", args=[self.pk])

    @property
    def is_two_party(self) -> bool:
        """A private client's agreement: no sponsor, so no sponsor sections."""
        return self.organisation_id is None

    @property
    def is_editable(self) -> bool:
        return self.status == AgreementStatus.DRAFT

    @property
    def is_out_for_signature(self) -> bool:
        return self.status in {AgreementStatus.SENT, AgreementStatus.PARTLY_SIGNED}

    @property
    def reference(self) -> str:
        return reference_of(self.number)

    def current_version(self) -> AgreementVersion | None:
        """The newest version, whatever became of it (sent, signed, declined, voided)."""
        return self.versions.order_by("-number").first()

    def version_in_force(self) -> AgreementVersion | None:
        """The version signed by everyone and not yet superseded."""
        return (
            self.versions.filter(completed_at__isnull=False, ended_at__isnull=True)
            .order_by("-number")
            .first()
        )

    @property
    def has_version_in_force(self) -> bool:
        """Whether a version signed by everyone is in force (from `with_in_force()` when
        the list was read with it)."""
        known: bool | None = getattr(self, "in_force_exists", None)
        if known is None:
            known = self.in_force_exists = self.version_in_force() is not None
        return known

    @property
    def shown_status(self) -> str:
        """The key of SHOWN_STATUSES this agreement is shown and filtered under."""
        return shown_status(self.status, in_force=self.has_version_in_force)

    @property
    def status_label(self) -> str:
        """The status as the coach reads it (see `status_label`)."""
        return status_label(self.status, in_force=self.has_version_in_force)

    def open_review(self) -> Review | None:
        return self.reviews.filter(completed_at__isnull=True).first()

    def default_review_date(self, interval_months: int) -> date | None:
        """One review interval after coaching starts; halfway through an engagement that
        ends before then, so that the review is never after the end."""
        if self.start_date is None:
            return None
        review = add_months(self.start_date, interval_months)
        if self.end_date is not None and self.start_date < self.end_date < review:
            return self.start_date + (self.end_date - self.start_date) / 2
        return review


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has fewer days."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
