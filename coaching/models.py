"""Coaches and the people of their practice: clients, sponsor organisations, contacts.

Everything a coach records belongs to that coach (`coach` foreign key) and is
reached through `for_coach()` querysets; people are archived, never deleted,
because agreements refer to them.
"""

from __future__ import annotations

import unicodedata
import zoneinfo
from decimal import Decimal
from typing import ClassVar, Self

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models.expressions import Combinable
from django.db.models.functions import Lower
from django.utils import timezone


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a time zone this server knows.")


def normalise_email(address: str) -> str:
    """The one form in which email addresses of accounts are stored, looked up and counted.

    NFKC then casefold, so that every spelling of an address (capitals, fullwidth
    letters, ß and ss) is one address, compared exactly. NFKC once more at the end:
    casefolding can undo a composition, and the form must not change when applied twice.
    """
    folded = unicodedata.normalize("NFKC", address.strip()).casefold()
    return unicodedata.normalize("NFKC", folded)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        return normalise_email(email or "")

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email=normalise_email(username or ""))

    async def aget_by_natural_key(self, username: str | None) -> User:
        return await self.aget(email=normalise_email(username or ""))

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        """A new account and its practice profile, together or not at all: every coach
        has a profile from the start (sign-up, createsuperuser and the admin alike)."""
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=normalise_email(email), **extra)
        user.set_password(password)
        with transaction.atomic(using=self._db):
            user.save(using=self._db)
            CoachProfile.objects.using(self._db).create(coach=user)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: a coach (or, with is_staff, an administrator)."""

    email = models.EmailField("email address", max_length=254, unique=True)
    full_name = models.CharField(max_length=150)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_unique_ci")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        """The address as `normalise_email` gives it, whoever saves the account (the admin)."""
        super().clean()
        self.email = normalise_email(self.email)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Currency(models.TextChoices):
    GBP = "GBP", "GBP (£)"
    EUR = "EUR", "EUR (€)"
    USD = "USD", "USD ($)"
    CAD = "CAD", "CAD ($)"
    AUD = "AUD", "AUD ($)"
    NZD = "NZD", "NZD ($)"
    CHF = "CHF", "CHF"
    SGD = "SGD", "SGD ($)"
    ZAR = "ZAR", "ZAR (R)"


class RecordClass(models.TextChoices):
    """Kinds of record a coaching engagement produces, each with its own retention."""

    AGREEMENT = "agreement", "Signed agreement and its audit trail"
    SESSIONS = "sessions", "Session log and three-way meetings"
    NOTES = "notes", "Coach's session notes"
    ASSESSMENTS = "assessments", "Assessment and psychometric results"
    FEEDBACK = "feedback", "Stakeholder feedback"
    INTAKE = "intake", "Intake answers"
    REPORTS = "reports", "Reports and information released"
    DISCLOSURES = "disclosures", "Disclosure log"
    CORRESPONDENCE = "correspondence", "Correspondence"


def _retention_field(
    years: int, record_class: RecordClass
) -> models.PositiveSmallIntegerField[float | int | str | Combinable, int]:
    return models.PositiveSmallIntegerField(
        f"{record_class.label}: keep for (years)",
        default=years,
        validators=[MinValueValidator(1), MaxValueValidator(25)],
    )


def _days_field(
    label: str, days: int
) -> models.PositiveSmallIntegerField[float | int | str | Combinable, int]:
    return models.PositiveSmallIntegerField(
        label, default=days, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )


class PaperSize(models.TextChoices):
    A4 = "A4", "A4"
    LETTER = "letter", "US Letter"


class CoachProfile(models.Model):
    """The coach's practice, credentials and defaults for new agreements."""

    coach = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    practice_name = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(blank=True)
    time_zone = models.CharField(
        max_length=64, default="Europe/London", validators=[validate_time_zone]
    )

    insurer = models.CharField("insurer", max_length=200, blank=True)
    insurance_policy_number = models.CharField("policy number", max_length=100, blank=True)
    insurance_cover_amount = models.DecimalField(
        "cover amount",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    insurance_cover_currency = models.CharField(
        "cover currency", max_length=3, choices=Currency.choices, default=Currency.GBP
    )
    insurance_expires_on = models.DateField("insurance expiry date", null=True, blank=True)

    paper_size = models.CharField(
        "paper size of PDFs", max_length=10, choices=PaperSize.choices, default=PaperSize.A4
    )
    review_interval_months = models.PositiveSmallIntegerField(
        "review agreements every (months)",
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
    )
    remind_reviews = models.BooleanField("remind me of agreement reviews", default=True)
    review_lead_days = _days_field("first review reminder, days before the review date", 30)
    remind_endings = models.BooleanField("remind me when an engagement is ending", default=True)
    ending_lead_days = _days_field("days before an engagement ends", 30)
    remind_insurance = models.BooleanField("remind me before my insurance expires", default=True)
    insurance_lead_days = _days_field("days before my insurance expires", 30)
    retention_agreement_years = _retention_field(7, RecordClass.AGREEMENT)
    retention_notes_years = _retention_field(3, RecordClass.NOTES)
    retention_assessments_years = _retention_field(3, RecordClass.ASSESSMENTS)
    retention_feedback_years = _retention_field(3, RecordClass.FEEDBACK)
    retention_intake_years = _retention_field(3, RecordClass.INTAKE)
    retention_correspondence_years = _retention_field(6, RecordClass.CORRESPONDENCE)
    retention_sessions_years = _retention_field(6, RecordClass.SESSIONS)
    retention_reports_years = _retention_field(3, RecordClass.REPORTS)
    retention_disclosures_years = _retention_field(7, RecordClass.DISCLOSURES)
    dispose_automatically = models.BooleanField(
        "dispose of records automatically when their retention period ends",
        default=False,
        help_text="Otherwise you confirm each disposal on the page of records due.",
    )
    remind_disposals = models.BooleanField(
        "remind me before records are due for disposal", default=True
    )
    disposal_lead_days = _days_field("days before records are due for disposal", 30)

    # The practice's brand, set through its own page (coaching.branding checks each value).
    brand_color = models.CharField("brand colour", max_length=7, blank=True, editable=False)
    logo = models.FileField(upload_to="brand/logos/", blank=True, editable=False)
    logo_width = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    logo_height = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    brand_key = models.CharField(
        max_length=32,
        blank=True,
        editable=False,
        help_text="Random and stable: names the practice's logo and colours in public URLs.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "brand_key", condition=~models.Q(brand_key=""), name="profile_brand_key_unique"
            )
        ]

    def __str__(self) -> str:
        return self.practice_name or str(self.coach)

    @property
    def display_practice_name(self) -> str:
        return self.practice_name or self.coach.full_name

    def retention_years(self) -> dict[RecordClass, int]:
        """Default retention, in years, for each record class."""
        return {rc: getattr(self, f"retention_{rc.value}_years") for rc in RecordClass}

    def has_insurance(self) -> bool:
        return bool(self.insurer and self.insurance_policy_number and self.insurance_expires_on)


