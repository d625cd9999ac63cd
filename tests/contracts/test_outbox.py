"""Email that arrives or says why not: a real SMTP server that is down, refuses, comes back."""

import email
import email.policy
import itertools
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client as HttpClient
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from pytest_django import Settings

from coaching.models import User
from contracts import outbox
from contracts.models import (
    RETRY_GAPS,
    AuditEvent,
    AuditEventKind,
    EmailKind,
    EmailState,
    OutgoingEmail,
    SignerRole,
)
from contracts.signing import reminders
from contracts.signing import services as signing
from tests.conftest import make_client
from tests.contracts.conftest import free_port
from tests.contracts.signing_helpers import send_agreement, signer

T0 = datetime.fromisoformat("2026-11-30T09:00:00+00:00")


class MailServer:
    """A real SMTP server on 127.0.0.1 that can be down, busy (4xx), broken (5xx) or fine."""

    def __init__(self) -> None:
        self.port = free_port()
        self.mode = "accept"
        self.refused: set[str] = set()
        self.messages: list[EmailMessage] = []
        self._controller: Controller | None = None

    async def handle_RCPT(
        self, server: object, session: object, envelope: Any, address: str, options: object
    ) -> str:
        if self.mode == "busy":
            return "451 4.3.2 Please try again later"
        if address in self.refused:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        if self.mode == "broken":
            return "554 5.3.0 Transaction failed, storage unavailable"
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 Message accepted for delivery"

    def up(self, mode: str = "accept") -> None:
        self.mode = mode
        if self._controller is None:
            self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
            self._controller.start()

    def down(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def received_by(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if message["To"] == address]


@pytest.fixture
def mail_server(settings: Settings) -> Iterator[MailServer]:
    server = MailServer()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": server.port, "use_tls": False, "timeout": 5},
        }
    }
    try:
        yield server
    finally:
        server.down()


def states(emails: list[OutgoingEmail]) -> list[str]:
    for item in emails:
        item.refresh_from_db()
    return [item.state for item in emails]


@pytest.mark.django_db
def test_invitations_survive_a_server_that_is_down_then_refuses_then_comes_back(
    coach: User, signed_in: HttpClient, mail_server: MailServer
) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        version = send_agreement(coach)  # the mail server is down
        agreement = version.agreement
        invitations = list(OutgoingEmail.objects.filter(kind=EmailKind.INVITATION))
        assert len(invitations) == 2
        assert states(invitations) == [EmailState.RETRYING] * 2
        assert {item.attempts for item in invitations} == {1}
        assert {item.next_attempt_at for item in invitations} == {T0 + timedelta(minutes=1)}
        assert invitations[0].last_answer.startswith("No answer: the mail server could not be")
        page = signed_in.get(reverse("contracts:agreement-detail", args=[agreement.pk]))
        text = page.content.decode()
        assert text.count("Invitation not delivered yet") == 2
        assert "trying again at 09:01" in text
        assert not AuditEvent.objects.filter(kind=AuditEventKind.EMAIL_HANDED_OVER).exists()

        clock.shift(timedelta(seconds=30))
        assert outbox.deliver_due_emails().queued == 0, "not due for a minute"

        mail_server.up("busy")
        clock.shift(timedelta(seconds=31))
        assert outbox.deliver_due_emails().queued == 2
        assert states(invitations) == [EmailState.RETRYING] * 2
        assert invitations[0].last_answer == "451 4.3.2 Please try again later"
        assert invitations[0].next_attempt_at == T0 + timedelta(seconds=61) + RETRY_GAPS[1]

        mail_server.mode = "broken"
        clock.move_to(invitations[0].next_attempt_at)
        assert outbox.deliver_due_emails().queued == 2
        assert states(invitations) == [EmailState.RETRYING] * 2
        assert invitations[0].attempts == 3
        assert invitations[0].last_answer.startswith("554 5.3.0 Transaction failed")
        assert mail_server.messages == []

        mail_server.mode = "accept"
        clock.move_to(invitations[0].next_attempt_at)
        outbox.deliver_due_emails()
        assert states(invitations) == [EmailState.SENT] * 2
        for _ in range(3):  # later passes, and much later ones, send nothing again
            clock.shift(timedelta(hours=7))
            assert outbox.deliver_due_emails().queued == 0

    for person in (signer(version, SignerRole.CLIENT), signer(version, SignerRole.SPONSOR)):
        received = mail_server.received_by(person.email)
        assert len(received) == 1, "delivered exactly once"
        assert "/sign/" in str(received[0].get_body(preferencelist=("plain",)))
    handed_over = AuditEvent.objects.filter(kind=AuditEventKind.EMAIL_HANDED_OVER)
    assert handed_over.count() == 2
    page = signed_in.get(reverse("contracts:agreement-detail", args=[agreement.pk]))
    assert page.content.decode().count("delivered to the mail server") == 2


