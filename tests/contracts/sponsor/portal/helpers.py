"""Agreements in force that name sponsor contacts, and a browser signed in to the portal."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from coaching.models import ContactRole, Organisation, SponsorContact, User
from contracts.models import (
    Agreement,
    AgreementStatus,
    AgreementVersion,
    Release,
    ReleaseKind,
    ReleaseStatus,
)
from contracts.signing import services as signing
from contracts.terms import InformationKind, Recipient, SharingLevel
from tests.conftest import make_agreement, make_client, make_contact

PORTAL_LINK = re.compile(r"https?://[^\s\"<>]+(/portal/enter/[\w-]+/)")


@dataclass
class Sponsored:
    agreement: Agreement
    hr: SponsorContact
    manager: SponsorContact


def in_force_with_manager(
    coach: User, *, organisation: Organisation | None = None, manager_name: str = "Morgan Manager"
) -> Sponsored:
    """An agreement signed by everyone whose sponsor signatory is HR and whose line
    manager is kept informed."""
    client = make_client(coach=coach, organisation=organisation) if organisation else None
    agreement = make_agreement(coach=coach, client=client, complete=True)
    assert agreement.organisation is not None
    hr = agreement.sponsor_signatory
    if hr is None:
        hr = make_contact(coach=coach, organisation=agreement.organisation, name="Harper HR")
        agreement.sponsor_signatory = hr
        agreement.save()
    manager = make_contact(coach=coach, organisation=agreement.organisation, name=manager_name)
    manager.role = ContactRole.LINE_MANAGER
    manager.save()
    agreement.stakeholders.add(manager)
    version = signing.agreement_send(agreement=agreement, coach=coach)
    AgreementVersion.objects.filter(pk=version.pk).update(completed_at=timezone.now())
    Agreement.objects.filter(pk=agreement.pk).update(status=AgreementStatus.SIGNED)
    agreement.refresh_from_db()
    return Sponsored(agreement=agreement, hr=hr, manager=manager)


def portal_path(email: str) -> str:
    """The path of the newest sign-in link emailed to that address."""
    for message in reversed(mail.outbox):
        if email in message.to and (found := PORTAL_LINK.search(str(message.body))):
            return found.group(1)
    raise AssertionError(f"no portal link was emailed to {email}")


def portal_browser(contact: SponsorContact) -> HttpClient:
    """A browser signed in to the portal as this contact, through the emailed link."""
    browser = HttpClient()
    browser.post(reverse("contracts:portal"), {"email": contact.email})
    response = browser.post(portal_path(contact.email))
    assert response.status_code == 302, response.status_code
    return browser


def make_release(
    agreement: Agreement,
    contact: SponsorContact,
    *,
    title: str = "Attendance to March",
    status: ReleaseStatus = ReleaseStatus.RELEASED,
) -> Release:
    version = agreement.version_in_force()
    assert version is not None
    return Release.objects.create(
        agreement=agreement,
        version=version,
        contact=contact,
        recipient=Recipient.SPONSOR,
        kind=ReleaseKind.ATTENDANCE,
        information=InformationKind.ATTENDANCE,
        level=SharingLevel.ROUTINE,
        title=title,
        body=f"{title}: four sessions held.",
        status=status,
        released_at=timezone.now() if status == ReleaseStatus.RELEASED else None,
    )
