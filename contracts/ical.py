"""iCalendar (RFC 5545) text: escaping, line folding and UTC times, shared by every
calendar file the app writes (review reminders, three-way meeting invitations,
planned sessions)."""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings


def escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space."""
    encoded = line.encode()
    if len(encoded) <= 75:
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


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def uid(name: str) -> str:
    """A UID unique to this site: the same name always gives the same UID."""
    return f"{name}@{settings.SITE_URL.split('://', 1)[-1].rstrip('/')}"


def calendar_file(lines: list[str]) -> bytes:
    """The lines as an iCalendar file: folded, CRLF-terminated, UTF-8."""
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode()