@pytest.mark.django_db
def test_a_refused_address_fails_at_once_and_waits_on_the_home_page_with_resend(
    coach: User, signed_in: HttpClient, mail_server: MailServer
) -> None:
    mail_server.up()
    agreement_client = "wrong.address@example.com"
    client = make_client(coach=coach, email=agreement_client)
    mail_server.refused.add(agreement_client)
    version = send_agreement(coach, client=client, sponsored=False)
    failed = OutgoingEmail.objects.get(kind=EmailKind.INVITATION)
    assert failed.state == EmailState.FAILED
    assert failed.attempts == 1
    assert failed.last_answer == "550 5.1.1 No such mailbox here"
    assert AuditEvent.objects.filter(kind=AuditEventKind.EMAIL_FAILED).count() == 1

    home = signed_in.get(reverse("coaching:home")).content.decode()
    assert "Emails not delivered" in home
    assert "550 5.1.1 No such mailbox here" in home
    detail = signed_in.get(reverse("contracts:agreement-detail", args=[version.agreement.pk]))
    assert "Invitation not delivered</span>" in detail.content.decode()

    mail_server.refused.clear()  # the client's mailbox is fixed
    resend = reverse("contracts:email-resend", args=[version.agreement.pk, failed.pk])
    assert signed_in.post(resend).status_code == 302
    failed.refresh_from_db()
    assert failed.replaced_by is not None
    assert failed.replaced_by.state == EmailState.SENT
    assert len(mail_server.received_by(agreement_client)) == 1
    assert "Emails not delivered" not in signed_in.get(reverse("coaching:home")).content.decode()
    assert signed_in.post(resend).status_code == 302, "a second press is harmless"
    assert len(mail_server.received_by(agreement_client)) == 1


@pytest.mark.django_db
def test_another_coach_cannot_resend_or_dismiss_an_email(
    coach: User, other_coach: User, sign_in: Any, mail_server: MailServer
) -> None:
    version = send_agreement(coach)  # server down: the invitations fail, then give up
    invitation = OutgoingEmail.objects.filter(kind=EmailKind.INVITATION).first()
    assert invitation is not None
    OutgoingEmail.objects.filter(pk=invitation.pk).update(state=EmailState.FAILED)
    intruder = sign_in(other_coach)
    for name in ("contracts:email-resend", "contracts:email-dismiss"):
        url = reverse(name, args=[version.agreement.pk, invitation.pk])
        assert intruder.post(url).status_code == 404
    invitation.refresh_from_db()
    assert invitation.needs_attention


