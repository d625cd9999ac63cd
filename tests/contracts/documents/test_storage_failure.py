"""A PDF that cannot be stored (a full disk, a store that refuses it) is reported as
failed, with a way to try again, never left "being prepared" for ever."""

from typing import Any

import pytest
from django.core.files.storage import FileSystemStorage
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django import Settings

from coaching.models import User
from contracts.models import AgreementPdf, PdfStatus
from tests.conftest import make_agreement

pytestmark = pytest.mark.django_db


class FullDisk(FileSystemStorage):
    def _save(self, name: str, content: Any) -> str:
        raise OSError(28, "No space left on device")


def test_a_pdf_that_cannot_be_stored_fails_and_can_be_tried_again(
    coach: User, signed_in: HttpClient, settings: Settings
) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    url = reverse("contracts:agreement-pdf", args=[agreement.pk, "draft"])
    working = settings.STORAGES
    settings.STORAGES = {
        **working,
        "default": {
            "BACKEND": f"{__name__}.FullDisk",
            "OPTIONS": {"location": settings.MEDIA_ROOT},
        },
    }

    page = signed_in.get(url)

    row = AgreementPdf.objects.get()
    assert row.status == PdfStatus.FAILED
    assert "No space left on device" in row.error
    assert "The PDF could not be made" in page.content.decode()

    settings.STORAGES = working
    again = signed_in.get(url)
    assert again.status_code == 200
    row.refresh_from_db()
    assert row.status == PdfStatus.READY


def test_the_agreement_page_shows_a_failed_pdf_with_its_reason_and_try_again(
    coach: User, signed_in: HttpClient, other_coach: User, settings: Settings
) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    working = settings.STORAGES
    settings.STORAGES = {
        **working,
        "default": {
            "BACKEND": f"{__name__}.FullDisk",
            "OPTIONS": {"location": settings.MEDIA_ROOT},
        },
    }
    signed_in.get(reverse("contracts:agreement-pdf", args=[agreement.pk, "draft"]))
    row = AgreementPdf.objects.get()
    detail = reverse("contracts:agreement-detail", args=[agreement.pk])

    page = signed_in.get(detail).content.decode()
    assert "Could not be made. Reason: OSError: [Errno 28] No space left on device" in page
    retry = reverse("contracts:pdf-retry", args=[agreement.pk, row.pk])
    assert f'action="{retry}"' in page

    intruder = HttpClient()
    intruder.force_login(other_coach)
    assert intruder.post(retry).status_code == 404
    row.refresh_from_db()
    assert row.status == PdfStatus.FAILED

    settings.STORAGES = working
    assert signed_in.post(retry).status_code == 302
    row.refresh_from_db()
    assert row.status == PdfStatus.READY and row.started_at is not None
    assert "PDFs being made" not in signed_in.get(detail).content.decode()


def test_the_agreement_page_says_how_far_a_pending_pdf_has_gone(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    row = AgreementPdf.objects.create(
        agreement=agreement, kind="draft", paper_size="A4", source_hash="x" * 64
    )
    detail = reverse("contracts:agreement-detail", args=[agreement.pk])
    assert "Waiting for a worker since" in signed_in.get(detail).content.decode()
    AgreementPdf.objects.filter(pk=row.pk).update(started_at=row.requested_at)
    assert "Being made since" in signed_in.get(detail).content.decode()
