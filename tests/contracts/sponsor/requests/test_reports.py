"""Progress and end-of-engagement reports: released only under the rule for progress and
the recipient, as a sealed PDF its recipient reads through their own link."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse

from coaching.models import User
from contracts.documents.seal import Verdict, check_seal
from contracts.links import issue_link
from contracts.models import DisclosureEntry, LinkPurpose, Release, ReleaseStatus, SignerRole
from tests.contracts.sponsor.portal.helpers import portal_browser
from tests.contracts.sponsor.requests.helpers import (
    RELEASE_LINK,
    SUMMARY,
    decide,
    engagement,
    hr,
    line_manager,
    newest_link,
    release_url,
)

ROUTINE_PROGRESS = ("routine", "report", "midpoint_and_end")
APPROVED_PROGRESS = ("approved_summary", "report", "midpoint_and_end")


def write_report(http: HttpClient, agreement_id: int, contact_pk: int, kind: str) -> Any:
    return http.post(
        reverse("contracts:agreement-report-new", args=[agreement_id]),
        {"contact": contact_pk, "kind": kind, "title": "Mid-point report", "body": SUMMARY},
    )


@pytest.mark.django_db
def test_a_routine_progress_report_is_released_as_a_sealed_pdf_to_its_recipient_only(
    coach: User, signed_in: HttpClient
) -> None:
    version = engagement(coach, progress__sponsor=ROUTINE_PROGRESS)
    write_report(signed_in, version.agreement_id, hr(version).pk, "progress_report")
    report = Release.objects.get()
    assert (report.kind, report.information, report.level) == (
        "progress_report",
        "progress",
        "routine",
    )
    mail.outbox.clear()
    signed_in.post(release_url(report, "send"))

    report.refresh_from_db()
    assert report.status == ReleaseStatus.RELEASED and report.report_pdf
    [notice] = mail.outbox
    assert not notice.attachments and SUMMARY not in str(notice.body)
    page = newest_link(RELEASE_LINK, hr(version).email)
    pdf = HttpClient().get(page + "pdf/")
    data = pdf.getvalue()
    assert pdf["Content-Type"] == "application/pdf" and pdf["Cache-Control"] == "no-store"
    assert check_seal(data).verdict == Verdict.AUTHENTIC
    assert hashlib.sha256(data).hexdigest() == report.report_pdf_sha256
    assert DisclosureEntry.objects.get().basis_reference == "progress.sponsor"

    manager = version.signers.get(role=SignerRole.OBSERVER)
    token, _link = issue_link(manager, LinkPurpose.VIEW)
    for path in (
        reverse("contracts:release-copy", args=[token, report.pk]),
        reverse("contracts:release-copy-pdf", args=[token, report.pk]),
    ):
        assert HttpClient().get(path).status_code == 404, "released to HR, not to them"


@pytest.mark.django_db
def test_a_report_the_matrix_gives_the_recipient_never_cannot_be_written(
    coach: User, signed_in: HttpClient
) -> None:
    version = engagement(coach, progress__line_manager="never")
    response = write_report(
        signed_in, version.agreement_id, line_manager(version).pk, "end_report"
    )
    assert response.status_code == 400
    assert "does not let this recipient receive this" in response.content.decode()
    assert not Release.objects.exists()


@pytest.mark.django_db
def test_an_end_report_needing_approval_goes_to_the_client_first(
    coach: User, signed_in: HttpClient
) -> None:
    version = engagement(coach, progress__sponsor=APPROVED_PROGRESS)
    write_report(signed_in, version.agreement_id, hr(version).pk, "end_report")
    report = Release.objects.get()
    assert signed_in.post(release_url(report, "send")).status_code == 302
    report.refresh_from_db()
    assert report.status == ReleaseStatus.DRAFT, "not released before the client approves"

    signed_in.post(release_url(report, "to-client"))
    decide(version, "approved")
    signed_in.post(release_url(report, "send"))
    report.refresh_from_db()
    assert report.status == ReleaseStatus.RELEASED and report.report_pdf


@pytest.mark.django_db
def test_a_released_report_downloads_sealed_from_the_recipients_portal_only(
    coach: User, signed_in: HttpClient
) -> None:
    version = engagement(coach, progress__sponsor=ROUTINE_PROGRESS)
    write_report(signed_in, version.agreement_id, hr(version).pk, "progress_report")
    report = Release.objects.get()
    signed_in.post(release_url(report, "send"))
    report.refresh_from_db()
    url = reverse("contracts:portal-release-pdf", args=[report.pk])

    page = portal_browser(hr(version)).get(
        reverse("contracts:portal-agreement", args=[version.agreement_id])
    )
    assert f'href="{url}"' in page.content.decode()
    pdf = portal_browser(hr(version)).get(url)

    data = pdf.getvalue()
    assert pdf.status_code == 200 and pdf["Cache-Control"] == "no-store"
    assert check_seal(data).verdict == Verdict.AUTHENTIC
    assert hashlib.sha256(data).hexdigest() == report.report_pdf_sha256
    assert portal_browser(line_manager(version)).get(url).status_code == 404
