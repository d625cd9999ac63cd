"""The record of breaking confidentiality, one step of the agreed procedure at a time."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django import forms

from contracts.engagement.sessions.services import NoSuchTime, local_datetime
from contracts.sponsor.log.services import CONSULTED, BreachData, Consulted
from contracts.terms import LimitItem

YES_NO = [("yes", "Yes, I told the client first"), ("no", "No")]


class BreachForm(forms.Form):
    limit = forms.ChoiceField(
        label="Which signed limit of confidentiality applies",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the limit of the signed agreement that applies."},
    )
    occurred_on = forms.DateField(
        label="When it came to light",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Enter the day it came to light."},
    )
    client_told = forms.ChoiceField(
        label="Did you pause and tell the client first?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the client was told first."},
    )
    not_told_reason = forms.CharField(
        label="If not, why not",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: telling them would put someone at risk.",
    )
    consulted = forms.MultipleChoiceField(
        label="Who you consulted",
        choices=list(CONSULTED.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    supervisor_name = forms.CharField(
        label="The supervisor's name", required=False, max_length=150
    )
    professional_body_name = forms.CharField(
        label="The professional body (and who)", required=False, max_length=150
    )
    insurer_name = forms.CharField(label="The insurer (and who)", required=False, max_length=150)
    other_name = forms.CharField(label="Someone else: who", required=False, max_length=150)
    disclosed = forms.CharField(
        label="The minimum disclosed",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only what was necessary. Kept in this record; the log keeps only its hash.",
        error_messages={"required": "Write down what was disclosed."},
    )
    disclosed_to = forms.CharField(
        label="To whom",
        max_length=200,
        help_text="The proper recipient: a person and their organisation.",
        error_messages={"required": "Say to whom it was disclosed."},
    )
    disclosed_to_email = forms.EmailField(label="Their email address", required=False)
    disclosed_how = forms.CharField(
        label="How",
        max_length=200,
        help_text="For example: a phone call, then a letter.",
        error_messages={"required": "Say how it was disclosed."},
    )
    disclosed_on = forms.DateField(
        label="Day disclosed",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Enter the day it was disclosed."},
    )
    disclosed_time = forms.TimeField(
        label="Time disclosed",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"required": "Enter the time it was disclosed."},
    )
    follow_up = forms.CharField(
        label="Follow-up",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="How you informed or supported the client, and the review of the "
        "coaching relationship afterwards.",
    )
    hide_from_client = forms.BooleanField(
        label="There is a lawful reason not to show this to the client",
        required=False,
    )
    hidden_from_client_reason = forms.CharField(
        label="The lawful reason",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: a safeguarding referral the client must not be alerted to.",
    )

    def __init__(self, *args: Any, limits: list[LimitItem], time_zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.time_zone = time_zone
        cast(forms.ChoiceField, self.fields["limit"]).choices = [
            (item["key"], f"{item['title']}: {item['wording']}") for item in limits
        ]
        self.fields["disclosed_time"].help_text = f"In your time zone, {time_zone}."

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        if (
            cleaned.get("client_told") == "no"
            and not str(cleaned.get("not_told_reason") or "").strip()
        ):
            self.add_error("not_told_reason", "Say why the client was not told first.")
        if (
            "other" in (cleaned.get("consulted") or [])
            and not str(cleaned.get("other_name") or "").strip()
        ):
            self.add_error("other_name", "Say who else you consulted.")
        if (
            cleaned.get("hide_from_client")
            and not str(cleaned.get("hidden_from_client_reason") or "").strip()
        ):
            self.add_error(
                "hidden_from_client_reason", "Give the lawful reason, or untick the box."
            )
        day, at = cleaned.get("disclosed_on"), cleaned.get("disclosed_time")
        if day is not None and at is not None:
            try:
                cleaned["disclosed_at"] = local_datetime(day, at, self.time_zone)
            except NoSuchTime as error:
                self.add_error("disclosed_time", str(error))
        occurred = cleaned.get("occurred_on")
        if day is not None and occurred is not None and day < occurred:
            self.add_error("disclosed_on", "This is before the day it came to light.")
        return cleaned

    def breach_data(self) -> BreachData:
        cleaned = self.cleaned_data
        chosen = cleaned["consulted"]
        disclosed_at: datetime = cleaned["disclosed_at"]
        return BreachData(
            limit_key=cleaned["limit"],
            occurred_on=cleaned["occurred_on"],
            client_told_first=cleaned["client_told"] == "yes",
            not_told_reason=cleaned["not_told_reason"],
            consulted=[Consulted(who=who, name=cleaned[f"{who}_name"]) for who in chosen],
            disclosed=cleaned["disclosed"],
            disclosed_to=cleaned["disclosed_to"],
            disclosed_to_email=cleaned["disclosed_to_email"],
            disclosed_how=cleaned["disclosed_how"],
            disclosed_at=disclosed_at,
            follow_up=cleaned["follow_up"],
            hidden_from_client_reason=(
                cleaned["hidden_from_client_reason"] if cleaned["hide_from_client"] else ""
            ),
        )
