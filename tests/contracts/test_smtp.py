"""One email path end to end through a real SMTP server on this machine."""

import email
import email.policy
import re
import socket
import time
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.test import Client as HttpClient

from coaching.models import User
from tests.contracts.signing_helpers import send_agreement


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        raw = envelope.content  # type: ignore[attr-defined]
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        self.messages.append(parsed)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_inbox(settings) -> Iterator[Inbox]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 10},
        }
    }
    try:
        yield inbox
    finally:
        controller.stop()


def wait_for(inbox: Inbox, count: int) -> None:
    deadline = time.monotonic() + 10
    while len(inbox.messages) < count and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.mark.django_db
def test_a_signing_invitation_arrives_by_smtp_and_its_link_opens_the_signing_page(
    coach: User, smtp_inbox: Inbox
) -> None:
    version = send_agreement(coach)
    client_email = version.agreement.client.email
    wait_for(smtp_inbox, 2)

    message = next(m for m in smtp_inbox.messages if m["To"] == client_email)
    assert coach.full_name in message["Subject"]
    assert version.agreement.client.name not in message["Subject"]
    assert message["Reply-To"] == coach.email
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    found = re.search(r"http://[^/\s]+(/sign/[A-Za-z0-9_-]+/)", text.get_content())
    assert found is not None

    page = HttpClient().get(found.group(1))
    assert page.status_code == 200
    assert "Please read and sign your coaching agreement" in page.content.decode()
