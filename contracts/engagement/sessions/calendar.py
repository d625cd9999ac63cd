"""Planned sessions as an iCalendar file (RFC 5545) the coach imports into their calendar.

Each session keeps one UID, so importing the file again updates the events rather than
adding copies. Summaries name no client: calendars are shared, synced and shown on
lock screens, so they say "Coaching session" and the practice's name only.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.conf import settings

from contracts.models import CoachingSession


def escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space, never in the
    middle of a character."""
    if len(line.encode()) <= 75:
        return line
    parts: list[str] = []
    current = b""
    for char in line:
        piece = char.encode()
        if len(current) + len(piece) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += piece
    parts.append(current.decode())
    return "\r\n ".join(parts)


def utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_file(events: list[list[str]], *, product: str) -> bytes:
    """A VCALENDAR holding the given VEVENT bodies (their property lines)."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//Tripartite//{product}//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    for event in events:
        lines += ["BEGIN:VEVENT", *event, "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode()


def uid_host() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0]


def session_uid(session: CoachingSession) -> str:
    return f"session-{session.pk}@{uid_host()}"


def sessions_calendar(
    sessions: Iterable[CoachingSession], *, practice_name: str, url: str
) -> bytes:
    """One event per session, in UTC, with a summary free of anything confidential."""
    stamp = utc_stamp(datetime.now(UTC))
    summary = f"Coaching session · {practice_name}" if practice_name else "Coaching session"
    events = [
        [
            f"UID:{session_uid(session)}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{utc_stamp(session.starts_at)}",
            f"DTEND:{utc_stamp(session.starts_at + timedelta(minutes=session.minutes))}",
            f"SUMMARY:{escape(summary)}",
            f"SEQUENCE:{session.revision}",
            f"URL:{url}",
            "STATUS:CONFIRMED",
            "TRANSP:OPAQUE",
        ]
        for session in sessions
    ]
    return calendar_file(events, product="Coaching sessions")
