"""A PDF being prepared: the waiting page follows it and offers the download once ready."""

from collections.abc import Callable

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django import Settings

from coaching.models import User
from contracts.documents.pdf import render_into
from contracts.models import Agreement, AgreementPdf, AuditEvent, AuditEventKind, PdfStatus
from tests.conftest import make_agreement
from tests.contracts.signing_helpers import link_for, send_agreement

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_worker(settings: Settings) -> None:
    """PDFs wait to be made, as they do while the worker is busy."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def draft_url(agreement: Agreement) -> str:
    return reverse("contracts:agreement-pdf", args=[agreement.pk, "draft"])


def test_the_waiting_page_follows_the_pdf_and_has_its_download_ready_to_show(
    coach: User, signed_in: HttpClient, no_worker: None
) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    url = draft_url(agreement)

    response = signed_in.get(url)

    page = response.content.decode()
    assert response.status_code == 202
    assert response["Cache-Control"] == "no-store"
    assert f'data-status-url="{url}?status=1"' in page
    assert '<script src="/static/js/pdf-progress.js"></script>' in page
    assert f'<a class="btn btn-primary" href="{url}" data-pdf-download>' in page
    assert f'<a href="{url}" data-pdf-refresh>check again</a>' in page, "without JavaScript"
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page


def test_the_status_says_pending_then_ready_with_the_download(
    coach: User, signed_in: HttpClient, no_worker: None
) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    url = draft_url(agreement)

    waiting = signed_in.get(url, {"status": "1"}).json()
    assert waiting["status"] == "pending"
    assert waiting["message"].startswith("Waiting its turn since ")
    assert waiting["download"] == ""

    render_into(AgreementPdf.objects.get())
    ready = signed_in.get(url, {"status": "1"})

    assert ready.json() == {"status": "ready", "message": "Your PDF is ready.", "download": url}
    assert ready["Cache-Control"] == "no-store"
    assert not AuditEvent.objects.filter(kind=AuditEventKind.DOWNLOADED).exists()


def test_asking_how_a_failed_pdf_is_going_does_not_start_it_again(
    coach: User, signed_in: HttpClient, no_worker: None
) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    signed_in.get(draft_url(agreement))
    AgreementPdf.objects.update(status=PdfStatus.FAILED, error="Fonts missing")

    state = signed_in.get(draft_url(agreement), {"status": "1"}).json()

    assert state == {
        "status": "failed",
        "message": "The PDF could not be made. Reason: Fonts missing",
        "download": "",
    }
    assert AgreementPdf.objects.get().status == PdfStatus.FAILED


def test_a_party_waits_for_their_pdf_the_same_way_without_the_coachs_details(
    coach: User, settings: Settings
) -> None:
    version = send_agreement(coach)
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    pdf_url = link_for(version.agreement.client.email) + "pdf/"
    browser = HttpClient()

    page = browser.get(pdf_url).content.decode()
    assert f'data-status-url="{pdf_url}?status=1"' in page
    AgreementPdf.objects.update(status=PdfStatus.FAILED, error="Fonts missing")
    state = browser.get(pdf_url, {"status": "1"}).json()

    assert state["status"] == "failed"
    assert "Fonts missing" not in state["message"]


def test_the_agreement_page_follows_each_pdf_being_made(
    coach: User,
    other_coach: User,
    signed_in: HttpClient,
    sign_in: Callable[[User], HttpClient],
    no_worker: None,
) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    signed_in.get(draft_url(agreement))
    row = AgreementPdf.objects.get()
    status_url = reverse("contracts:pdf-status", args=[agreement.pk, row.pk])

    page = signed_in.get(agreement.get_absolute_url()).content.decode()

    assert f'data-status-url="{status_url}"' in page
    assert '<script src="/static/js/pdf-progress.js"></script>' in page
    assert f'href="{draft_url(agreement)}" data-pdf-download>' in page
    assert signed_in.get(status_url).json()["status"] == "pending"
    assert sign_in(other_coach).get(status_url).status_code == 404
    render_into(row)
    assert signed_in.get(status_url).json() == {
        "status": "ready",
        "message": "Your PDF is ready.",
        "download": draft_url(agreement),
    }
