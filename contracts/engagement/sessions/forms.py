"""The session form: day and time in the coach's own time zone, and an explicit override."""

from __future__ import annotations

import zoneinfo
from typing import Any, cast

from django import forms

from contracts.engagement.sessions.services import (
    NoSuchTime,
    SessionData,
    local_datetime,
)
from contracts.models import CoachingSession, SessionFormat, SessionStatus


class SessionForm(forms.Form):
    day = forms.DateField(
        label="Day",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Enter the day of the session."},
    )
    time = forms.TimeField(
        label="Time",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"required": "Enter the time the session starts."},
    )
    minutes = forms.IntegerField(
        label="Length (minutes)",
        min_value=5,
        max_value=480,
        error_messages={"required": "Enter the length of the session in minutes."},
    )
    format = forms.ChoiceField(label="Format", choices=SessionFormat.choices)
    status = forms.ChoiceField(
        label="Status",
        choices=SessionStatus.choices,
        help_text="Planned sessions are exported to your calendar; held sessions and "
        "no-shows count as used, and late cancellations as the agreement says.",
    )
    pro_bono = forms.BooleanField(label="Pro bono", required=False)
    override = forms.BooleanField(
        label="Log it anyway, outside what the agreement provides",
        required=False,
        help_text="For a session outside the engagement dates or beyond the number agreed.",
    )
    override_reason = forms.CharField(
        label="Reason for logging it anyway",
        required=False,
        max_length=300,
        help_text="Kept with the session and in the audit trail.",
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, time_zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.time_zone = time_zone
        self.fields["time"].help_text = f"In your time zone, {time_zone}."

    @classmethod
    def initial_for(cls, session: CoachingSession, *, time_zone: str) -> dict[str, Any]:
        local = session.starts_at.astimezone(zoneinfo.ZoneInfo(time_zone))
        return {
            "day": local.date(),
            "time": local.time().replace(second=0, microsecond=0),
            "minutes": session.minutes,
            "format": session.format,
            "status": session.status,
            "pro_bono": session.pro_bono,
            "override": bool(session.override_reason),
            "override_reason": session.override_reason,
            "revision": session.revision,
        }

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        reason = str(cleaned.get("override_reason") or "").strip()
        if cleaned.get("override") and not reason:
            self.add_error(
                "override_reason", "Say why the session is logged outside the agreement."
            )
        day, at = cleaned.get("day"), cleaned.get("time")
        if day is not None and at is not None:
            try:
                cleaned["starts_at"] = local_datetime(day, at, self.time_zone)
            except NoSuchTime as error:
                self.add_error("time", f"{error} The clocks go forward then: choose another.")
        return cleaned

    def session_data(self) -> SessionData:
        data = self.cleaned_data
        return SessionData(
            starts_at=data["starts_at"],
            minutes=data["minutes"],
            format=data["format"],
            status=data["status"],
            pro_bono=data["pro_bono"],
            override_reason=str(data["override_reason"]).strip() if data["override"] else "",
        )


class LogYearForm(forms.Form):
    year = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Year")

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year = cast(forms.TypedChoiceField, self.fields["year"])
        year.choices = [("", "Every year"), *[(y, str(y)) for y in years]]