@pytest.mark.django_db
def test_retries_back_off_and_give_up_after_two_days(
    coach: User, signed_in: HttpClient, mail_server: MailServer
) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        version = send_agreement(coach, sponsored=False)
        invitation = OutgoingEmail.objects.get(kind=EmailKind.INVITATION)
        tried_at = [T0]
        while invitation.state == EmailState.RETRYING:
            clock.move_to(invitation.next_attempt_at)
            outbox.deliver_due_emails()
            invitation.refresh_from_db()
            assert invitation.last_attempt_at is not None
            tried_at.append(invitation.last_attempt_at)
    gaps = [later - earlier for earlier, later in itertools.pairwise(tried_at)]
    minutes = [int(gap.total_seconds() // 60) for gap in gaps]
    assert minutes[:5] == [1, 5, 30, 120, 360]
    assert set(minutes[5:]) == {360}
    assert tried_at[-1] - T0 <= timedelta(hours=48)
    assert invitation.state == EmailState.FAILED
    assert invitation.attempts == len(tried_at)
    home = signed_in.get(reverse("coaching:home")).content.decode()
    assert "Emails not delivered" in home and version.agreement.title in home


@pytest.mark.django_db
def test_an_invitation_to_a_voided_agreement_is_not_sent_when_the_server_comes_back(
    coach: User, mail_server: MailServer
) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        version = send_agreement(coach, sponsored=False)
        signing.agreement_void(agreement=version.agreement, coach=coach, reason="Wrong fee")
        mail_server.up()
        clock.shift(timedelta(minutes=2))
        outbox.deliver_due_emails()
    by_kind = {item.kind: item.state for item in OutgoingEmail.objects.all()}
    assert by_kind[EmailKind.INVITATION] == EmailState.CANCELLED
    assert by_kind[EmailKind.VOIDED] == EmailState.SENT
    client_email = signer(version, SignerRole.CLIENT).email
    received = mail_server.received_by(client_email)
    assert len(received) == 1 and "/sign/" not in str(received[0].get_body())


@pytest.mark.django_db
def test_a_code_and_a_reminder_are_recorded_as_sent_only_once_the_server_takes_them(
    coach: User, mail_server: MailServer, settings: Settings
) -> None:
    mail_server.up()
    version = send_agreement(coach, sponsored=False)
    client = signer(version, SignerRole.CLIENT)
    mail_server.down()
    with time_machine.travel(T0 + timedelta(days=30), tick=False) as clock:
        signing.signer_request_code(signer=client)
        assert reminders.send_signing_reminders() == 1
        assert not AuditEvent.objects.filter(
            kind__in=[AuditEventKind.CODE_SENT, AuditEventKind.REMINDER_SENT]
        ).exists()
        mail_server.up()
        clock.shift(timedelta(minutes=2))
        outbox.deliver_due_emails()
    kinds = set(
        AuditEvent.objects.filter(
            kind__in=[AuditEventKind.CODE_SENT, AuditEventKind.REMINDER_SENT]
        ).values_list("kind", flat=True)
    )
    assert kinds == {AuditEventKind.CODE_SENT, AuditEventKind.REMINDER_SENT}
    assert len(mail_server.received_by(client.email)) == 3  # invitation, code, reminder


@pytest.mark.django_db(transaction=True)
def test_an_email_whose_task_was_lost_is_queued_again_after_its_lease(
    coach: User, mail_server: MailServer, settings: Settings
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    mail_server.up()
    with time_machine.travel(T0, tick=False) as clock:
        version = send_agreement(coach, sponsored=False)
        DBTaskResult.objects.all().delete()  # the worker's queue lost the task
        assert outbox.deliver_due_emails().queued == 0, "within its lease: the task may run"
        clock.shift(outbox.LEASE + timedelta(seconds=1))
        assert outbox.deliver_due_emails().queued == 1
        assert outbox.deliver_due_emails().queued == 0, "taken once"
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    client_email = signer(version, SignerRole.CLIENT).email
    assert len(mail_server.received_by(client_email)) == 1
    assert OutgoingEmail.objects.get().state == EmailState.SENT


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_schedulers_and_a_worker_at_once_deliver_each_email_once(
    coach: User, mail_server: MailServer
) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        version = send_agreement(coach, observers=2)
        emails = list(OutgoingEmail.objects.all())
        assert len(emails) == 4 and set(states(emails)) == {EmailState.RETRYING}
        mail_server.up()
        clock.shift(timedelta(minutes=2))
        start = threading.Barrier(3, timeout=30)

        def run(number: int) -> None:
            try:
                start.wait()
                if number < 2:
                    outbox.deliver_due_emails()
                else:
                    for item in emails:
                        outbox.email_attempt(item.pk)
            finally:
                connections.close_all()

        with ThreadPoolExecutor(max_workers=3) as pool:
            list(pool.map(run, range(3)))
    assert set(states(emails)) == {EmailState.SENT}
    for person in version.signers.exclude(role=SignerRole.COACH):
        assert len(mail_server.received_by(person.email)) == 1, person.get_role_display()
    assert AuditEvent.objects.filter(kind=AuditEventKind.EMAIL_HANDED_OVER).count() == 4


@pytest.mark.django_db
def test_a_task_run_twice_for_an_accepted_email_sends_nothing_more(
    coach: User, mail_server: MailServer
) -> None:
    mail_server.up()
    version = send_agreement(coach, sponsored=False)
    invitation = OutgoingEmail.objects.get(kind=EmailKind.INVITATION)
    assert invitation.state == EmailState.SENT
    assert outbox.email_attempt(invitation.pk) is None
    outbox.deliver_email.enqueue(invitation.pk)
    assert len(mail_server.received_by(signer(version, SignerRole.CLIENT).email)) == 1


@pytest.mark.django_db
def test_the_agreement_page_counts_a_reminder_only_once_the_server_took_it(
    coach: User, signed_in: HttpClient, mail_server: MailServer
) -> None:
    mail_server.up()
    version = send_agreement(coach, sponsored=False)
    mail_server.down()
    detail = reverse("contracts:agreement-detail", args=[version.agreement.pk])
    with time_machine.travel(T0 + timedelta(days=30), tick=False) as clock:
        signed_in.force_login(coach)  # a month on, the earlier session has expired
        assert reminders.send_signing_reminders() == 1
        page = signed_in.get(detail)
        assert page.status_code == 200
        assert "Invited" in page.content.decode()
        assert "reminder delivered" not in page.content.decode()
        mail_server.up()
        clock.shift(timedelta(minutes=2))
        outbox.deliver_due_emails()
        assert "1 reminder delivered" in signed_in.get(detail).content.decode()
