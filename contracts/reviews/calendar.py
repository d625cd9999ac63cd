"""Calendar invitations (iCalendar, RFC 5545) for agreement reviews."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from contracts import ical


def review_invitation(*, uid: str, day: date, summary: str, description: str, url: str) -> bytes:
    """An all-day event on the review date, for the coach to turn into a meeting."""
    return ical.calendar_file(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Tripartite//Agreement reviews//EN",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            "BEGIN:VEVENT",
            f"UID:{ical.uid(uid)}",
            f"DTSTAMP:{ical.utc(datetime.now(UTC))}",
            f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{ical.escape(summary)}",
            f"DESCRIPTION:{ical.escape(description)}",
            f"URL:{url}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
            "END:VCALENDAR",
        ]
    )
