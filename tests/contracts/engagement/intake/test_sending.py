from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from pytest_django import Settings

from coaching.models import User
from contracts.engagement.intake import services
from contracts.engagement.intake.questions import built_in_questions
from contracts.models import (
    AuditEvent,
    AuditEventKind,
    EmailKind,
    EmailState,
    IntakeStatus,
    LinkPurpose,
    OutgoingEmail,
    SigningLink,
)
from contracts.outbox import email_attempt
from contracts.signing import services as signing
from tests.conftest import make_agreement
from tests.contracts.engagement.intake.helpers import intake_link, sent_intake
from tests.contracts.signing_helpers import send_agreement

pytestmark = pytest.mark.django_db


def test_it_sends_the_client_the_questionnaire_by_emailed_link(
    coach: User, signed_in: HttpClient
) -> None:
    version = send_agreement(coach)
    agreement = version.agreement
    mail.outbox.clear()

    response = signed_in.post(
        reverse("contracts:agreement-intake", args=[agreement.pk]), {"questionnaire": "builtin"}
    )

    assert response.status_code == 302
    intake = agreement.intakes.get()
    assert intake.status == IntakeStatus.SENT
    assert intake.signer.email == agreement.client.email
    assert [q["key"] for q in intake.questions] == [q["key"] for q in built_in_questions()]
    (message,) = mail.outbox
    assert message.to == [agreement.client.email]
    assert agreement.client.name not in message.subject
    assert intake_link(agreement.client.email).startswith("/intake/")
    email = OutgoingEmail.objects.get(kind=EmailKind.INTAKE)
    assert email.intake == intake and email.state == EmailState.SENT
    sent = AuditEvent.objects.get(agreement=agreement, kind=AuditEventKind.INTAKE_SENT)
    assert sent.data == {"intake": intake.pk, "questions": len(built_in_questions())}


def test_the_link_works_for_the_days_set_in_intake_link_days(
    coach: User, settings: Settings
) -> None:
    settings.INTAKE_LINK_DAYS = 45
    intake = sent_intake(coach)
    link = SigningLink.objects.get(signer=intake.signer, purpose=LinkPurpose.INTAKE)
    assert abs(link.expires_at - link.created_at - timedelta(days=45)) < timedelta(seconds=1)


def test_it_refuses_an_intake_on_a_draft(coach: User, signed_in: HttpClient) -> None:
    agreement = make_agreement(coach=coach, complete=True)

    response = signed_in.post(
        reverse("contracts:agreement-intake", args=[agreement.pk]),
        {"questionnaire": "builtin"},
        follow=True,
    )

    assert "out for signature or signed" in response.content.decode()
    assert not agreement.intakes.exists()


def test_it_refuses_an_intake_on_a_voided_agreement(coach: User) -> None:
    version = send_agreement(coach)
    signing.agreement_void(agreement=version.agreement, coach=coach, reason="Wrong sponsor")

    with pytest.raises(services.IntakeError):
        services.intake_send(
            agreement=version.agreement, coach=coach, questions=built_in_questions()
        )


def test_it_refuses_a_second_intake_while_one_is_open(coach: User) -> None:
    intake = sent_intake(coach)

    with pytest.raises(services.IntakeError, match="already has an intake"):
        services.intake_send(
            agreement=intake.agreement, coach=coach, questions=built_in_questions()
        )


def test_a_new_link_opens_the_same_intake_and_the_first_still_works(
    coach: User, signed_in: HttpClient
) -> None:
    intake = sent_intake(coach)
    email = intake.signer.email
    first = intake_link(email)

    signed_in.post(
        reverse("contracts:agreement-intake-resend", args=[intake.agreement.pk, intake.pk])
    )

    second = intake_link(email)
    assert second != first
    for path in (first, second):
        assert HttpClient().get(path).status_code == 200
    assert AuditEvent.objects.filter(kind=AuditEventKind.INTAKE_SENT).count() == 2


def test_a_withdrawn_intake_says_so_on_its_link_and_keeps_no_answers(
    coach: User, signed_in: HttpClient
) -> None:
    intake = sent_intake(coach)
    path = intake_link(intake.signer.email)
    services.intake_answer(
        intake=intake,
        answers={"goals": "Lead well"},
        health_consent=False,
        revision=1,
        submit=False,
    )

    signed_in.post(
        reverse("contracts:agreement-intake-withdraw", args=[intake.agreement.pk, intake.pk])
    )

    intake.refresh_from_db()
    assert intake.status == IntakeStatus.WITHDRAWN
    assert intake.answers_ciphertext == ""
    page = HttpClient().get(path)
    assert page.status_code == 410
    assert "no longer needed" in page.content.decode()


def test_an_intake_email_still_queued_is_not_sent_once_withdrawn(
    coach: User, settings: Settings
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    intake = sent_intake(coach)
    services.intake_withdraw(intake=intake)
    email = OutgoingEmail.objects.get(kind=EmailKind.INTAKE)

    assert email_attempt(email.pk) == EmailState.CANCELLED
    assert not any(intake.signer.email in message.to for message in mail.outbox)


def test_an_intake_email_still_queued_is_not_sent_once_submitted(
    coach: User, settings: Settings
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    intake = sent_intake(coach)
    services.intake_answer(
        intake=intake,
        answers={"goals": "Lead well"},
        health_consent=False,
        revision=1,
        submit=True,
    )
    email = OutgoingEmail.objects.get(kind=EmailKind.INTAKE)

    assert email_attempt(email.pk, now=timezone.now()) == EmailState.CANCELLED


def test_a_submitted_intake_cannot_be_withdrawn(coach: User) -> None:
    intake = sent_intake(coach)
    services.intake_answer(
        intake=intake,
        answers={"goals": "Lead well"},
        health_consent=False,
        revision=1,
        submit=True,
    )

    with pytest.raises(services.IntakeError):
        services.intake_withdraw(intake=intake)
