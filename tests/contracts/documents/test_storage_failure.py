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
