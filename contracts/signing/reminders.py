"""Reminders to parties who have not signed yet: every few days, a few times at most."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
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
    """Invited signers whose next reminder is due: every few days, a few times at most."""
    now = now or timezone.now()
    every = timedelta(days=settings.SIGNING_REMINDER_DAYS)
    candidates = Signer.objects.filter(
        status=SignerStatus.INVITED,
        role__in=[SignerRole.CLIENT, SignerRole.SPONSOR],
        reminders_sent__lt=settings.SIGNING_REMINDERS_MAX,
        version__agreement__status__in=[AgreementStatus.SENT, AgreementStatus.PARTLY_SIGNED],
        version__ended_at__isnull=True,
        invited_at__lte=now - every,
    ).select_related("version__agreement")
    return [
        signer
        for signer in candidates
        if signer.invited_at and now >= signer.invited_at + every * (signer.reminders_sent + 1)
    ]


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
