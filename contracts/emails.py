"""One function per email a party of an agreement receives.

Subjects name the coach and the practice, never the client, the sponsor or any
term. Links carry a fresh token made here, inside the task that sends them.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from coaching.branding import brand_of
from coaching.emails import send_email
from contracts import ical
from contracts.agenda import meeting_agenda, meeting_when
from contracts.audit import head_at_completion
from contracts.models import (
    InformationRequest,
    Release,
    Signer,
    SignerRole,
    SignerStatus,
    ThreeWayMeeting,
)

Headers = dict[str, str] | None


def _context(signer: Signer) -> dict[str, Any]:
    version = signer.version
    agreement = version.agreement
    coach = agreement.coach
    snapshot = version.snapshot
    return {
        "signer": signer,
        "role": signer.role,
        "is_client": signer.role == SignerRole.CLIENT,
        "is_sponsor": signer.role == SignerRole.SPONSOR,
        "is_coach": signer.role == SignerRole.COACH,
        "is_observer": signer.role == SignerRole.OBSERVER,
        "title": snapshot["title"],
        "reference": snapshot["reference"],
        "version_number": version.number,
        "fingerprint": version.fingerprint,
        "coach_name": coach.full_name,
        "coach_email": coach.email,
        "practice_name": snapshot["coach"]["practice_name"] or coach.full_name,
        "sponsor_name": snapshot["sponsor"]["name"] if snapshot["sponsor"] else "",
        "two_party": snapshot["two_party"],
        "brand": brand_of(coach.profile),
    }


def _link(name: str, token: str) -> str:
    return settings.SITE_URL + reverse(name, args=[token])


def email_invitation(
    signer: Signer, token: str, *, expires_at: datetime, headers: Headers = None
) -> None:
    """The first invitation to sign (also used when the coach sends a new link)."""
    context = {
        **_context(signer),
        "link": _link("contracts:sign", token),
        "expires_at": expires_at,
        "message": signer.version.invitation_message,
    }
    send_email(
        "signing-invitation",
        to=signer.email,
        context=context,
        reply_to=context["coach_email"],
        headers=headers,
    )


def email_reminder(
    signer: Signer, token: str, *, expires_at: datetime, headers: Headers = None
) -> None:
    context = {
        **_context(signer),
        "link": _link("contracts:sign", token),
        "expires_at": expires_at,
        "message": signer.version.invitation_message,
    }
    send_email(
        "signing-reminder",
        to=signer.email,
        context=context,
        reply_to=context["coach_email"],
        headers=headers,
    )


def email_copy(
    signer: Signer, token: str, *, expires_at: datetime, headers: Headers = None
) -> None:
    """A stakeholder kept informed: a link to read the agreement, not to sign it."""
    context = {
        **_context(signer),
        "link": _link("contracts:copy", token),
        "expires_at": expires_at,
        "message": signer.version.invitation_message,
    }
    send_email(
        "signing-copy",
        to=signer.email,
        context=context,
        reply_to=context["coach_email"],
        headers=headers,
    )


def email_code(signer: Signer, code: str, *, headers: Headers = None) -> None:
    context = {**_context(signer), "code": code, "minutes": settings.SIGNING_CODE_MINUTES}
    send_email("signing-code", to=signer.email, context=context, headers=headers)


def email_completed(
    signer: Signer,
    token: str | None,
    *,
    expires_at: datetime | None,
    attachment: tuple[str, bytes] | None = None,
    headers: Headers = None,
) -> None:
    """Everyone has signed. Parties get a link to their own copy; the coach, the app. A
    signer's email carries the sealed PDF (`attachment`, its name and content) when it is
    made. Each is told the audit trail's head at completion, a record kept outside the
    database."""
    agreement = signer.version.agreement
    link = (
        _link("contracts:copy", token)
        if token
        else settings.SITE_URL + reverse("contracts:agreement-detail", args=[agreement.pk])
    )
    context = {
        **_context(signer),
        "link": link,
        "expires_at": expires_at,
        "audit_head": head_at_completion(signer.version),
        "attached": attachment[0] if attachment else "",
    }
    send_email(
        "signing-completed",
        to=signer.email,
        context=context,
        reply_to=context["coach_email"],
        attachments=[(attachment[0], attachment[1], "application/pdf")] if attachment else None,
        headers=headers,
    )


def email_voided(signer: Signer, *, headers: Headers = None) -> None:
    context = _context(signer)
    send_email(
        "signing-voided",
        to=signer.email,
        context=context,
        reply_to=context["coach_email"],
        headers=headers,
    )


def email_declined_to_coach(signer: Signer, *, headers: Headers = None) -> None:
    """Tell the coach who declined and why (the reason is for the coach only)."""
    agreement = signer.version.agreement
    link = settings.SITE_URL + reverse("contracts:agreement-detail", args=[agreement.pk])
    context = {**_context(signer), "link": link, "reason": signer.decline_reason}
    send_email("signing-declined", to=agreement.coach.email, context=context, headers=headers)


def email_declined_notice(signer: Signer, *, headers: Headers = None) -> None:
    """Tell a party (or someone kept informed) that another party declined, so the version
    will not go ahead. Never the reason: that is for the coach."""
    declined_by = signer.version.declined_by
    context = {
        **_context(signer),
        "declined_by_role": declined_by.role if declined_by else "",
        "has_signed": signer.status == SignerStatus.SIGNED,
    }
    send_email(
        "signing-declined-notice",
        to=signer.email,
        context=context,
        reply_to=context["coach_email"],
        headers=headers,
    )


def email_coach_turn(signer: Signer, *, headers: Headers = None) -> None:
    """In an ordered signing, the others have signed: the coach's turn."""
    agreement = signer.version.agreement
    link = settings.SITE_URL + reverse("contracts:coach-sign", args=[agreement.pk])
    send_email(
        "signing-coach-turn",
        to=signer.email,
        context={**_context(signer), "link": link},
        headers=headers,
    )


