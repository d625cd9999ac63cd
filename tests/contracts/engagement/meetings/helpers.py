"""An agreement in force with a chosen sharing matrix, meetings on it, and the parties'
own pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from coaching.models import ContactRole, User
from contracts.engagement.meetings import services
from contracts.links import issue_link
from contracts.models import (
    AgreementStatus,
    AgreementVersion,
    LinkPurpose,
    Signer,
    SignerRole,
    ThreeWayMeeting,
)
from contracts.terms import Sharing, default_sharing, sharing_cell
from tests.conftest import make_contact
from tests.contracts.signing_helpers import send_agreement


def matrix(**cells: tuple[str, str, str] | str) -> Sharing:
    """The default matrix with some cells replaced: `progress__sponsor=("consent",
    "meeting", "midpoint")`, or a level alone for the whole row (`attendance="never"`)."""
    sharing = default_sharing()
    for key, value in cells.items():
        kind, _, recipient = key.partition("__")
        level, method, timing = (value, "", "") if isinstance(value, str) else value
        cell = sharing_cell(level, method, timing, "coach" if method else "")
        for who in [recipient] if recipient else list(sharing[kind]):
            sharing[kind][who] = cell
    return sharing


def in_force(coach: User, *, line_manager: bool = False, **fields: Any) -> AgreementVersion:
    """Sent, then taken as signed by everyone (the signing itself is tested elsewhere)."""
    version = send_agreement(coach, **fields)
    agreement = version.agreement
    if line_manager:
        assert agreement.organisation is not None
        contact = make_contact(coach=coach, organisation=agreement.organisation, name="Lee LM")
        contact.role = ContactRole.LINE_MANAGER
        contact.save()
        Signer.objects.create(
            version=version,
            role=SignerRole.OBSERVER,
            status="copied",
            name=contact.name,
            email=contact.email,
            contact=contact,
        )
    AgreementVersion.objects.filter(pk=version.pk).update(completed_at=timezone.now())
    agreement.status = AgreementStatus.SIGNED
    agreement.save(update_fields=["status"])
    version.refresh_from_db()
    return version


def plan(
    version: AgreementVersion, kind: str, starts_at: datetime, **extra: Any
) -> ThreeWayMeeting:
    agreement = version.agreement
    return services.meeting_plan(
        agreement=agreement,
        coach=agreement.coach,
        kind=kind,
        starts_at=starts_at,
        minutes=extra.get("minutes", 60),
        location=extra.get("location", "Room 4, Northwind House"),
    )


def page_of(signer: Signer) -> str:
    """The party's own page, opened through a fresh view link."""
    token, _ = issue_link(signer, LinkPurpose.VIEW)
    response = HttpClient().get(reverse("contracts:copy", args=[token]))
    assert response.status_code == 200
    return response.content.decode()


def party(version: AgreementVersion, role: SignerRole) -> Signer:
    return version.signers.get(role=role)
