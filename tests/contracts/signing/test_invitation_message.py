"""The coach's personal message with an invitation: in the emails, on the signing page,
kept with the version but outside its terms, and never in the logs."""

import logging

import pytest
import time_machine
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse

from coaching.models import User
from contracts.models import Agreement, AgreementStatus, AuditEvent, SignerRole
from contracts.signing import services as signing
from contracts.signing.reminders import send_signing_reminders
from contracts.snapshot import agreement_snapshot, snapshot_hash
from tests.conftest import make_agreement
from tests.contracts.signing_helpers import link_for, sign_by_link, sponsor_email

pytestmark = pytest.mark.django_db

MESSAGE = "Dear Jamie & Harper,\r\nAs we agreed on Tuesday: <b>here it is</b>.\r\n\r\nBest, Alex"
STORED = "Dear Jamie & Harper,\nAs we agreed on Tuesday: <b>here it is</b>.\n\nBest, Alex"
ESCAPED_HTML = (
    "Dear Jamie &amp; Harper,<br>As we agreed on Tuesday: &lt;b&gt;here it is&lt;/b&gt;."
    "<br><br>Best, Alex"
)


def send_page(http: HttpClient, agreement: Agreement, message: str) -> str:
    response = http.post(
        reverse("contracts:agreement-send", args=[agreement.pk]),
        {"signing_order": "parallel", "invitation_message": message},
    )
    return response.content.decode() if response.status_code != 302 else ""


def html_of(message: mail.EmailMessage) -> str:
    [(html, _)] = message.alternatives  # type: ignore[attr-defined]
    return str(html)


def test_the_send_page_offers_a_personal_message(coach: User, signed_in: HttpClient) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    page = signed_in.get(reverse("contracts:agreement-send", args=[agreement.pk])).content
    assert b"Personal message to the parties (optional)" in page
    assert b'name="invitation_message"' in page and b'maxlength="2000"' in page


def test_the_message_goes_with_each_invitation_as_text_with_its_line_breaks(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    assert send_page(signed_in, agreement, MESSAGE) == ""
    version = agreement.versions.get()
    assert version.invitation_message == STORED

    invitations = [m for m in mail.outbox if "sent you a coaching agreement to sign" in m.subject]
    assert {m.to[0] for m in invitations} == {agreement.client.email, sponsor_email(version)}
    for message in invitations:
        body = str(message.body)
        assert f"A message from {coach.full_name}:\n\n{STORED}\n\n" in body
        html = html_of(message)
        assert ESCAPED_HTML in html
        assert "<b>here it is" not in html, "the coach's text never becomes markup"
        assert "here it is" not in message.subject


def test_an_invitation_without_a_message_reads_as_before(coach: User) -> None:
    version = signing.agreement_send(
        agreement=make_agreement(coach=coach, complete=True), coach=coach
    )
    [invitation] = [m for m in mail.outbox if m.to == [version.agreement.client.email]]
    assert "A message from" not in str(invitation.body)
    assert "A message from" not in html_of(invitation)
    body = str(invitation.body)
    assert f"\n\n{version.snapshot['title']}\n" in body
    assert "\n\n\n" not in body, "no empty paragraph where the message would be"


def test_the_signing_page_opens_with_the_message(coach: User, signed_in: HttpClient) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    send_page(signed_in, agreement, MESSAGE)
    page = HttpClient().get(link_for(agreement.client.email)).content.decode()
    assert f"A message from {coach.full_name}" in page
    assert ESCAPED_HTML in page
    assert page.index("Please read and sign") < page.index("A message from")
    assert page.index("A message from") < page.index("The agreement in brief")


def test_the_reminders_repeat_the_message(coach: User, signed_in: HttpClient) -> None:
    with time_machine.travel("2026-11-02 09:00Z", tick=False) as clock:
        agreement = make_agreement(coach=coach, complete=True)
        send_page(signed_in, agreement, MESSAGE)
        version = agreement.versions.get()
        sign_by_link(link_for(sponsor_email(version)))
        mail.outbox.clear()
        clock.move_to("2026-11-05 09:00Z")
        assert send_signing_reminders() == 1
    [reminder] = mail.outbox
    assert "gentle reminder" in str(reminder.body)
    assert STORED in str(reminder.body)
    assert ESCAPED_HTML in html_of(reminder)


def test_a_message_over_2000_characters_is_refused_at_the_field(
    coach: User, signed_in: HttpClient
) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    page = send_page(signed_in, agreement, "x" * 2001)
    assert "Keep the message to 2000 characters (it has 2001)." in page
    assert 'id="error_1_id_invitation_message"' in page
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DRAFT
    assert send_page(signed_in, agreement, "x" * 2000) == ""


def test_the_message_is_not_part_of_the_signed_terms(coach: User, signed_in: HttpClient) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    expected = snapshot_hash(agreement_snapshot(agreement))
    send_page(signed_in, agreement, MESSAGE)
    version = agreement.versions.get()
    assert version.sha256 == expected
    assert "here it is" not in str(version.snapshot)
    trail = [str(event.data) for event in AuditEvent.objects.filter(agreement=agreement)]
    assert not any("here it is" in data for data in trail)


def test_the_message_never_reaches_the_logs(
    coach: User, signed_in: HttpClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    agreement = make_agreement(coach=coach, complete=True)
    send_page(signed_in, agreement, "Private words for Jamie only")
    client = agreement.versions.get().signers.get(role=SignerRole.CLIENT)
    HttpClient().get(link_for(client.email))
    assert mail.outbox, "the invitations were sent"
    assert "Private words" not in caplog.text
