"""When everyone has signed, each signer's email carries the sealed agreement. The sealed
PDF is made by a background task: the email waits for it (without counting an attempt),
and goes without it, its link leading to the copy, if it takes too long."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMessage
from django.test import Client as HttpClient
from django.utils import timezone
from pytest_django import Settings

from coaching.models import User
from contracts import outbox
from contracts.documents.seal import Verdict
from contracts.documents.tasks import render_agreement_pdf
from contracts.documents.verification import verify_document
from contracts.models import (
    AgreementPdf,
    AgreementVersion,
    EmailKind,
    EmailState,
    OutgoingEmail,
    PdfKind,
    PdfStatus,
    SignerRole,
)
from tests.contracts.documents.helpers import signed_agreement
from tests.contracts.signing_helpers import (
    link_for,
    send_agreement,
    sign_as_coach,
    sign_by_link,
    sponsor_email,
)

pytestmark = pytest.mark.django_db


def signed_last_by_the_coach_with_tasks_held(
    coach: User, signed_in: HttpClient, settings: Settings
) -> AgreementVersion:
    """Signed by client and sponsor; then, with background tasks held back (nothing runs
    until the test runs it), by the coach."""
    version = send_agreement(coach)
    agreement = version.agreement
    sign_by_link(link_for(agreement.client.email), name="Jamie Client")
    sign_by_link(link_for(sponsor_email(version)), name="Harper HR")
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    sign_as_coach(signed_in, agreement)
    version.refresh_from_db()
    assert version.completed_at is not None
    return version


def completion_to(address: str) -> EmailMessage:
    (message,) = [
        m for m in mail.outbox if address in m.to and "everyone has signed" in m.subject.lower()
    ]
    return message


def test_each_signer_is_emailed_the_sealed_agreement_when_all_have_signed(
    coach: User, signed_in: HttpClient
) -> None:
    version = signed_agreement(coach, signed_in, observers=1)
    copy = AgreementPdf.objects.get(kind=PdfKind.COPY, version=version)
    sealed = copy.file.open("rb").read()
    for role in (SignerRole.CLIENT, SignerRole.SPONSOR, SignerRole.COACH):
        message = completion_to(version.signers.get(role=role).email)
        ((name, content, mimetype),) = message.attachments
        assert (name, mimetype) == (copy.filename, "application/pdf"), role
        assert name.endswith("-v1-signed.pdf")
        assert content == sealed
        assert f"The signed and sealed agreement is attached to this email ({name})" in str(
            message.body
        )
    assert verify_document(sealed).verdict == Verdict.AUTHENTIC
    observer = completion_to(version.signers.get(role=SignerRole.OBSERVER).email)
    assert observer.attachments == [], "kept informed: their link is their copy"


def test_a_completion_email_waits_for_the_sealed_copy_and_then_carries_it(
    coach: User, signed_in: HttpClient, settings: Settings
) -> None:
    version = signed_last_by_the_coach_with_tasks_held(coach, signed_in, settings)
    client = version.signers.get(role=SignerRole.CLIENT)
    email = OutgoingEmail.objects.get(kind=EmailKind.COMPLETED, signer=client)
    row = AgreementPdf.objects.get(kind=PdfKind.COPY, version=version)
    assert row.status == PdfStatus.PENDING, "asked for when the last party signed"
    mail.outbox.clear()

    assert outbox.email_attempt(email.pk) == EmailState.QUEUED
    email.refresh_from_db()
    assert (email.state, email.attempts) == (EmailState.QUEUED, 0), "waiting is no failure"
    assert email.last_answer == "Waiting for the sealed PDF it carries."
    assert email.next_attempt_at <= timezone.now() + timedelta(minutes=1), "looks again soon"
    assert mail.outbox == []

    render_agreement_pdf.call(row.pk)
    assert outbox.email_attempt(email.pk) == EmailState.SENT
    ((name, content, _mimetype),) = completion_to(client.email).attachments
    assert name == row.filename
    assert verify_document(content).verdict == Verdict.AUTHENTIC


def test_a_completion_email_goes_without_the_copy_after_waiting_half_an_hour(
    coach: User, signed_in: HttpClient, settings: Settings
) -> None:
    version = signed_last_by_the_coach_with_tasks_held(coach, signed_in, settings)
    client = version.signers.get(role=SignerRole.CLIENT)
    email = OutgoingEmail.objects.get(kind=EmailKind.COMPLETED, signer=client)
    mail.outbox.clear()

    later = timezone.now() + timedelta(minutes=31)
    with time_machine.travel(later):
        assert outbox.email_attempt(email.pk) == EmailState.SENT
    message = completion_to(client.email)
    assert message.attachments == []
    assert "with the signed and sealed PDF to download, is here:" in str(message.body)
