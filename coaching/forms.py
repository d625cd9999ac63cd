"""Forms for the coach's account and the people of their practice.

Every error names the field it belongs to and says, in plain words, what to do.
"""

from collections.abc import Iterator
from typing import Any, cast

from allauth.account.forms import AddEmailForm, ReauthenticateForm
from allauth.core import context
from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordMixin
from django.db import models
from django.http import HttpRequest

from coaching import throttle
from coaching.branding import (
    LOGO_MAX_BYTES,
    MIN_CONTRAST,
    WHITE,
    Logo,
    LogoRefused,
    contrast_ratio,
    logo_prepare,
    normalise_color,
    readable_shade,
)
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
    normalise_email,
    time_zone_choices,
)
from coaching.twofactor import has_two_factor

EMAIL_ERRORS = {
    "required": "Enter an email address.",
    "invalid": "Enter an email address in the form name@example.com.",
}


class AccountEmailField(forms.EmailField):
    """An account's email address, in the form accounts are stored and looked up in
    (`normalise_email`); checked once normalised, so fullwidth letters are accepted."""

    def to_python(self, value: Any) -> str:
        return normalise_email(super().to_python(value) or "")


class SignUpForm(forms.Form):
    """The first step of sign-up: who is asking. Its answer never depends on whether an
    account already uses the address; the email sent to it does."""

    full_name = forms.CharField(
        label="Your full name",
        max_length=150,
        error_messages={"required": "Enter your full name."},
    )
    email = AccountEmailField(
        label="Email address",
        max_length=254,
        help_text="We will email you a link to finish. You will sign in with this address.",
        error_messages=EMAIL_ERRORS,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    practice_name = forms.CharField(
        max_length=200,
        required=False,
        help_text="As it should appear on your agreements. You can change it later.",
    )

    def __init__(self, *args: Any, ip: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client_ip = ip

    def clean(self) -> dict[str, Any]:
        super().clean()
        if not self.errors and throttle.attempt(throttle.SIGN_UP, ip=self.client_ip) is None:
            raise forms.ValidationError(
                "Too many accounts were requested from your network in the last hour. "
                "Please try again later.",
                code="throttled",
            )
        return self.cleaned_data


class SignUpPasswordForm(SetPasswordMixin[User], forms.Form):
    """The second step of sign-up, reached from the emailed link: the password."""

    password1, password2 = SetPasswordMixin.create_password_fields()

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict[str, Any]:
        super().clean()
        self.validate_passwords()
        self.validate_password_for_user(self.user)
        return self.cleaned_data


class SignInForm(AuthenticationForm):
    """Django's sign-in form behind the sign-in throttle: a token per account and per
    network address is taken before the password is checked, and given back if it was
    right, so at most five wrong passwords per account are ever checked in 15 minutes."""

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
        email = self.cleaned_data.get("username")
        if email is None or not self.cleaned_data.get("password"):
            return super().clean()  # nothing to check: the empty field says so
        ip = client_ip(self.request) if self.request else ""
        reservation = throttle.attempt(throttle.SIGN_IN, key=email, ip=ip)
        if reservation is None:
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            return super().clean()
        finally:
            if self.user_cache is not None:
                reservation.refund()


class AdminSignInForm(SignInForm, AdminAuthenticationForm):
    """The admin's sign-in, behind the same throttle: failures count at both doors. It asks
    for no second factor, so an account that has one signs in on the coaches' page first."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "throttled": SignInForm.error_messages["throttled"],
        "two_factor": "This account signs in with a second factor: sign in on the main "
        "sign-in page first, then come back to the admin.",
    }

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        if has_two_factor(user):
            raise forms.ValidationError(self.error_messages["two_factor"], code="two_factor")


class ThrottledPasswordResetForm(PasswordResetForm):
    """Sends at most a few reset emails per address and per network address each hour."""

    email = AccountEmailField(
        label="Email",
        max_length=254,
        error_messages=EMAIL_ERRORS,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args: Any, ip: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client_ip = ip

    def clean(self) -> dict[str, Any]:
        super().clean()
        if (
            not self.errors
            and throttle.attempt(throttle.PASSWORD_RESET, ip=self.client_ip) is None
        ):
            raise forms.ValidationError(
                "Too many password resets were requested from your network. "
                "Please try again in an hour."
            )
        return self.cleaned_data

    def get_users(self, email: str) -> Iterator[User]:
        # Quietly send nothing past the limit: the page must not reveal who has an account.
        if throttle.attempt(throttle.PASSWORD_RESET_EMAILS, key=email) is None:
            return iter(())
        users = User.objects.filter(email=normalise_email(email), is_active=True)
        return (user for user in users if user.has_usable_password())


class AccountForm(forms.ModelForm[User]):
    """The coach's name. The address changes on its own page, once the new one is confirmed
    (ChangeEmailForm)."""

    class Meta:
        model = User
        fields = ("full_name",)
        labels = {"full_name": "Your full name"}
        error_messages = {"full_name": {"required": "Enter your full name."}}


class ThrottledReauthenticateForm(ReauthenticateForm):  # type: ignore[misc]
    """The password asked for again before something sensitive, behind the sign-in
    throttle: wrong passwords here count with those at the sign-in pages."""

    def clean_password(self) -> str:
        ip = client_ip(context.request)
        reservation = throttle.attempt(throttle.SIGN_IN, key=self.user.email, ip=ip)
        if reservation is None:
            raise forms.ValidationError(SignInForm.error_messages["throttled"], code="throttled")
        password: str = super().clean_password()
        reservation.refund()
        return password


class ChangeEmailForm(AddEmailForm):  # type: ignore[misc]
    """A new address for the account, in the form accounts are stored in; it replaces the
    current one only once the link emailed to it is followed."""

    email = AccountEmailField(
        label="New email address",
        max_length=254,
        error_messages=EMAIL_ERRORS,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


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
            "dispose_automatically",
            "remind_disposals",
            "disposal_lead_days",
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


class BrandingForm(forms.Form):
    """The practice's logo and colour, as its clients and sponsors see them."""

    logo = forms.FileField(
        label="Logo",
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
        help_text="A PNG or JPEG of at most 1 MB, at least 16 pixels on each side. It is "
        "shown at most 240 by 40 pixels on pages and 280 by 80 in emails: a wide logo on a "
        "transparent or white background works best.",
    )
    remove_logo = forms.BooleanField(label="Remove the logo", required=False)
    brand_color = forms.CharField(
        label="Brand colour",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "#1F4E5F", "spellcheck": "false"}),
        help_text="A colour as six hexadecimal digits, such as #1F4E5F. Buttons and the page "
        "header put white text on it, so it must be dark enough for white text to be read. "
        "Leave empty for the standard colours.",
    )

    def clean_logo(self) -> Logo | None:
        upload = self.cleaned_data.get("logo")
        if not upload:
            return None
        if upload.size is not None and upload.size > LOGO_MAX_BYTES:
            raise forms.ValidationError(
                "The logo is larger than 1 MB. Save it smaller, or as a JPEG."
            )
        try:
            return logo_prepare(upload)
        except LogoRefused as refused:
            raise forms.ValidationError(str(refused)) from None

    def clean_brand_color(self) -> str:
        value = self.cleaned_data.get("brand_color", "")
        if not value.strip():
            return ""
        try:
            color = normalise_color(value)
        except ValueError:
            raise forms.ValidationError(
                "Enter the colour as # and six hexadecimal digits, such as #1F4E5F."
            ) from None
        ratio = contrast_ratio(color, WHITE)
        if ratio < MIN_CONTRAST:
            raise forms.ValidationError(
                f"White text on {color.upper()} is hard to read (contrast {ratio:.1f} to 1; "
                f"at least {MIN_CONTRAST} to 1 is needed). Choose a darker colour, such as "
                f"{readable_shade(color).upper()}, the nearest darker shade of it."
            )
        return color

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("remove_logo") and cleaned.get("logo"):
            self.add_error(
                "remove_logo", "Choose a new logo or remove the logo, not both at once."
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
