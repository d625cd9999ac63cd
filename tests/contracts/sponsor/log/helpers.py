"""An agreement in force with a release in its disclosure log, and a breach's answers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from django.test import Client as HttpClient
from django.urls import reverse

from contracts.links import issue_link
from contracts.models import (
    Agreement,
    DisclosureBasis,
    DisclosureEntry,
    LinkPurpose,
    Release,
    ReleaseKind,
    ReleaseStatus,
    SignerRole,
)
from contracts.sponsor.disclosure import Recipient, content_hash, disclosure_record
from contracts.terms import InformationKind, SharingLevel
from contracts.terms import Recipient as Column

SUMMARY = "Jamie has grown in confidence chairing the weekly stand-up."


def released_summary(agreement: Agreement, *, visible: bool = True) -> DisclosureEntry:
    """A progress summary released to HR, in the log as the matrix allows it."""
    version = agreement.version_in_force()
    hr = agreement.sponsor_signatory
    assert version is not None and hr is not None
    release = Release.objects.create(
        agreement=agreement,
        version=version,
        contact=hr,
        recipient=Column.SPONSOR,
        kind=ReleaseKind.PROGRESS_REPORT,
        information=InformationKind.PROGRESS,
        level=SharingLevel.ROUTINE,
        title="Progress summary, March",
        body=SUMMARY,
        body_sha256=content_hash(SUMMARY),
        status=ReleaseStatus.RELEASED,
    )
    return disclosure_record(
        agreement=agreement,
        what=release.title,
        content=release.body,
        to=Recipient(name=hr.name, email=hr.email, role="sponsor"),
        basis=DisclosureBasis.MATRIX,
        basis_reference="progress.sponsor",
        approved_by="Casey Coach (the coach)",
        release=release,
        visible_to_client=visible,
    )


def breach_answers(**changes: Any) -> dict[str, Any]:
    """What the coach enters on the breach page, every step answered."""
    answers: dict[str, Any] = {
        "limit": "harm",
        "occurred_on": "2027-03-02",
        "client_told": "yes",
        "not_told_reason": "",
        "consulted": ["supervisor", "insurer"],
        "supervisor_name": "Dr Ruth Lee",
        "insurer_name": "Hiscox legal line",
        "disclosed": "Jamie said they planned to hurt their manager on Friday.",
        "disclosed_to": "Sam Safety, Acme security",
        "disclosed_to_email": "sam@acme.example",
        "disclosed_how": "A phone call, then a letter",
        "disclosed_on": "2027-03-03",
        "disclosed_time": "10:30",
        "follow_up": "Met Jamie the next day; reviewed the coaching relationship.",
    }
    answers.update(changes)
    return {name: value for name, value in answers.items() if value is not None}


NOW = datetime(2027, 3, 10, 12, tzinfo=UTC)
TODAY = date(2027, 3, 10)


def copy_page(agreement: Agreement, role: SignerRole) -> str:
    """The party's copy page of the version in force, through a fresh link."""
    version = agreement.version_in_force()
    assert version is not None
    token, _ = issue_link(version.signers.get(role=role), LinkPurpose.VIEW)
    response = HttpClient().get(reverse("contracts:copy", args=[token]))
    assert response.status_code == 200
    return response.content.decode()
