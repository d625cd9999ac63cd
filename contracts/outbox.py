"""The outbox: every email to a party of an agreement is queued here, sent by the worker,
and retried until the mail server takes it or two days have passed.

An email is queued as a row (`OutgoingEmail`) in the transaction that caused it, and a
task is queued to send it. Each attempt is one transaction that locks the row, makes the
link or code afresh, hands the message to the mail server and marks the row sent, so an
email the server accepted is never sent again, and a link or code from an attempt that
failed never existed. A failed attempt records the server's answer and when the next one
is due (1 min, 5 min, 30 min, 2 h, then every 6 h); a refused address, or two days of
failures, ends as "failed", which the coach sees with *Resend*.

The scheduler's pass (`deliver_due_emails`) queues the retries that are due, and takes
back any email whose task was lost (a worker killed, a machine restarted): a row still
pending past its lease is queued again. The lock makes that harmless if the first worker
is merely slow. The remaining window, a worker dying after the server accepted an email
and before the row is marked sent, may send that email twice; every attempt carries the
same Message-ID, by which mail programs recognise a repeat.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from coaching.emails import EmailNotSent
from coaching.models import User
from contracts import emails
from contracts.audit import coach_actor, record_event
from contracts.documents.services import pdf_for
from contracts.links import issue_code, issue_link
from contracts.models import (
    GIVE_UP_AFTER,
    AgreementPdf,
    AuditEventKind,
    EmailKind,
    EmailState,
    InformationRequest,
    Intake,
    IntakeStatus,
    LinkPurpose,
    OutgoingEmail,
    PdfKind,
    PdfStatus,
    Release,
    ReleaseStatus,
    ReviewConfirmation,
    Signer,
    SignerRole,
    SignerStatus,
    ThreeWayMeeting,
)

logger = logging.getLogger(__name__)

# A queued email not attempted within this long lost its task: the scheduler queues it again.
LEASE = timedelta(minutes=5)
# Only while the agreement still waits for the person's signature do these make sense.
WHILE_OUT_FOR_SIGNATURE = {EmailKind.INVITATION, EmailKind.REMINDER}
# An intake still waiting for the client's answers; once submitted or withdrawn, no email.
OPEN_INTAKE = {IntakeStatus.SENT, IntakeStatus.STARTED}
# The completion email carries the sealed copy, which a background task makes: it waits
# for it, looking again every minute, for this long; then (or if making it failed) it
# goes without, and its link leads to the copy to download.
SEALED_COPY_WAIT = timedelta(minutes=30)
SEALED_COPY_RECHECK = timedelta(minutes=1)


def email_queue(
    *,
    kind: EmailKind,
    signer: Signer,
    confirmation: ReviewConfirmation | None = None,
    intake: Intake | None = None,
    meeting: ThreeWayMeeting | None = None,
    release: Release | None = None,
    information_request: InformationRequest | None = None,
) -> OutgoingEmail:
    """Queue one email to one party (inside the caller's transaction) and a task to send it."""
    email = OutgoingEmail.objects.create(
        kind=kind,
        agreement_id=signer.version.agreement_id,
        signer=signer,
        confirmation=confirmation,
        intake=intake,
        meeting=meeting,
        release=release,
        information_request=information_request,
        to=signer.version.agreement.coach.email
        if kind == EmailKind.DECLINED_TO_COACH
        else signer.email,
        next_attempt_at=timezone.now() + LEASE,
    )
    deliver_email.enqueue(email.pk)
    return email


@task()
def deliver_email(email_id: int) -> None:
    """One attempt at one queued email (nothing, if it was sent or settled meanwhile)."""
    email_attempt(email_id)


def _pending_for_update(email_id: int) -> OutgoingEmail | None:
    """The email, locked, if it still waits and no other worker holds it."""
    return (
        OutgoingEmail.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related(
            "signer__version__agreement__coach",
            "confirmation",
            "intake",
            "release",
            "information_request__contact",
        )
        .filter(pk=email_id, state__in=[EmailState.QUEUED, EmailState.RETRYING])
        .first()
    )


def email_attempt(email_id: int, *, now: datetime | None = None) -> str | None:
    """Try to send one email now. Returns its state afterwards, or None when there was
    nothing to do (already settled, or another worker is sending it)."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            email = _pending_for_update(email_id)
            if email is None:
                return None
            if not _still_wanted(email):
                email.state = EmailState.CANCELLED
                email.last_attempt_at = now
                email.save(update_fields=["state", "last_attempt_at"])
                return EmailState.CANCELLED
            if _waits_for_sealed_copy(email, now=now):
                # Not an attempt: nothing was sent, and the copy asked for stays asked for.
                email.next_attempt_at = now + SEALED_COPY_RECHECK
                email.last_answer = "Waiting for the sealed PDF it carries."
                email.save(update_fields=["next_attempt_at", "last_answer"])
                return EmailState.QUEUED
            _compose_and_send(email)
            email.state = EmailState.SENT
            email.attempts += 1
            email.last_attempt_at = email.sent_at = now
            email.last_answer = "Accepted by the mail server."
            email.save(
                update_fields=["state", "attempts", "last_attempt_at", "sent_at", "last_answer"]
            )
            _record_sent(email)
            return EmailState.SENT
    except EmailNotSent as error:
        # The error's own message names no one; the server's answer may, so it stays in the row.
        logger.warning("Email %s: %s", email_id, error)
        return _record_failure(email_id, answer=error.answer, permanent=error.permanent, now=now)
    except Exception as error:
        # A fault of ours (a template, the database). Retried like a mail server's refusal;
        # only the error's type is logged, since its message may quote an address.
        logger.warning("Email %s could not be prepared: %s", email_id, type(error).__name__)
        return _record_failure(
            email_id,
            answer=f"Could not be prepared ({type(error).__name__}).",
            permanent=False,
            now=now,
        )


def _still_wanted(email: OutgoingEmail) -> bool:
    """An invitation, reminder or code to someone who has signed, declined, or whose
    agreement was voided since, is no longer wanted; nor a confirmation already given,
    nor an intake the client submitted or the coach withdrew."""
    signer = email.signer
    if email.kind in WHILE_OUT_FOR_SIGNATURE:
        return signer.status == SignerStatus.INVITED and signer.version.ended_at is None
    if email.kind == EmailKind.REVIEW_CONFIRMATION:
        return email.confirmation is not None and email.confirmation.confirmed_at is None
    if email.kind == EmailKind.INTAKE:
        return email.intake is not None and email.intake.status in OPEN_INTAKE
    if email.kind == EmailKind.MEETING_INVITATION:
        # An update queued since (a reschedule) carries the same event: one is enough.
        return (
            email.meeting is not None
            and email.meeting.starts_at > timezone.now()
            and not OutgoingEmail.objects.filter(
                kind=EmailKind.MEETING_INVITATION,
                meeting=email.meeting,
                signer=signer,
                pk__gt=email.pk,
            ).exists()
        )
    if email.kind == EmailKind.CLIENT_DECISION:
        return email.release is not None and email.release.status == ReleaseStatus.WITH_CLIENT
    return True


def _sealed_copy_row(email: OutgoingEmail) -> AgreementPdf | None:
    """The parties' sealed copy that a completion email to a signer carries (asked for
    here if no one has yet); None for any other email, and for someone kept informed,
    whose link is their copy."""
    signer = email.signer
    if email.kind != EmailKind.COMPLETED or signer.role == SignerRole.OBSERVER:
        return None
    version = signer.version
    if version.completed_at is None:
        return None
    return pdf_for(version.agreement, PdfKind.COPY, version)


def _waits_for_sealed_copy(email: OutgoingEmail, *, now: datetime) -> bool:
    row = _sealed_copy_row(email)
    return (
        row is not None
        and row.status == PdfStatus.PENDING
        and now < email.queued_at + SEALED_COPY_WAIT
    )


def _sealed_copy(email: OutgoingEmail) -> tuple[str, bytes] | None:
    """The sealed copy to attach, if it is made."""
    row = _sealed_copy_row(email)
    if row is None or row.status != PdfStatus.READY:
        return None
    with row.file.open("rb") as file:
        return row.filename, file.read()


def _message_id(email: OutgoingEmail) -> str:
    """The same for every attempt at this email, so that a repeat can be recognised."""
    domain = urlsplit(settings.SITE_URL).hostname or "tripartite.localhost"
    return f"<email-{email.pk}.{int(email.queued_at.timestamp())}@{domain}>"


def _compose_and_send(email: OutgoingEmail) -> None:
    """Make this attempt's link or code and hand the message to the mail server."""
    signer = email.signer
    headers = {"Message-ID": _message_id(email)}
    if email.kind in {EmailKind.INVITATION, EmailKind.REMINDER}:
        token, link = issue_link(signer, LinkPurpose.SIGN)
        send = (
            emails.email_invitation
            if email.kind == EmailKind.INVITATION
            else emails.email_reminder
        )
        send(signer, token, expires_at=link.expires_at, headers=headers)
    elif email.kind == EmailKind.COPY:
        token, link = issue_link(signer, LinkPurpose.VIEW)
        emails.email_copy(signer, token, expires_at=link.expires_at, headers=headers)
    elif email.kind == EmailKind.CODE:
        emails.email_code(signer, issue_code(signer), headers=headers)
    elif email.kind == EmailKind.COMPLETED:
        sealed = _sealed_copy(email)
        if signer.role == SignerRole.COACH:
            emails.email_completed(
                signer, None, expires_at=None, attachment=sealed, headers=headers
            )
        else:
            token, link = issue_link(signer, LinkPurpose.VIEW)
            emails.email_completed(
                signer, token, expires_at=link.expires_at, attachment=sealed, headers=headers
            )
    elif email.kind == EmailKind.VOIDED:
        emails.email_voided(signer, headers=headers)
    elif email.kind == EmailKind.DECLINED_TO_COACH:
        emails.email_declined_to_coach(signer, headers=headers)
    elif email.kind == EmailKind.DECLINED:
        emails.email_declined_notice(signer, headers=headers)
    elif email.kind == EmailKind.COACH_TURN:
        emails.email_coach_turn(signer, headers=headers)
    elif email.kind == EmailKind.REVIEW_CONFIRMATION:
        token, link = issue_link(signer, LinkPurpose.CONFIRM)
        emails.email_review_confirmation(
            signer, token, expires_at=link.expires_at, headers=headers
        )
    elif email.kind == EmailKind.INTAKE:
        token, link = issue_link(signer, LinkPurpose.INTAKE)
        emails.email_intake(signer, token, expires_at=link.expires_at, headers=headers)
    elif email.kind == EmailKind.MEETING_INVITATION and email.meeting is not None:
        # Client and sponsor get a link to their own page, where the agenda stays.
        page = None if signer.role == SignerRole.COACH else issue_link(signer, LinkPurpose.VIEW)
        emails.email_meeting_invitation(
            signer, email.meeting, token=page[0] if page else None, headers=headers
        )
    elif email.kind == EmailKind.CLIENT_DECISION and email.release is not None:
        token, link = issue_link(signer, LinkPurpose.DECIDE)
        emails.email_client_decision(
            signer, email.release, token, expires_at=link.expires_at, headers=headers
        )
    elif email.kind == EmailKind.REQUEST_ANSWER and email.information_request is not None:
        emails.email_request_answer(signer, email.information_request, headers=headers)
    elif email.kind == EmailKind.RELEASE_NOTICE and email.release is not None:
        token, link = issue_link(signer, LinkPurpose.VIEW)
        emails.email_release_notice(
            signer, email.release, token, expires_at=link.expires_at, headers=headers
        )
    else:
        raise ValueError(f"Unknown email {email.kind!r}")


