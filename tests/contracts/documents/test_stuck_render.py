"""A PDF whose worker died while preparing it is queued again when next asked for."""

from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from pytest_django import Settings

from coaching.models import User
from contracts.documents.services import pdf_for
from contracts.models import AgreementPdf, PdfKind, PdfStatus
from contracts.snapshot import agreement_snapshot, snapshot_hash
from tests.conftest import make_agreement

pytestmark = pytest.mark.django_db


def abandoned_draft_pdf(coach: User, *, minutes_ago: int) -> AgreementPdf:
    """A draft PDF taken by a worker that then died: asked for, never rendered."""
    agreement = make_agreement(coach=coach, complete=True)
    row = AgreementPdf.objects.create(
        agreement=agreement,
        kind=PdfKind.DRAFT,
        paper_size=coach.profile.paper_size,
        source_hash=snapshot_hash(agreement_snapshot(agreement)),
        requested_at=timezone.now() - timedelta(minutes=minutes_ago),
    )
    return row


def test_a_pdf_left_pending_by_a_dead_worker_is_made_when_asked_for_again(
    coach: User, signed_in: HttpClient
) -> None:
    row = abandoned_draft_pdf(coach, minutes_ago=30)

    response = signed_in.get(reverse("contracts:agreement-pdf", args=[row.agreement.pk, "draft"]))

    assert response.status_code == 200, "rendered again, and downloaded"
    row.refresh_from_db()
    assert row.status == PdfStatus.READY
    assert AgreementPdf.objects.count() == 1, "the same row, not a second one"


def test_a_pdf_being_prepared_just_now_is_not_queued_twice(
    coach: User, settings: Settings
) -> None:
    row = abandoned_draft_pdf(coach, minutes_ago=1)
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}

    again = pdf_for(row.agreement, PdfKind.DRAFT)

    assert again.pk == row.pk and again.status == PdfStatus.PENDING
    assert again.requested_at == row.requested_at, "left to the worker rendering it"
