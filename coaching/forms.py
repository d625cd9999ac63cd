"""Forms for the coach's account and the people of their practice.

Every error names the field it belongs to and says, in plain words, what to do.
"""

from typing import Any, cast

from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    BaseUserCreationForm,
    PasswordResetForm,
)
from django.db import models
from django.http import HttpRequest

from coaching import throttle
from coaching.http import client_ip
from coaching.models import (
    Client,
    CoachProfile,
    Membership,
    Organisation,
    ProfessionalBody,
    RecordClass,
    SponsorContact,
    User,
    time_zone_choices,
)

EMAIL_ERRORS = {
    "required": "Enter an email address.",
    "invalid": "Enter an email address in the form name@example.com.",
}

# Failed sign-ins allowed per account and per network address, refilled over 15 minutes.
LOGIN_FAILURES_PER_EMAIL = 5
LOGIN_FAILURES_PER_IP = 30
LOGIN_WINDOW_SECONDS = 15 * 60
# Password-reset emails allowed per address and per network address, per hour.
RESETS_PER_EMAIL = 3
RESETS_PER_IP = 20
SIGNUPS_PER_IP = 10


class SignUpForm(BaseUserCreationForm[User]):
    practice_name = forms.CharField(
        max_length=200,
        required=False,
        help_text="As it should appear on your agreements. You can change it later.",
    )

    class Meta:
        model = User
        fields = ("full_name", "email")
        labels = {"full_name": "Your full name", "email": "Email address"}
        error_messages = {
            "full_name": {"required": "Enter your full name."},
            "email": EMAIL_ERRORS,
        }

    def __init__(self, *args: Any, ip: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client_ip = ip
        self.fields["email"].help_text = "You will sign in with this address."

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account already uses this email address. Sign in, or reset your password."
            )
        return email

    def clean(self) -> dict[str, Any]:
        super().clean()
        if not self.errors and not throttle.spend_token(
            "signup-ip", self.client_ip, capacity=SIGNUPS_PER_IP, per_seconds=3600
        ):
            raise forms.ValidationError(
                "Too many accounts were created from your network in the last hour. "
                "Please try again later."
            )
        return self.cleaned_data