def _record_sent(email: OutgoingEmail) -> None:
    """The trail notes an email only once the mail server has taken it."""
    signer = email.signer
    kind = AuditEventKind.EMAIL_HANDED_OVER
    data: dict[str, object] = {"email": email.kind, "to": signer.role}
    if email.kind == EmailKind.CODE:
        kind, data = AuditEventKind.CODE_SENT, {}
    elif email.kind == EmailKind.REMINDER:
        number = OutgoingEmail.objects.filter(
            signer=signer, kind=EmailKind.REMINDER, state=EmailState.SENT
        ).count()
        kind, data = AuditEventKind.REMINDER_SENT, {"number": number}
    record_event(
        signer.version.agreement,
        kind,
        actor="Tripartite",
        version=signer.version,
        signer=signer,
        data=data or None,
    )


def _record_failure(email_id: int, *, answer: str, permanent: bool, now: datetime) -> str | None:
    with transaction.atomic():
        email = (
            OutgoingEmail.objects.select_for_update()
            .select_related("signer__version__agreement")
            .filter(pk=email_id)
            .first()
        )
        if email is None or not email.is_pending:
            return email.state if email else None
        email.attempts += 1
        email.last_attempt_at = now
        email.last_answer = answer[:300]
        next_attempt = now + email.delay_after(email.attempts)
        if permanent or next_attempt > email.queued_at + GIVE_UP_AFTER:
            email.state = EmailState.FAILED
            signer = email.signer
            record_event(
                signer.version.agreement,
                AuditEventKind.EMAIL_FAILED,
                actor="Tripartite",
                version=signer.version,
                signer=signer,
                data={"email": email.kind, "to": signer.role, "attempts": email.attempts},
            )
        else:
            email.state = EmailState.RETRYING
            email.next_attempt_at = next_attempt
        email.save(
            update_fields=[
                "state",
                "attempts",
                "last_attempt_at",
                "last_answer",
                "next_attempt_at",
            ]
        )
        return email.state


