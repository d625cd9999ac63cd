"""A copy at once: right after signing, each signer can download the agreement with the
signatures given so far, marked "Not yet signed by all parties" on every page and not
sealed; the client and sponsor from the thank-you page, in the browser that signed, the
coach from the agreement page."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from coaching.models import User
from contracts.documents.seal import Verdict
from contracts.documents.verification import verify_document
from contracts.models import (
    AgreementPdf,
    AuditEvent,
    AuditEventKind,
    PdfKind,
    SignerRole,
    SigningOrder,
)
from tests.contracts.documents.helpers import download, page_texts, text_of
from tests.contracts.signing_helpers import (
    confirmations,
    link_for,
    send_agreement,
    sign_as_coach,
    signer,
    sponsor_email,
)

pytestmark = pytest.mark.django_db

MARK = "Not yet signed by all parties"
SIGNED_PDF = "/signed/pdf/"


def sign_in_browser(path: str, name: str) -> HttpClient:
    """The browser in which a party signed through their link."""
    browser = HttpClient()
    data = {**confirmations(browser, path), "typed_name": name}
    response = browser.post(path, data)
    assert response["Location"] == reverse("contracts:signed")
    return browser


def test_a_signer_downloads_the_agreement_as_signed_so_far_from_the_thank_you_page(
    coach: User,
) -> None:
    version = send_agreement(coach)
    browser = sign_in_browser(link_for(version.agreement.client.email), "Jamie Client")

    thanks = browser.get(reverse("contracts:signed")).content.decode()
    assert "Download the agreement as signed so far" in thanks
    assert f'href="{SIGNED_PDF}"' in thanks
    pdf = download(browser, SIGNED_PDF)

    pages = list(page_texts(pdf))
    assert all(MARK in page for page in pages), "marked on every page"
    text = " ".join(pages)
    assert "Signed by the client on" in text
    assert "Jamie Client Typed signature" in text
    assert len(re.findall(r"Not yet signed(?! by all parties)", text)) == 2, "sponsor, coach"
    assert "Harper HR, on behalf of" in text
    assert verify_document(pdf).verdict == Verdict.NOT_SEALED
    row = AgreementPdf.objects.get(kind=PdfKind.PARTIAL)
    assert row.filename.endswith("-signed-so-far.pdf")
    download_event = AuditEvent.objects.get(kind=AuditEventKind.DOWNLOADED)
    assert download_event.signer == signer(version, SignerRole.CLIENT)
    assert download_event.data == {"pdf": "partial"}


def test_only_the_browser_that_signed_can_download_it_and_only_for_a_day(coach: User) -> None:
    version = send_agreement(coach)
    browser = sign_in_browser(link_for(version.agreement.client.email), "Jamie Client")

    stranger = HttpClient().get(SIGNED_PDF)
    assert stranger.status_code == 404
    assert stranger["Content-Type"].startswith("text/html")

    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        late = browser.get(SIGNED_PDF, follow=True)
        page = late.content.decode()
        assert "The download from this page has closed" in page
        assert "Download the agreement as signed so far" not in page
    assert not AgreementPdf.objects.filter(kind=PdfKind.PARTIAL).exists()


def test_each_signature_makes_a_new_copy_signed_so_far(coach: User) -> None:
    version = send_agreement(coach)
    first = sign_in_browser(link_for(version.agreement.client.email), "Jamie Client")
    download(first, SIGNED_PDF)
    second = sign_in_browser(link_for(sponsor_email(version)), "Harper Hughes")

    text = text_of(download(second, SIGNED_PDF))
    assert "Jamie Client Typed signature" in text
    assert "Harper Hughes Typed signature" in text
    assert "Signed by the sponsor on" in text
    assert AgreementPdf.objects.filter(kind=PdfKind.PARTIAL).count() == 2


def test_the_coach_downloads_the_agreement_as_signed_so_far_from_the_agreement_page(
    coach: User, signed_in: HttpClient
) -> None:
    version = send_agreement(coach)
    agreement = version.agreement
    url = reverse("contracts:agreement-pdf", args=[agreement.pk, "partial"])
    early = signed_in.get(url, follow=True).content.decode()
    assert "A copy as signed so far exists once someone has signed" in early

    sign_in_browser(link_for(agreement.client.email), "Jamie Client")
    page = signed_in.get(agreement.get_absolute_url()).content.decode()
    assert f'href="{url}"' in page
    pages = list(page_texts(download(signed_in, url)))
    assert all(MARK in text for text in pages)
    assert "Jamie Client Typed signature" in " ".join(pages)


def test_the_last_signer_downloads_the_sealed_agreement_from_the_thank_you_page(
    coach: User, signed_in: HttpClient
) -> None:
    version = send_agreement(coach, signing_order=SigningOrder.PARALLEL)
    agreement = version.agreement
    sign_as_coach(signed_in, agreement)
    sign_in_browser(link_for(agreement.client.email), "Jamie Client")
    last = sign_in_browser(link_for(sponsor_email(version)), "Harper HR")

    thanks = last.get(reverse("contracts:signed")).content.decode()
    assert "Download the signed agreement" in thanks
    pdf = download(last, SIGNED_PDF)
    assert verify_document(pdf).verdict == Verdict.AUTHENTIC
    assert MARK not in text_of(pdf)


def test_after_another_party_declines_the_thank_you_page_says_it_is_not_in_force(
    coach: User,
) -> None:
    version = send_agreement(coach)
    browser = sign_in_browser(link_for(version.agreement.client.email), "Jamie Client")
    sponsor_path = link_for(sponsor_email(version))
    HttpClient().post(
        reverse("contracts:sign-decline", args=[sponsor_path.split("/")[2]]), {"reason": "No."}
    )

    thanks = browser.get(reverse("contracts:signed")).content.decode()
    assert "This agreement was declined by the sponsor and is not in force." in thanks
    assert "your signature binds no one" in thanks
    text = text_of(download(browser, SIGNED_PDF))
    assert "Declined: not in force" in text
    assert MARK not in text