def email_review_confirmation(
    signer: Signer, token: str, *, expires_at: datetime, headers: Headers = None
) -> None:
    """After a review, ask a party to confirm online that the agreement still holds."""
    context = {
        **_context(signer),
        "link": _link("contracts:review-confirm", token),
        "expires_at": expires_at,
    }
    send_email(
        "review-confirmation",
        to=signer.email,
        context=context,
        reply_to=context["coach_email"],
        headers=headers,
    )


def email_intake(
    signer: Signer, token: str, *, expires_at: datetime, headers: Headers = None
) -> None:
    """The coach asks the client to fill in the confidential intake questionnaire."""
    context = {
        **_context(signer),
        "link": _link("contracts:intake", token),
        "expires_at": expires_at,
    }
    send_email(
        "intake",
        to=signer.email,
        context=context,
        reply_to=context["coach_email"],
        headers=headers,
    )


def meeting_calendar(meeting: ThreeWayMeeting) -> bytes:
    """The meeting as a calendar request (RFC 5546 REQUEST). Its UID is the meeting's and its
    SEQUENCE grows with each reschedule, so calendars update the event they hold. The title
    and description name only the practice and the kind of meeting: calendars are often
    shared with assistants and colleagues."""
    version = meeting.version
    practice = version.snapshot["coach"]["practice_name"] or version.snapshot["coach"]["name"]
    kind = meeting.get_kind_display()
    attendees = version.signers.filter(
        role__in=[SignerRole.CLIENT, SignerRole.SPONSOR, SignerRole.COACH]
    )
    coach_email = meeting.agreement.coach.email
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Tripartite//Three-way meetings//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:REQUEST",
        "BEGIN:VEVENT",
        f"UID:{ical.uid(f'meeting-{meeting.pk}')}",
        f"SEQUENCE:{meeting.revision - 1}",
        f"DTSTAMP:{ical.utc(timezone.now())}",
        f"DTSTART:{ical.utc(meeting.starts_at)}",
        f"DTEND:{ical.utc(meeting.starts_at + timedelta(minutes=meeting.minutes))}",
        f"SUMMARY:{ical.escape(f'{practice}: {kind}')}",
        f"DESCRIPTION:{ical.escape(f'{kind} with {practice}. The agenda is in the email.')}",
        f"LOCATION:{ical.escape(meeting.location)}",
        f"ORGANIZER:mailto:{coach_email}",
        *(
            f"ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:{s.email}"
            for s in attendees
        ),
        "STATUS:CONFIRMED",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ical.calendar_file(lines)


def email_meeting_invitation(
    signer: Signer, meeting: ThreeWayMeeting, *, token: str | None, headers: Headers = None
) -> None:
    """An invitation (or its update) to a three-way meeting, with its agenda and a calendar
    file. Client and sponsor get a link to their page; the coach, to the meetings page."""
    agreement = meeting.agreement
    zone = zoneinfo.ZoneInfo(agreement.coach.profile.time_zone)
    link = (
        _link("contracts:copy", token)
        if token
        else settings.SITE_URL + reverse("contracts:meetings", args=[agreement.pk])
    )
    context = {
        **_context(signer),
        "meeting": meeting,
        "kind": meeting.get_kind_display(),
        "when": meeting_when(meeting),
        "day": f"{meeting.starts_at.astimezone(zone):%-d %B %Y}",
        "update": meeting.revision > 1,
        "agenda": meeting_agenda(meeting.version, meeting.kind),
        "link": link,
    }
    send_email(
        "meeting-invitation",
        to=signer.email,
        context=context,
        reply_to=context["coach_email"],
        attachments=[("meeting.ics", meeting_calendar(meeting), "text/calendar")],
        headers=headers,
    )


def email_client_decision(
    signer: Signer, release: Release, token: str, *, expires_at: datetime, headers: Headers = None
) -> None:
    """The client is asked to approve, or consent to, a text before it goes to a sponsor
    contact. The text itself is only on the page behind the link."""
    context = {
        **_context(signer),
        "link": _link("contracts:decide", token),
        "expires_at": expires_at,
        "consent": release.level == "consent",
    }
    send_email(
        "client-decision",
        to=signer.email,
        context=context,
        reply_to=context["coach_email"],
        headers=headers,
    )


def email_request_answer(
    signer: Signer, information_request: InformationRequest, *, headers: Headers = None
) -> None:
    """The requester is told the outcome of their request: the coach's answer, no content."""
    context = {**_context(signer), "answer": information_request.answer}
    send_email(
        "request-answer",
        to=signer.email,
        context=context,
        reply_to=context["coach_email"],
        headers=headers,
    )


def email_release_notice(
    signer: Signer, release: Release, token: str, *, expires_at: datetime, headers: Headers = None
) -> None:
    """A sponsor contact is told something was released to them: its title and a link to
    read it, never the text or an attachment."""
    context = {
        **_context(signer),
        "release_title": release.title,
        "link": settings.SITE_URL + reverse("contracts:release-copy", args=[token, release.pk]),
        "expires_at": expires_at,
    }
    send_email(
        "release-notice",
        to=signer.email,
        context=context,
        reply_to=context["coach_email"],
        headers=headers,
    )