@dataclass
class DeliveryPass:
    queued: int = 0


def deliver_due_emails(*, now: datetime | None = None, limit: int = 500) -> DeliveryPass:
    """Queue a send for every email whose retry is due or whose task was lost.

    Each row is taken by a conditional update that moves its lease forward, so two
    schedulers running at once queue it once.
    """
    now = now or timezone.now()
    report = DeliveryPass()
    due = list(
        OutgoingEmail.objects.filter(
            state__in=[EmailState.QUEUED, EmailState.RETRYING], next_attempt_at__lte=now
        )
        .order_by("next_attempt_at")
        .values_list("pk", "next_attempt_at")[:limit]
    )
    for pk, next_attempt_at in due:
        taken = OutgoingEmail.objects.filter(
            Q(state=EmailState.QUEUED) | Q(state=EmailState.RETRYING),
            pk=pk,
            next_attempt_at=next_attempt_at,
        ).update(next_attempt_at=now + LEASE)
        if taken:
            deliver_email.enqueue(pk)
            report.queued += 1
    return report


class NotResendable(Exception):
    """Why this email cannot be sent again. The message is for the coach."""


def email_resend(*, email: OutgoingEmail, coach: User) -> OutgoingEmail:
    """Send a failed email once more, as a new email (with a new link or code): the failed
    one leaves "needs attention" and points to its replacement."""
    with transaction.atomic():
        email = (
            OutgoingEmail.objects.select_for_update(of=("self",))
            .select_related("signer__version__agreement", "confirmation", "intake")
            .get(pk=email.pk)
        )
        if email.state != EmailState.FAILED or email.replaced_by_id is not None:
            raise NotResendable("This email is not waiting to be sent again.")
        if not _still_wanted(email):
            raise NotResendable(
                "This email is no longer needed: the agreement has moved on since it failed."
            )
        signer = email.signer
        again = email_queue(
            kind=EmailKind(email.kind),
            signer=signer,
            confirmation=email.confirmation,
            intake=email.intake,
            meeting=email.meeting,
            release=email.release,
            information_request=email.information_request,
        )
        email.replaced_by = again
        email.save(update_fields=["replaced_by"])
        record_event(
            signer.version.agreement,
            AuditEventKind.EMAIL_RESENT,
            actor=coach_actor(coach),
            version=signer.version,
            signer=signer,
            data={"email": email.kind, "to": signer.role},
        )
        return again


def email_dismiss(*, email: OutgoingEmail) -> None:
    """The coach has dealt with a failed email another way (a call, a new address)."""
    OutgoingEmail.objects.filter(pk=email.pk, state=EmailState.FAILED).update(
        dismissed_at=timezone.now()
    )
