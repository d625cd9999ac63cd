"""Rendering and sending emails: emails/<name>-subject.txt, -body.txt and -body.html."""

from __future__ import annotations

import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


class EmailNotSent(Exception):
    """The mail server did not take an email.

    The message names no one: it ends up in logs and in the records of background tasks,
    which must not hold people's addresses. `answer` is what the server said (it may quote
    the address, so it is kept with the email's record, never logged); `permanent` when
    the server refused the recipient for good (a 5xx answer to RCPT), so trying again
    cannot help.
    """

    def __init__(self, message: str, *, answer: str, permanent: bool) -> None:
        super().__init__(message)
        self.answer = answer
        self.permanent = permanent


def _decoded(text: bytes | str) -> str:
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else text


def _why_not_sent(error: Exception) -> tuple[str, str, bool]:
    """A summary that names no one, the server's own answer, and whether it is final."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = list(error.recipients.values())
        codes = sorted({code for code, _ in answers})
        answer = "; ".join(f"{code} {_decoded(text)}" for code, text in answers)
        permanent = all(500 <= code < 600 for code in codes)
        return (
            f"the mail server refused the recipient ({', '.join(map(str, codes))})",
            answer,
            permanent,
        )
    if isinstance(error, smtplib.SMTPResponseException):
        return (
            f"the mail server answered {error.smtp_code}",
            f"{error.smtp_code} {_decoded(error.smtp_error)}",
            False,
        )
    reason = f"the mail server could not be reached ({type(error).__name__})"
    return reason, f"No answer: {reason}", False


def send_email(
    name: str,
    *,
    to: str,
    context: dict[str, Any],
    reply_to: str | None = None,
    attachments: list[tuple[str, bytes, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """Render the named email for one recipient and hand it to the mail server.

    `attachments` are (filename, content, MIME type) triples. Raises EmailNotSent, which
    names no one, when the mail server does not take it.
    """
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
    text = render_to_string(f"emails/{name}-body.txt", context)
    html = render_to_string(f"emails/{name}-body.html", context)
    message = EmailMultiAlternatives(
        subject, text, to=[to], reply_to=[reply_to] if reply_to else None, headers=headers
    )
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments or []:
        message.attach(filename, content, mimetype)
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        reason, answer, permanent = _why_not_sent(error)
        raise EmailNotSent(
            f"The {name} email was not sent: {reason}.", answer=answer[:300], permanent=permanent
        ) from None
