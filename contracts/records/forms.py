"""The records' forms: an early end, a hold and its lifting, a client's request recorded
by the coach or made through the client's link, and the emailed code."""

from __future__ import annotations

from django import forms

from contracts.models import DataRequestKind

REASON_LIMIT = 2000


class TerminationForm(forms.Form):
    ended_on = forms.DateField(
        label="The engagement ended on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Give the day the engagement ended.",
            "invalid": "Give the date as day, month and year.",
        },
    )
    reason = forms.CharField(
        label="Why (for you only)",
        required=False,
        max_length=300,
        help_text="For example: the client gave notice. Never shown to the parties.",
    )


class HoldForm(forms.Form):
    reason = forms.CharField(
        label="Why the records are held",
        max_length=REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: a complaint to the professional body, or a claim. For you only.",
        error_messages={"required": "Say why the records are held."},
    )


class LiftForm(forms.Form):
    reason = forms.CharField(
        label="Why the hold is lifted",
        max_length=REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: the complaint was closed on 3 May.",
        error_messages={"required": "Say why the hold is lifted."},
    )


class DataRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label="The client asked for",
        choices=DataRequestKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the client asked for."},
    )
    note = forms.CharField(
        label="How it reached you",
        required=False,
        max_length=300,
        help_text="For example: by email on 2 March. The month to answer runs from today.",
    )


class AskForm(forms.Form):
    kind = forms.ChoiceField(
        label="What would you like?",
        choices=[
            (DataRequestKind.ACCESS.value, "A copy of the personal data the coach holds about me"),
            (DataRequestKind.ERASURE.value, "The erasure of my personal data"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose one."},
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label="The 6-digit code we emailed you",
        max_length=12,
        error_messages={"required": "Enter the code from the email."},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
