"""Which reminders the records call for: disposal coming up (the coach's lead, from their
profile), and the month to answer a client's request about their data running out.
They are claimed and sent with the other coach reminders (contracts.reviews.reminders),
each under its own key, so each is sent once however many schedulers run."""

from __future__ import annotations

from datetime import date, timedelta

from coaching.models import CoachProfile
from contracts.models import DataRequest, ReminderKind
from contracts.records.schedule import Schedule
from contracts.reviews.reminders import Due

# How long before its deadline an open request about a client's data is reminded of.
DATA_REQUEST_LEAD_DAYS = 7


def disposal_reminders(schedule: Schedule, profile: CoachProfile) -> list[Due]:
    """One reminder per day on which records of the agreement fall due, from the coach's
    lead before it (or at once, if that day has come). Nothing for held records."""
    if not profile.remind_disposals or schedule.held or schedule.ended_on is None:
        return []
    lead = timedelta(days=profile.disposal_lead_days)
    days = sorted(
        {
            item.due_on
            for item in schedule.classes
            if item.due_on is not None and item.due_on - lead <= schedule.today and item.count
        }
    )
    agreement = schedule.agreement
    return [
        Due(
            f"a{agreement.pk}:{ReminderKind.DISPOSAL_DUE}:{day}",
            agreement.coach_id,
            agreement.pk,
            ReminderKind.DISPOSAL_DUE,
            f"{day}",
            day,
        )
        for day in days
    ]


def data_request_reminder(data_request: DataRequest, *, moment: str) -> Due:
    """The reminder of a client's request about their data: when it arrives by link
    (`received`), and when its month is about to run out (`due`)."""
    return Due(
        f"d{data_request.pk}:{ReminderKind.DATA_REQUEST_DUE}:{moment}",
        data_request.coach_id,
        None,
        ReminderKind.DATA_REQUEST_DUE,
        f"{data_request.pk}",
        data_request.due_on,
    )


def data_request_reminders(today: date) -> list[Due]:
    """Open requests whose month runs out within a week, or has run out."""
    horizon = today + timedelta(days=DATA_REQUEST_LEAD_DAYS)
    requests = DataRequest.objects.filter(completed_at__isnull=True, due_on__lte=horizon)
    return [
        data_request_reminder(item, moment="due")
        for item in requests.order_by("pk").only("pk", "coach_id", "due_on")
    ]
