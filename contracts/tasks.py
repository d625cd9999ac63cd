"""Background work shared by every capability: emails to the parties of an agreement.

Links and codes are created here, inside the task, so the only copy of a secret
is the email itself: task arguments (stored by the database backend) never hold one.
"""

from __future__ import annotations

from django.db import transaction
from django.tasks import task

from contracts import emails
from contracts.audit import record_event
from contracts.links import issue_code, issue_link
from contracts.models import (
    AuditEventKind,
    LinkPurpose,
    ReviewConfirmation,
    Signer,
    SignerRole,
    SignerStatus,
)

LINK_EMAILS = {
    "invitation": (LinkPurpose.SIGN, emails.email_invitation),
    "reminder": (LinkPurpose.SIGN, emails.email_reminder),
    "copy": (LinkPurpose.VIEW, emails.email_copy),
}


def _signer(signer_id: int) -> Signer:
    return Signer.objects.select_related("version__agreement__coach").get(pk=signer_id)


def _handed_over(signer: Signer, kind: str) -> None:
    agreement = signer.version.agreement
    record_event(
        agreement,
        AuditEventKind.EMAIL_HANDED_OVER,
        actor="Tripartite",
        version=signer.version,
        signer=signer,
        data={"email": kind, "to": signer.role},
    )


@task()
def send_signer_email(signer_id: int, kind: str) -> None:
    """Send one email about an agreement to one party, and note it in the audit trail."""
    with transaction.atomic():
        signer = _signer(signer_id)
        if kind in LINK_EMAILS:
            if kind != "copy" and signer.status != SignerStatus.INVITED:
                return  # signed, declined or voided since the email was queued
            purpose, send = LINK_EMAILS[kind]
            token, link = issue_link(signer, purpose)
            send(signer, token, expires_at=link.expires_at)
        elif kind == "completed":
            if signer.role == SignerRole.COACH:
                emails.email_completed(signer, None, expires_at=None)
            else:
                token, link = issue_link(signer, LinkPurpose.VIEW)
                emails.email_completed(signer, token, expires_at=link.expires_at)
        elif kind == "voided":
            emails.email_voided(signer)
        elif kind == "declined_to_coach":
            emails.email_declined_to_coach(signer)
        elif kind == "coach_turn":
            emails.email_coach_turn(signer)
        else:
            raise ValueError(f"Unknown email {kind!r}")
        _handed_over(signer, kind)


@task()
def send_signer_code(signer_id: int) -> None:
    """Make a one-time code, email it, and note that it was sent."""
    with transaction.atomic():
        signer = _signer(signer_id)
        emails.email_code(signer, issue_code(signer))
        record_event(
            signer.version.agreement,
            AuditEventKind.CODE_SENT,
            actor="Tripartite",
            version=signer.version,
            signer=signer,
        )


@task()
def send_review_confirmation(confirmation_id: int) -> None:
    """Ask a party, by emailed link, to confirm that the reviewed agreement still holds."""
    with transaction.atomic():
        confirmation = ReviewConfirmation.objects.select_related(
            "signer__version__agreement__coach"
        ).get(pk=confirmation_id)
        if confirmation.confirmed_at is not None:
            return
        signer = confirmation.signer
        token, link = issue_link(signer, LinkPurpose.CONFIRM)
        emails.email_review_confirmation(signer, token, expires_at=link.expires_at)
        _handed_over(signer, "review_confirmation")
