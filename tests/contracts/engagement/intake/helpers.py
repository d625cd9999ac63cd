"""Helpers for intake tests: send an intake, find its link, answer it."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from django.test import Client as HttpClient

from coaching.models import User
from contracts.engagement.intake import services
from contracts.engagement.intake.questions import built_in_questions
from contracts.models import AgreementVersion, Intake
from tests.contracts.signing_helpers import send_agreement

INTAKE_LINK = re.compile(r"https?://[^/\s]+(/intake/[A-Za-z0-9_-]+/)")


def sent_intake(coach: User, **fields: Any) -> Intake:
    """An agreement out for signature, and an intake sent to its client."""
    version = send_agreement(coach, **fields)
    return services.intake_send(
        agreement=version.agreement, coach=coach, questions=built_in_questions()
    )


def intake_for(version: AgreementVersion, coach: User) -> Intake:
    return services.intake_send(
        agreement=version.agreement, coach=coach, questions=built_in_questions()
    )


def intake_link(email: str) -> str:
    """The path of the newest intake link emailed to that address."""
    for message in reversed(mail.outbox):
        if email in message.to and (found := INTAKE_LINK.findall(str(message.body))):
            return str(found[0])
    raise AssertionError(f"No intake link was emailed to {email}")


def answers(**values: str) -> dict[str, str]:
    """A POST of the intake form: every answer field named by its question's key."""
    return {f"answer_{key}": value for key, value in values.items()}


def revision_on(http: HttpClient, path: str) -> str:
    page = http.get(path).content.decode()
    found = re.search(r'name="revision" value="(\d+)"', page)
    assert found, "the form carries the revision it was opened at"
    return found.group(1)


def post_answers(
    http: HttpClient, path: str, *, submit: bool = False, consent: bool = False, **values: str
) -> Any:
    data = {"revision": revision_on(http, path), **answers(**values)}
    data["submit" if submit else "save"] = "1"
    if consent:
        data["health_consent"] = "on"
    return http.post(path, data)
