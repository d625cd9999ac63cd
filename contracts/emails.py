"""One function per email a party of an agreement receives.

Subjects name the coach and the practice, never the client, the sponsor or any
term. Links carry a fresh token made here, inside the task that sends them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse

from coaching.emails import send_email
from contracts.audit import head_at_completion
from contracts.models import Signer, SignerRole

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
    headers: Headers = None,
) -> None:
    """Everyone has signed. Parties get a link to their own copy; the coach, the app. Each
    is told the audit trail's head at completion, a record kept outside the database."""
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
    }
    send_email(
        "signing-completed",
        to=signer.email,
        context=context,
        reply_to=context["coach_email"],
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
