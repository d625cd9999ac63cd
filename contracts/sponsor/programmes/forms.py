"""A programme's own fields, adding agreements to it, and the choices of a bulk creation."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import QuerySet

from coaching.models import ContactRole, Organisation, SponsorContact, User
from contracts.models import Agreement, AgreementTemplate, Programme
from contracts.sponsor.programmes.bulk import MAX_BYTES


class ProgrammeForm(forms.ModelForm[Programme]):
    class Meta:
        model = Programme
        fields = (
            "organisation",
            "name",
            "purchase_order",
            "budget_sessions",
            "budget_amount",
            "currency",
            "start_date",
            "end_date",
        )
        labels = {
            "organisation": "Sponsor organisation",
            "budget_sessions": "Budget in sessions",
            "budget_amount": "Budget in money",
        }
        help_texts = {
            "budget_sessions": "The number of sessions bought, across all its agreements.",
            "budget_amount": "The money set aside. Give a budget in sessions, in money or both.",
        }
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
        }
        error_messages = {
            "name": {"required": "Give the programme a name."},
            "organisation": {"required": "Choose the sponsor organisation."},
        }

    def __init__(self, *args: Any, coach: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation = cast(forms.ModelChoiceField[Organisation], self.fields["organisation"])
        organisation.queryset = Organisation.objects.for_coach(coach).active()
        if self.instance.pk is not None:
            # Its agreements are with this organisation: it stays the programme's sponsor.
            organisation.disabled = True
        self.fields["start_date"].required = True
        self.fields["end_date"].required = True
        self.fields["start_date"].error_messages["required"] = "Give the programme's start date."
        self.fields["end_date"].error_messages["required"] = "Give the programme's end date."

    def clean_budget_sessions(self) -> int | None:
        value: int | None = self.cleaned_data.get("budget_sessions")
        if value is not None and value < 1:
            raise forms.ValidationError("A budget in sessions is at least 1 session.")
        return value

    def clean_budget_amount(self) -> Any:
        value = self.cleaned_data.get("budget_amount")
        if value is not None and value <= 0:
            raise forms.ValidationError("A budget in money is more than zero.")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end <= start:
            self.add_error("end_date", "The end date must be after the start date.")
        if (
            data.get("budget_sessions") is None
            and data.get("budget_amount") is None
            and "budget_sessions" not in self.errors
            and "budget_amount" not in self.errors
        ):
            self.add_error("budget_sessions", "Give a budget in sessions, in money, or both.")
        return data


class AgreementChoiceField(forms.ModelMultipleChoiceField[Agreement]):
    def label_from_instance(self, obj: Agreement) -> str:
        return f"{obj.reference} · {obj.client.name} · {obj.get_status_display()}"


class AddAgreementsForm(forms.Form):
    agreements = AgreementChoiceField(
        queryset=Agreement.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Agreements to add",
        error_messages={"required": "Choose at least one agreement to add."},
    )

    def __init__(self, *args: Any, addable: QuerySet[Agreement], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(AgreementChoiceField, self.fields["agreements"])
        field.queryset = addable.order_by("number")


class BulkForm(forms.Form):
    """The file of clients, and what each of their agreements shares."""

    file = forms.FileField(
        label="CSV file of clients",
        help_text="Columns: name, email, job title, line manager email (the last two optional).",
        error_messages={"required": "Choose the CSV file of clients."},
    )
    template = forms.ModelChoiceField(
        queryset=AgreementTemplate.objects.none(),
        required=False,
        empty_label="The built-in template",
        label="Start each agreement from",
    )
    signatory = forms.ModelChoiceField(
        queryset=SponsorContact.objects.none(),
        label="Who signs for the sponsor",
        error_messages={"required": "Choose who signs for the sponsor."},
    )
    start_date = forms.DateField(
        label="Coaching starts", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.DateField(
        label="Coaching ends", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    session_count = forms.IntegerField(
        label="Number of sessions each",
        required=False,
        validators=[MinValueValidator(1), MaxValueValidator(200)],
        help_text="Leave empty to keep the template's.",
    )

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        template = cast(forms.ModelChoiceField[AgreementTemplate], self.fields["template"])
        template.queryset = AgreementTemplate.objects.for_coach(programme.coach)
        signatory = cast(forms.ModelChoiceField[SponsorContact], self.fields["signatory"])
        contacts = SponsorContact.objects.for_coach(programme.coach).active()
        signatory.queryset = contacts.filter(organisation=programme.organisation).order_by(
            "role", "name"
        )
        hr = signatory.queryset.filter(role=ContactRole.HR).first()
        if hr is not None:
            signatory.initial = hr.pk
        self.fields["start_date"].initial = programme.start_date
        self.fields["end_date"].initial = programme.end_date

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_BYTES // 1024} KB.")
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end <= start:
            self.add_error("end_date", "The end date must be after the start date.")
        return data