class SignInForm(AuthenticationForm):
    """Django's sign-in form, refusing to try once an account or address failed too often."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email and password do not match an account. Check both and "
        "try again, or reset your password.",
        "throttled": "Too many failed attempts. For your security, wait 15 minutes and try "
        "again, or reset your password.",
    }

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Email address"
        self.fields["username"].widget.attrs.update({"autocomplete": "email", "type": "email"})

    def clean(self) -> dict[str, Any]:
        email = (self.cleaned_data.get("username") or "").strip().lower()
        ip = client_ip(self.request) if self.request else ""
        limits = [
            ("login-email", email, LOGIN_FAILURES_PER_EMAIL),
            ("login-ip", ip, LOGIN_FAILURES_PER_IP),
        ]
        for scope, value, capacity in limits:
            if not throttle.has_tokens(
                scope, value, capacity=capacity, per_seconds=LOGIN_WINDOW_SECONDS
            ):
                raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            return super().clean()
        except forms.ValidationError:
            for scope, value, capacity in limits:
                throttle.spend_token(
                    scope, value, capacity=capacity, per_seconds=LOGIN_WINDOW_SECONDS
                )
            raise


class ThrottledPasswordResetForm(PasswordResetForm):
    """Sends at most a few reset emails per address and per network address each hour."""

    def __init__(self, *args: Any, ip: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client_ip = ip
        self.fields["email"].error_messages.update(EMAIL_ERRORS)

    def clean(self) -> dict[str, Any]:
        super().clean()
        if not self.errors and not throttle.spend_token(
            "reset-ip", self.client_ip, capacity=RESETS_PER_IP, per_seconds=3600
        ):
            raise forms.ValidationError(
                "Too many password resets were requested from your network. "
                "Please try again in an hour."
            )
        return self.cleaned_data

    def get_users(self, email: str) -> Any:
        # Quietly send nothing past the limit: the page must not reveal who has an account.
        if not throttle.spend_token(
            "reset-email", email, capacity=RESETS_PER_EMAIL, per_seconds=3600
        ):
            return iter(())
        return super().get_users(email)


class AccountForm(forms.ModelForm[User]):
    class Meta:
        model = User
        fields = ("full_name", "email")
        labels = {"full_name": "Your full name", "email": "Email address"}
        error_messages = {
            "full_name": {"required": "Enter your full name."},
            "email": EMAIL_ERRORS,
        }

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip().lower()
        taken = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError("Another account already uses this email address.")
        return email


class ProfileForm(forms.ModelForm[CoachProfile]):
    time_zone = forms.ChoiceField(
        choices=time_zone_choices,
        help_text="Dates, times and reminders are shown in this time zone.",
    )

    class Meta:
        model = CoachProfile
        fields = (
            "practice_name",
            "phone",
            "website",
            "time_zone",
            "insurer",
            "insurance_policy_number",
            "insurance_cover_amount",
            "insurance_cover_currency",
            "insurance_expires_on",
            "paper_size",
            "review_interval_months",
            "remind_reviews",
            "review_lead_days",
            "remind_endings",
            "ending_lead_days",
            "remind_insurance",
            "insurance_lead_days",
            *(f"retention_{record_class}_years" for record_class in RecordClass),
        )
        widgets = {
            "insurance_expires_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        }
        help_texts = {
            "review_interval_months": "New agreements get a review date this long after "
            "they start.",
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        insurance = ["insurer", "insurance_policy_number", "insurance_expires_on"]
        given = [name for name in insurance if cleaned.get(name)]
        if given and len(given) < len(insurance):
            for name in insurance:
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(
                        name,
                        "Fill in the insurer, the policy number and the expiry date together, "
                        "or leave all three empty.",
                    )
        return cleaned


class MembershipForm(forms.ModelForm[Membership]):
    class Meta:
        model = Membership
        fields = ("body", "other_body_name", "member_number", "credential")
        error_messages = {"body": {"required": "Choose the professional body."}}

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("body") == ProfessionalBody.OTHER and not cleaned.get("other_body_name"):
            self.add_error("other_body_name", "Enter the name of the professional body.")
        if cleaned.get("body") != ProfessionalBody.OTHER:
            cleaned["other_body_name"] = ""
        return cleaned


class CoachOwnedForm[M: Organisation | SponsorContact | Client](forms.ModelForm[M]):
    """A form for something the coach owns: new rows are the coach's, choices are scoped."""

    def __init__(self, *args: Any, coach: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.coach = coach
        self.instance.coach = coach
        organisation = self.fields.get("organisation")
        if isinstance(organisation, forms.ModelChoiceField):
            current = getattr(self.instance, "organisation_id", None)
            organisation.queryset = Organisation.objects.for_coach(coach).filter(
                models.Q(archived_at__isnull=True) | models.Q(pk=current)
            )

    def refuse_duplicate(self, queryset: models.QuerySet[M], message: str, **lookup: str) -> None:
        others = queryset.filter(coach=self.coach, **lookup).exclude(pk=self.instance.pk)
        other = others.first()
        if other is not None:
            if getattr(other, "archived_at", None):
                message += " It is archived: restore it instead of adding it again."
            raise forms.ValidationError(message)


class OrganisationForm(CoachOwnedForm[Organisation]):
    class Meta:
        model = Organisation
        fields = ("name", "address")
        labels = {"name": "Organisation name"}
        error_messages = {"name": {"required": "Enter the organisation's name."}}
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        self.refuse_duplicate(
            Organisation.objects.all(),
            "You already have an organisation with this name.",
            name__iexact=name,
        )
        return name


class SponsorContactForm(CoachOwnedForm[SponsorContact]):
    class Meta:
        model = SponsorContact
        fields = ("name", "email", "role", "job_title", "organisation")
        labels = {"name": "Full name"}
        error_messages = {
            "name": {"required": "Enter the contact's full name."},
            "email": EMAIL_ERRORS,
            "organisation": {"required": "Choose the organisation this contact works for."},
        }

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip().lower()
        self.refuse_duplicate(
            SponsorContact.objects.all(),
            "Another sponsor contact in your practice already has this email address.",
            email__iexact=email,
        )
        return email


class ClientForm(CoachOwnedForm[Client]):
    class Meta:
        model = Client
        fields = ("name", "email", "job_title", "organisation")
        labels = {"name": "Full name", "organisation": "Sponsor organisation"}
        error_messages = {
            "name": {"required": "Enter the client's full name."},
            "email": EMAIL_ERRORS,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation = cast(forms.ModelChoiceField[Organisation], self.fields["organisation"])
        organisation.empty_label = "None: a private client"

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip().lower()
        self.refuse_duplicate(
            Client.objects.all(),
            "Another client in your practice already has this email address.",
            email__iexact=email,
        )
        return email
