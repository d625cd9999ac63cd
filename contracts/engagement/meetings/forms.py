"""The forms of the meetings page: a meeting's date, time, length and place, and the
note of what it agreed."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from typing import Any

from django import forms

from contracts.engagement.meetings.services import AGREED_NOTE_LIMIT, date_problem
from contracts.engagement.sessions.services import NoSuchTime, local_datetime
from contracts.models import AgreementVersion, MeetingKind


class MeetingForm(forms.Form):
    """Date and time are read in the coach's time zone."""

    kind = forms.ChoiceField(choices=MeetingKind.choices, widget=forms.HiddenInput)
    day = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Choose the date of the meeting."},
    )
    time = forms.TimeField(
        label="Time",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"required": "Choose the time the meeting starts."},
    )
    minutes = forms.IntegerField(
        label="Length (minutes)",
        min_value=15,
        max_value=480,
        initial=60,
        error_messages={
            "required": "Say how long the meeting lasts, in minutes.",
            "min_value": "A meeting lasts at least 15 minutes.",
            "max_value": "A meeting lasts at most 8 hours (480 minutes).",
        },
    )
    location = forms.CharField(
        label="Where, or the video link",
        max_length=200,
        error_messages={"required": "Say where the meeting is, or give the video link."},
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, time_zone: str, version: AgreementVersion | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zoneinfo.ZoneInfo(time_zone)
        self.version = version
        self.fields["time"].help_text = f"In your time zone, {time_zone}."

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, at, kind = cleaned.get("day"), cleaned.get("time"), cleaned.get("kind")
        if self.version is not None and day is not None and kind:
            problem = date_problem(self.version, kind, day)
            if problem:
                self.add_error("day", problem)
        if day is not None and at is not None:
            try:
                cleaned["starts_at"] = local_datetime(day, at, self.zone.key)
            except NoSuchTime as error:
                self.add_error("time", f"{error} The clocks go forward then: choose another time.")
        return cleaned

    def starts_at(self) -> datetime:
        """The start as an aware moment, in the coach's zone."""
        starts_at: datetime = self.cleaned_data["starts_at"]
        return starts_at


class AgreedNoteForm(forms.Form):
    agreed_note = forms.CharField(
        label="What the meeting agreed",
        max_length=AGREED_NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="A few lines the client, the sponsor and you may all read. "
        "Keep your own notes in your private notes, not here.",
        error_messages={
            "required": "Write what the meeting agreed.",
            "max_length": f"Keep the note under {AGREED_NOTE_LIMIT} characters.",
        },
    )
    base = forms.CharField(widget=forms.HiddenInput)
