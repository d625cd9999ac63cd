"""Reminders to parties who have not signed yet: every few days, a few times at most."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from contracts import tasks
from contracts.audit import record_event
from contracts.models import (
    Agreement,
    AgreementStatus,
    AuditEventKind,
    Signer,
    SignerRole,
    SignerStatus,
)


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
    """Send the reminders due now. Each is claimed by a conditional update, so two
    schedulers running at once never send the same reminder twice."""
    now = now or timezone.now()
    sent = 0
    for signer in reminders_due(now):
        with transaction.atomic():
            claimed = Signer.objects.filter(
                pk=signer.pk, reminders_sent=signer.reminders_sent, status=SignerStatus.INVITED
            ).update(reminders_sent=signer.reminders_sent + 1, last_reminded_at=now)
            if not claimed:
                continue
            agreement = Agreement.objects.locked(signer.version.agreement)
            record_event(
                agreement,
                AuditEventKind.REMINDER_SENT,
                actor="Tripartite",
                version=signer.version,
                signer=signer,
                data={"number": signer.reminders_sent + 1},
            )
            tasks.send_signer_email.enqueue(signer.pk, "reminder")
        sent += 1
    return sent
