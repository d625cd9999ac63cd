"""Planned sessions as an iCalendar file (RFC 5545) the coach imports into their calendar.

Each session keeps one UID, so importing the file again updates the events rather than
adding copies. Summaries name no client: calendars are shared, synced and shown on
lock screens, so they say "Coaching session" and the practice's name only.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from contracts import ical
from contracts.models import CoachingSession


def sessions_calendar(
    sessions: Iterable[CoachingSession], *, practice_name: str, url: str
) -> bytes:
    """One event per session, in UTC, with a summary free of anything confidential."""
    stamp = ical.utc(datetime.now(UTC))
    summary = f"Coaching session · {practice_name}" if practice_name else "Coaching session"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Tripartite//Coaching sessions//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    for session in sessions:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{ical.uid(f'session-{session.pk}')}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{ical.utc(session.starts_at)}",
            f"DTEND:{ical.utc(session.starts_at + timedelta(minutes=session.minutes))}",
            f"SUMMARY:{ical.escape(summary)}",
            f"SEQUENCE:{session.revision}",
            f"URL:{url}",
            "STATUS:CONFIRMED",
            "TRANSP:OPAQUE",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ical.calendar_file(lines)