class ProfessionalBody(models.TextChoices):
    ICF = "ICF", "International Coaching Federation (ICF)"
    EMCC = "EMCC", "European Mentoring and Coaching Council (EMCC)"
    AC = "AC", "Association for Coaching (AC)"
    CDI = "CDI", "Career Development Institute (CDI)"
    OTHER = "OTHER", "Other"


class Membership(models.Model):
    """A coach's membership of a professional body, whose code of ethics applies."""

    coach = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    body = models.CharField("professional body", max_length=10, choices=ProfessionalBody.choices)
    other_body_name = models.CharField("name of the body", max_length=200, blank=True)
    member_number = models.CharField("member number", max_length=100, blank=True)
    credential = models.CharField(
        "credential", max_length=200, blank=True, help_text="For example PCC, Senior Practitioner."
    )

    class Meta:
        ordering = ["body", "id"]

    def __str__(self) -> str:
        return self.body_name

    @property
    def body_name(self) -> str:
        if self.body == ProfessionalBody.OTHER:
            return self.other_body_name
        return ProfessionalBody(self.body).label


class OwnedQuerySet[M: models.Model](models.QuerySet[M]):
    def for_coach(self, coach: User) -> Self:
        return self.filter(coach=coach)

    def active(self) -> Self:
        return self.filter(archived_at__isnull=True)


class Archivable(models.Model):
    """People are archived rather than deleted: agreements keep referring to them."""

    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def archive(self) -> None:
        if self.archived_at is None:
            self.archived_at = timezone.now()
            self.save(update_fields=["archived_at", "updated_at"])

    def restore(self) -> None:
        if self.archived_at is not None:
            self.archived_at = None
            self.save(update_fields=["archived_at", "updated_at"])


class Organisation(Archivable):
    """A sponsor: the organisation that pays for coaching, acting through its contacts."""

    coach = models.ForeignKey(User, on_delete=models.CASCADE, related_name="organisations")
    name = models.CharField(max_length=200)
    address = models.TextField(blank=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = [Lower("name")]
        constraints = [
            models.UniqueConstraint("coach", Lower("name"), name="organisation_name_unique_ci")
        ]

    def __str__(self) -> str:
        return self.name


class ContactRole(models.TextChoices):
    HR = "hr", "HR"
    LINE_MANAGER = "line_manager", "Line manager"
    OTHER = "other", "Other"


class SponsorContact(Archivable):
    """A named person at a sponsor organisation: an HR director, a line manager."""

    coach = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sponsor_contacts")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="contacts"
    )
    name = models.CharField(max_length=150)
    email = models.EmailField(max_length=254)
    role = models.CharField(max_length=20, choices=ContactRole.choices, default=ContactRole.HR)
    job_title = models.CharField(max_length=150, blank=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = [Lower("name")]
        constraints = [
            models.UniqueConstraint("coach", Lower("email"), name="contact_email_unique_ci")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation.name})"


class Client(Archivable):
    """The person being coached; private clients have no sponsor organisation."""

    coach = models.ForeignKey(User, on_delete=models.CASCADE, related_name="clients")
    name = models.CharField(max_length=150)
    email = models.EmailField(max_length=254)
    job_title = models.CharField(max_length=150, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="clients",
        help_text="Leave empty for a private client who pays for their own coaching.",
    )
    named_in_log_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the client agreed to be named in the coach's coaching log "
        "(given or withdrawn by the client only).",
    )

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = [Lower("name")]
        constraints = [
            models.UniqueConstraint("coach", Lower("email"), name="client_email_unique_ci")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_private(self) -> bool:
        return self.organisation_id is None


class TokenBucket(models.Model):
    """A rate limit: a bucket of tokens per hashed key that refills over time."""

    key = models.CharField(max_length=80, unique=True)
    tokens = models.FloatField()
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.key
