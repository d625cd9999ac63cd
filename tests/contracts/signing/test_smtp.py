"""One email path end to end through a real SMTP server on this machine."""

import re

import pytest
from django.test import Client as HttpClient

from coaching.models import User
from tests.contracts.conftest import Inbox
from tests.contracts.signing_helpers import send_agreement


@pytest.mark.django_db
def test_a_signing_invitation_arrives_by_smtp_and_its_link_opens_the_signing_page(
    coach: User, smtp_inbox: Inbox
) -> None:
    version = send_agreement(coach)
    client_email = version.agreement.client.email
    assert len(smtp_inbox.wait_for(2)) == 2  # the client's and the sponsor's invitations

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
