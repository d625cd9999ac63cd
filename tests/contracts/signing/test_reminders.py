"""Reminders to parties who have not signed: the pass reads who is due in one query, and
each reminder it sends takes the same number of queries, however many are waiting."""

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coaching.models import User
from contracts.signing.reminders import send_signing_reminders
from tests.contracts.signing_helpers import send_agreement

pytestmark = pytest.mark.django_db

# Claim it (1), lock the agreement (1), queue the email (1) and, with the immediate task
# backend, send it and note it in the trail (8), each of the three in a savepoint (6).
QUERIES_PER_REMINDER = 17


@pytest.mark.parametrize("waiting", [2, 3])
def test_each_signing_reminder_takes_the_same_queries_however_many_wait(
    coach: User, waiting: int
) -> None:
    with time_machine.travel("2026-11-02 09:00Z", tick=False) as clock:
        clients = [send_agreement(coach, sponsored=False).agreement.client for _ in range(waiting)]
        # One agreement whose client's first reminder is not due yet.
        clock.move_to("2026-11-04 09:00Z")
        send_agreement(coach, sponsored=False)
        mail.outbox.clear()
        clock.move_to("2026-11-05 10:00Z")
        with CaptureQueriesContext(connection) as queries:
            sent = send_signing_reminders()

    assert sent == waiting
    assert sorted(message.to[0] for message in mail.outbox) == sorted(c.email for c in clients)
    assert len(queries) == 1 + waiting * QUERIES_PER_REMINDER
