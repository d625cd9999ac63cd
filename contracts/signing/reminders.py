"""Reminders to parties who have not signed yet: every few days, a few times at most."""

from __future__ import annotations

import operator
from datetime import datetime, timedelta
from functools import reduce

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from contracts.models import (
    Agreement,
    AgreementStatus,
    EmailKind,
    Signer,
    SignerRole,
    SignerStatus,
)
from contracts.outbox import email_queue


def reminders_due(now: datetime | None = None) -> list[Signer]:
    """Invited signers whose next reminder is due: every few days, a few times at most.

    Only what queueing a reminder needs is read, not the agreement's terms nor the
    version's snapshot: those are read by the email, one at a time.
    """
    now = now or timezone.now()
    every = timedelta(days=settings.SIGNING_REMINDER_DAYS)
    # The first reminder is due one period after the invitation, the second two, ...
    due = [
        Q(reminders_sent=sent, invited_at__lte=now - every * (sent + 1))
        for sent in range(settings.SIGNING_REMINDERS_MAX)
    ]
    if not due:
        return []
    return list(
        Signer.objects.filter(
            reduce(operator.or_, due),
            status=SignerStatus.INVITED,
            role__in=[SignerRole.CLIENT, SignerRole.SPONSOR],
            version__agreement__status__in=[
                AgreementStatus.SENT,
                AgreementStatus.PARTLY_SIGNED,
            ],
            version__ended_at__isnull=True,
        )
        .select_related("version__agreement")
        .only("email", "reminders_sent", "version", "version__agreement")
        .order_by("pk")
    )


def send_signing_reminders(now: datetime | None = None) -> int:
    """Queue the reminders due now. Each is claimed by a conditional update, so two
    schedulers running at once never queue the same reminder twice."""
    now = now or timezone.now()
    sent = 0
    for signer in reminders_due(now):
        with transaction.atomic():
            claimed = Signer.objects.filter(
                pk=signer.pk, reminders_sent=signer.reminders_sent, status=SignerStatus.INVITED
            ).update(reminders_sent=signer.reminders_sent + 1, last_reminded_at=now)
            if not claimed:
                continue
            # The trail notes the reminder once the mail server has taken it (the outbox).
            Agreement.objects.locked(signer.version.agreement)
            email_queue(kind=EmailKind.REMINDER, signer=signer)
        sent += 1
    return sent
