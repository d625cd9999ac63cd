"""Rendering and sending emails: emails/<name>-subject.txt, -body.txt and -body.html."""

from __future__ import annotations

import email.message
import email.policy
import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from coaching.branding import Brand, logo_bytes


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


class _WithInlineImages(EmailMultiAlternatives):
    """An email whose HTML carries images inside it (multipart/related), each referred to
    by its Content-ID (`<img src="cid:...">`): mail programs show them without fetching
    anything, so no image is blocked as remote content and no one learns when the email
    was opened."""

    def __init__(self, *args: Any, images: list[tuple[str, bytes, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.images = images  # (content id, content, MIME type)

    def message(self, *, policy: email.policy.Policy | None = None) -> email.message.EmailMessage:
        msg = super().message(policy=policy or email.policy.default)
        html = next((part for part in msg.walk() if part.get_content_type() == "text/html"), None)
        if isinstance(html, email.message.MIMEPart):
            for content_id, content, mimetype in self.images:
                maintype, subtype = mimetype.split("/", 1)
                html.add_related(
                    content,
                    maintype=maintype,
                    subtype=subtype,
                    cid=f"<{content_id}>",
                    disposition="inline",
                    filename=f"logo.{'jpg' if subtype == 'jpeg' else subtype}",
                )
        return msg


def _inline_logo(context: dict[str, Any]) -> list[tuple[str, bytes, str]]:
    """The practice's logo, when the email shows one (its context holds the brand)."""
    brand = context.get("brand")
    if not isinstance(brand, Brand) or not brand.has_logo:
        return []
    content = logo_bytes(brand)
    if content is None:
        context["brand"] = None if not brand.color else brand.without_logo()
        return []
    return [(brand.logo_cid, content, brand.logo_mimetype)]


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

    `attachments` are (filename, content, MIME type) triples. When the context holds a
    practice's `brand` with a logo, the logo travels inside the email, shown by the HTML
    part as `cid:`. Raises EmailNotSent, which names no one, when the mail server does not
    take it.
    """
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    images = _inline_logo(context)
    subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
    text = render_to_string(f"emails/{name}-body.txt", context)
    html = render_to_string(f"emails/{name}-body.html", context)
    message = _WithInlineImages(
        subject,
        text,
        to=[to],
        reply_to=[reply_to] if reply_to else None,
        headers=headers,
        images=images,
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
