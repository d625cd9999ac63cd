"""Rendering and sending emails: emails/<name>-subject.txt, -body.txt and -body.html."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def send_email(
    name: str,
    *,
    to: str,
    context: dict[str, Any],
    reply_to: str | None = None,
    attachments: list[tuple[str, bytes, str]] | None = None,
) -> None:
    """Render the named email for one recipient and hand it to the mail server.

    `attachments` are (filename, content, MIME type) triples.
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
    message.send()
