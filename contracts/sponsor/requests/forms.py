"""Forms of requests and releases: the coach's entry of a request, the texts, the
client's decision."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from coaching.models import SponsorContact
from contracts.models import ReleaseKind
from contracts.terms import InformationKind

SOMETHING_ELSE = "other"
REPORT_CHOICES = [
    (ReleaseKind.PROGRESS_REPORT.value, ReleaseKind.PROGRESS_REPORT.label),
    (ReleaseKind.END_REPORT.value, ReleaseKind.END_REPORT.label),
]


def _named(field: forms.Field, contacts: list[SponsorContact]) -> None:
    """Only the contacts the agreement names can be chosen."""
    cast(ContactChoice, field).queryset = SponsorContact.objects.filter(
        pk__in=[c.pk for c in contacts]
    )


class ContactChoice(forms.ModelChoiceField[SponsorContact]):
    def label_from_instance(self, obj: SponsorContact) -> str:
        return f"{obj.name} ({obj.get_role_display()})"


class RequestEntryForm(forms.Form):
    """A request that reached the coach by phone, email or in person."""

    contact = ContactChoice(
        queryset=SponsorContact.objects.none(), label="Who asked", empty_label=None
    )
    kind = forms.ChoiceField(
        label="What they asked for",
        choices=[*InformationKind.choices, (SOMETHING_ELSE, "Something else")],
    )
    asked = forms.CharField(
        label="In their words",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text="What was asked, as close to their words as you can.",
    )

    def __init__(self, *args: Any, contacts: list[SponsorContact], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _named(self.fields["contact"], contacts)


class DeclineForm(forms.Form):
    answer = forms.CharField(
        label="The answer they receive",
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=5000,
    )


class ReleaseTextForm(forms.Form):
    title = forms.CharField(max_length=200)
    body = forms.CharField(label="Text", widget=forms.Textarea(attrs={"rows": 12}))
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class ReportForm(forms.Form):
    """A progress or end-of-engagement report to a named contact."""

    contact = ContactChoice(queryset=SponsorContact.objects.none(), label="To", empty_label=None)
    kind = forms.ChoiceField(label="Report", choices=REPORT_CHOICES)
    title = forms.CharField(max_length=200)
    body = forms.CharField(label="Text", widget=forms.Textarea(attrs={"rows": 12}))

    def __init__(self, *args: Any, contacts: list[SponsorContact], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _named(self.fields["contact"], contacts)


class DecisionForm(forms.Form):
    """The client's decision on one text: the hash is of the text the page showed."""

    release = forms.IntegerField(widget=forms.HiddenInput)
    text_sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)
    decision = forms.ChoiceField(
        choices=[
            ("approved", "Approve"),
            ("consented", "Consent"),
            ("change_asked", "Ask for a change"),
            ("refused", "Refuse"),
        ]
    )
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") == "change_asked" and not cleaned.get("comment", "").strip():
            self.add_error("comment", "Say what you would like changed.")
        return cleaned
