"""Emails to the coach about their agreements: a review coming up, due or overdue; an
engagement ending, or its last session near; insurance expiring. Review reminders carry a
calendar invitation."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.urls import reverse

from coaching.emails import send_email
from contracts.drafting.sections import agreement_sections
from contracts.models import DataRequest, DataRequestKind, Reminder, ReminderKind
from contracts.reviews.calendar import review_invitation
from contracts.snapshot import Snapshot
from contracts.terms import Jurisdiction

_UNREAD: Any = object()


def email_reminder_to_coach(reminder: Reminder, *, today: date) -> None:
    """A reminder to the coach: a review coming up, due or overdue; an engagement ending;
    insurance expiring. Review reminders carry a calendar invitation.

    Its wording follows the date it is sent on, in the coach's time zone (`today`), not
    the day it was meant for: a reminder that goes out late says the date has passed.
    """
    coach = reminder.coach
    agreement = reminder.agreement
    context: dict[str, Any] = {
        "coach_name": coach.full_name,
        "kind": reminder.kind,
        "due_on": reminder.due_on,
        "when": _when(reminder.due_on, today),
        "practice_name": coach.profile.practice_name,
    }
    if reminder.kind == ReminderKind.DATA_REQUEST_DUE:
        _email_data_request(reminder, context)
        return
    if reminder.kind == ReminderKind.DISPOSAL_DUE and agreement is not None:
        context.update(reference=agreement.reference, title=agreement.title)
        context["link"] = settings.SITE_URL + reverse(
            "contracts:agreement-records", args=[agreement.pk]
        )
        context["automatic"] = coach.profile.dispose_automatically
        send_email("reminder-disposal", to=coach.email, context=context)
        return
    if agreement is None:
        context["link"] = settings.SITE_URL + reverse("coaching:profile")
        send_email("reminder-insurance", to=coach.email, context=context)
        return
    # Read with the reminder by the reminder pass (`signed_snapshot`); here otherwise.
    snapshot: Snapshot | None = getattr(reminder, "signed_snapshot", _UNREAD)
    if snapshot is _UNREAD:
        signed = agreement.versions.filter(completed_at__isnull=False).order_by("-number")
        newest = signed.first()
        snapshot = newest.snapshot if newest else None
    sponsor = snapshot["sponsor"] if snapshot else None
    context.update(
        reference=agreement.reference,
        title=agreement.title,
        client_name=snapshot["client"]["name"] if snapshot else "",
        sponsor_name=sponsor["name"] if sponsor else "",
        end_date=agreement.end_date,
        limits=snapshot["terms"]["confidentiality_limits"] if snapshot else [],
        jurisdiction=_jurisdiction(snapshot) if snapshot else "",
        sections=[
            section.title for section in agreement_sections(two_party=agreement.is_two_party)
        ],
    )
    if reminder.kind == ReminderKind.LAST_SESSION:
        context["session_count"] = agreement.session_count
        context["link"] = settings.SITE_URL + reverse("contracts:sessions", args=[agreement.pk])
        send_email("reminder-last-session", to=coach.email, context=context)
        return
    if reminder.kind == ReminderKind.ENDING_SOON:
        context["link"] = settings.SITE_URL + reverse(
            "contracts:agreement-detail", args=[agreement.pk]
        )
        send_email("reminder-ending", to=coach.email, context=context)
        return
    link = settings.SITE_URL + reverse("contracts:review", args=[agreement.pk])
    context["link"] = link
    invitation = review_invitation(
        uid=f"review-{agreement.pk}-{reminder.due_on:%Y%m%d}",
        day=reminder.due_on,
        summary=f"Agreement review {agreement.reference}: coach, client and sponsor",
        description=f"Review {agreement.reference} with the client and the sponsor: {link}",
        url=link,
    )
    send_email(
        "reminder-review",
        to=coach.email,
        context=context,
        attachments=[(f"review-{agreement.reference}.ics", invitation, "text/calendar")],
    )


def _email_data_request(reminder: Reminder, context: dict[str, Any]) -> None:
    """The month to answer a client's request for their data, or its erasure, runs out."""
    data_request = DataRequest.objects.select_related("client").get(
        pk=int(reminder.cycle), coach=reminder.coach
    )
    context.update(
        client_name=data_request.client.name,
        erasure=data_request.kind == DataRequestKind.ERASURE,
        received_at=data_request.received_at,
        link=settings.SITE_URL
        + reverse("contracts:client-records", args=[data_request.client_id]),
    )
    send_email("reminder-data-request", to=reminder.coach.email, context=context)


def _when(day: date, today: date) -> str:
    if day < today:
        return "past"
    return "today" if day == today else "ahead"


def _jurisdiction(snapshot: Snapshot) -> str:
    terms = snapshot["terms"]
    value = terms["jurisdiction"]
    if value == Jurisdiction.OTHER:
        return terms["jurisdiction_other"]
    return str(Jurisdiction(value).label) if value in Jurisdiction.values else ""
