"""Rendering and sending emails: emails/<name>-subject.txt, -body.txt and -body.html."""

from __future__ import annotations

import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


class EmailNotSent(Exception):
    """The mail server did not take an email. The message names no one: it ends up in
    logs and in the records of background tasks, which must not hold people's addresses."""


def _why_not_sent(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in error.recipients.values()})
        return f"the mail server refused the recipient ({', '.join(map(str, codes))})"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"the mail server answered {error.smtp_code}"
    return f"the mail server could not be reached ({type(error).__name__})"


def send_email(
    name: str,
    *,
    to: str,
    context: dict[str, Any],
    reply_to: str | None = None,
    attachments: list[tuple[str, bytes, str]] | None = None,
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
        subject, text, to=[to], reply_to=[reply_to] if reply_to else None
    )
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments or []:
        message.attach(filename, content, mimetype)
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        raise EmailNotSent(f"The {name} email was not sent: {_why_not_sent(error)}.") from None
