"""Opening the agreement is evidence, kept once an hour per link; openings a minute or more
apart are counted, and a reload or a scanner's burst writes nothing."""

import pytest
import time_machine
from django.test import Client as HttpClient

from coaching.models import User
from contracts.links import token_digest
from contracts.models import AuditEvent, AuditEventKind, SigningLink
from tests.contracts.signing_helpers import link_for, send_agreement

pytestmark = pytest.mark.django_db


def test_a_link_opened_many_times_records_one_view_an_hour_and_counts_openings_a_minute_apart(
    coach: User,
) -> None:
    with time_machine.travel("2026-11-30 09:00Z", tick=False) as clock:
        version = send_agreement(coach)
        path = link_for(version.agreement.client.email)
        for _ in range(12):  # a mail scanner, then the reader reloading: one opening
            assert HttpClient().get(path).status_code == 200
        clock.shift(2 * 60)
        HttpClient().get(path)
        clock.shift(61 * 60)
        HttpClient().get(path)

    link = SigningLink.objects.get(token_hash=token_digest(path.split("/")[2]))
    assert link.views == 3
    viewed = AuditEvent.objects.filter(kind=AuditEventKind.VIEWED, version=version)
    assert [event.data["link_views"] for event in viewed.order_by("seq")] == [1, 3]
    client = version.signers.get(role="client")
    assert client.first_viewed_at is not None
