"""A sponsor contact asks for a kind of information about one engagement: the request is
recorded with the rule the signed agreement gives for that kind and that recipient.

The coach sees that answer before anything leaves (contracts.sponsor.requests). A kind
the agreement does not cover, or a contact it does not name, is answered as *never*.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from coaching.models import SponsorContact
from contracts.audit import record_event
from contracts.engagement.party import recipient_for
from contracts.models import (
    Agreement,
    AgreementVersion,
    AuditEventKind,
    InformationRequest,
    RequestChannel,
    Signer,
    SignerRole,
)
from contracts.sharing import SharingRule, sharing_rule
from contracts.terms import InformationKind, Recipient, SharingLevel


class CannotAsk(Exception):
    """Why this contact cannot ask about this engagement. The message is for the person."""


def signer_for(version: AgreementVersion, contact: SponsorContact) -> Signer | None:
    """The contact as the version names them (its sponsor signatory, or someone kept
    informed), or None: only those named may ask, or see anything, about the engagement."""
    return (
        version.signers.select_related("contact")
        .filter(contact=contact, role__in=[SignerRole.SPONSOR, SignerRole.OBSERVER])
        .first()
    )


def rule_for(
    version: AgreementVersion, kind: str, recipient: Recipient
) -> tuple[SharingLevel, SharingRule | None]:
    """The signed level for a kind and recipient: NEVER when the agreement does not cover
    it (an unknown kind, or a cell left undecided)."""
    try:
        information = InformationKind(kind)
    except ValueError:
        return SharingLevel.NEVER, None
    rule = sharing_rule(version, information, recipient)
    return (rule.level or SharingLevel.NEVER), rule


def request_receive(
    *,
    agreement: Agreement,
    contact: SponsorContact,
    kind: str,
    asked: str,
    channel: RequestChannel,
    actor: str,
    request: HttpRequest | None = None,
) -> InformationRequest:
    """Record a request against the version in force, with the rule that answers it."""
    with transaction.atomic():
        agreement = Agreement.objects.locked(agreement)
        version = agreement.version_in_force()
        if version is None:
            raise CannotAsk("This agreement is not in force: there is nothing to ask about yet.")
        signer = signer_for(version, contact)
        if contact.organisation_id != agreement.organisation_id or signer is None:
            raise CannotAsk("This agreement does not name you, so you cannot ask about it.")
        # A contact who reads no column of the matrix (neither HR nor line manager) is
        # given nothing: their request is answered as "never".
        column = recipient_for(signer)
        recipient = column or Recipient.SPONSOR
        level, _rule = rule_for(version, kind, recipient)
        if column is None:
            level = SharingLevel.NEVER
        covered = kind in InformationKind.values
        made = InformationRequest.objects.create(
            agreement=agreement,
            version=version,
            contact=contact,
            recipient=recipient,
            kind=kind if covered else "",
            asked=asked.strip()[:5000],
            channel=channel,
            level=level,
        )
        record_event(
            agreement,
            AuditEventKind.REQUEST_RECEIVED,
            actor=actor,
            version=version,
            request=request,
            data={
                "request": made.pk,
                "kind": made.kind or "not covered",
                "recipient": recipient,
                "level": level,
                "channel": channel,
            },
        )
        return made
