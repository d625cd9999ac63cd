"""Sending and signing: every state change of an agreement out for signature.

Each function is one transaction that first locks the agreement's row, so two
parties acting at the same instant are recorded one after the other and the
agreement completes exactly once. Emails are queued in the outbox inside the
same transaction: they are committed, or not, together with the change that
caused them (contracts.outbox sends and retries them).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone

from coaching.models import User
from contracts.audit import coach_actor, record_event, request_facts, signer_actor
from contracts.documents.services import pdf_for
from contracts.drafting.checks import is_ready_to_send
from contracts.links import (
    AlreadyDeclined,
    AlreadySigned,
    CodeRequired,
    CodeStanding,
    NotYourTurn,
    Withdrawn,
    code_digest,
    code_standing,
    revoke_links,
    signer_state_problem,
)
from contracts.models import (
    Agreement,
    AgreementStatus,
    AgreementVersion,
    AuditEventKind,
    EmailKind,
    LinkPurpose,
    PdfKind,
    Signer,
    SignerRole,
    SignerStatus,
    SigningLink,
    SigningOrder,
)
from contracts.outbox import email_queue
from contracts.reviews.services import on_version_completed
from contracts.signing.disclosure import DISCLOSURE_VERSION
from contracts.snapshot import agreement_snapshot, snapshot_hash


class SigningError(Exception):
    """An action of the coach, or a signature, that is not possible now; the message is
    shown to the person. (What a signer's link can no longer do raises a LinkProblem.)"""


def _signers_for(agreement: Agreement, version: AgreementVersion) -> list[Signer]:
    sequence = SigningOrder(agreement.signing_order).sequence()
    people: list[Signer] = [
        Signer(
            version=version,
            role=SignerRole.CLIENT,
            name=agreement.client.name,
            email=agreement.client.email,
            client=agreement.client,
        )
    ]
    signatory = agreement.sponsor_signatory
    if not agreement.is_two_party and signatory is not None:
        people.append(
            Signer(
                version=version,
                role=SignerRole.SPONSOR,
                name=signatory.name,
                email=signatory.email,
                contact=signatory,
            )
        )
    coach = agreement.coach
    people.append(
        Signer(version=version, role=SignerRole.COACH, name=coach.full_name, email=coach.email)
    )
    order = [role for role in sequence if any(p.role == role for p in people)]
    for person in people:
        person.position = order.index(person.role) + 1 if order else 0
        person.status = SignerStatus.WAITING
    if not agreement.is_two_party:
        people.extend(
            Signer(
                version=version,
                role=SignerRole.OBSERVER,
                name=contact.name,
                email=contact.email,
                contact=contact,
                status=SignerStatus.COPIED,
            )
            for contact in agreement.stakeholders.order_by("name")
        )
    return people


def _invite(signer: Signer, *, email_coach: bool) -> None:
    signer.status = SignerStatus.INVITED
    signer.invited_at = timezone.now()
    signer.save(update_fields=["status", "invited_at"])
    if signer.signs_by_email:
        email_queue(kind=EmailKind.INVITATION, signer=signer)
    elif email_coach:
        email_queue(kind=EmailKind.COACH_TURN, signer=signer)


def _invite_next(
    agreement: Agreement, version: AgreementVersion, *, email_coach: bool = True
) -> None:
    """Invite everyone whose turn it now is: all at once, or the next in order."""
    waiting = [s for s in version.signers.all() if s.status == SignerStatus.WAITING]
    if not waiting:
        return
    if agreement.signing_order == SigningOrder.PARALLEL:
        turn = waiting
    else:
        first = min(s.position for s in waiting)
        turn = [s for s in waiting if s.position == first]
    for signer in turn:
        _invite(signer, email_coach=email_coach)


@transaction.atomic
def agreement_send(
    *,
    agreement: Agreement,
    coach: User,
    request: HttpRequest | None = None,
    message: str = "",
) -> AgreementVersion:
    """Freeze the agreement as a new version and invite the parties to sign it, with the
    coach's personal `message` (kept with the version, outside its terms)."""
    agreement = Agreement.objects.locked(agreement)
    if agreement.status != AgreementStatus.DRAFT:
        raise SigningError("Only a draft can be sent. This agreement has already been sent.")
    if not is_ready_to_send(agreement):
        raise SigningError("The checklist still has open items: settle them before sending.")
    snapshot = agreement_snapshot(agreement)
    previous = agreement.current_version()
    version = AgreementVersion.objects.create(
        agreement=agreement,
        number=previous.number + 1 if previous else 1,
        snapshot=snapshot,
        sha256=snapshot_hash(snapshot),
        signing_order=agreement.signing_order,
        require_email_code=agreement.require_email_code,
        invitation_message=_plain_message(message),
    )
    Signer.objects.bulk_create(_signers_for(agreement, version))
    agreement.status = AgreementStatus.SENT
    agreement.save(update_fields=["status", "updated_at"])
    actor = coach_actor(coach)
    record_event(
        agreement,
        AuditEventKind.VERSION_FROZEN,
        actor=actor,
        version=version,
        request=request,
        data={"number": version.number},
    )
    record_event(
        agreement,
        AuditEventKind.SENT,
        actor=actor,
        version=version,
        request=request,
        data={"signing_order": version.signing_order, "code": version.require_email_code},
    )
    for observer in version.signers.filter(role=SignerRole.OBSERVER):
        email_queue(kind=EmailKind.COPY, signer=observer)
    # The coach has just pressed "Send": no email needed to say it is their turn.
    _invite_next(agreement, version, email_coach=False)
    return version


def _plain_message(text: str) -> str:
    """One kind of line break, no trailing spaces on lines, no blank lines at either end."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def _check_invited(signer: Signer) -> None:
    """Raise where the signer stands if it is not waiting for their signature."""
    if signer.status == SignerStatus.SIGNED:
        raise AlreadySigned(signer)
    if signer.status == SignerStatus.DECLINED:
        raise AlreadyDeclined(signer)
    if signer.status != SignerStatus.INVITED:
        raise NotYourTurn(signer)


def _live_signer(signer: Signer) -> tuple[Agreement, Signer]:
    """Lock the agreement, then re-read the signer: the state another request left."""
    agreement = Agreement.objects.locked(signer.version.agreement)
    signer = Signer.objects.select_related("version").get(pk=signer.pk)
    latest = agreement.current_version()
    if not agreement.is_out_for_signature or latest is None or latest.pk != signer.version_id:
        raise signer_state_problem(signer) or Withdrawn(signer)
    return agreement, signer


# Opening the agreement is evidence, but not every time: a forwarded link or a mail
# scanner would otherwise fill the audit trail. Openings are counted on the link, once
# a minute at most: a reload or a scanner's burst is one opening, and writes nothing.
VIEW_RECORDED_EVERY = timedelta(hours=1)
VIEW_COUNTED_EVERY = timedelta(minutes=1)


def signer_viewed(*, link: SigningLink, request: HttpRequest | None = None) -> None:
    """Count an opening of the link (once a minute at most); record it in the audit trail
    at most once an hour.

    A view takes no lock and holds no transaction open: one counting update, and the
    agreement's lock only for the hour's audit event. A sponsor forwarding the link to a
    team, or a mail scanner opening it, does not queue behind anyone signing.
    """
    now = timezone.now()
    if link.last_used_at is not None and link.last_used_at > now - VIEW_COUNTED_EVERY:
        return
    signer = link.signer
    SigningLink.objects.filter(pk=link.pk).update(views=F("views") + 1, last_used_at=now)
    if signer.first_viewed_at is None:
        Signer.objects.filter(pk=signer.pk, first_viewed_at__isnull=True).update(
            first_viewed_at=now
        )
    recorded = link.view_recorded_at
    if recorded is None or recorded <= now - VIEW_RECORDED_EVERY:
        _record_view(link=link, now=now, request=request)


@transaction.atomic
def _record_view(*, link: SigningLink, now: datetime, request: HttpRequest | None) -> None:
    due = Q(view_recorded_at__isnull=True) | Q(view_recorded_at__lte=now - VIEW_RECORDED_EVERY)
    # Of views arriving together, the one whose update lands records the event.
    if not SigningLink.objects.filter(due, pk=link.pk).update(view_recorded_at=now):
        return
    signer = link.signer
    agreement = Agreement.objects.locked(signer.version.agreement)
    views = SigningLink.objects.values_list("views", flat=True).get(pk=link.pk)
    record_event(
        agreement,
        AuditEventKind.VIEWED,
        actor=signer_actor(signer),
        version=signer.version,
        signer=signer,
        request=request,
        data={"link_views": views},
    )


@transaction.atomic
def signer_request_code(*, signer: Signer, request: HttpRequest | None = None) -> None:
    """Email the link's holder a new 6-digit code (the code is made and sent by the task)."""
    Agreement.objects.locked(signer.version.agreement)
    email_queue(kind=EmailKind.CODE, signer=signer)


@dataclass(frozen=True)
class CodeRefused:
    """Why a typed code was not taken: `standing` LIVE for a wrong code that may be tried
    again (`tries_left` times); NONE, EXPIRED or SPENT when a new code is needed."""

    standing: CodeStanding
    tries_left: int = 0

    @property
    def message(self) -> str:
        """What to tell the person, next to the code box."""
        if self.standing == CodeStanding.LIVE:
            left = self.tries_left
            return f"That code is wrong. You have {left} tr{'y' if left == 1 else 'ies'} left."
        return {
            CodeStanding.NONE: "There is no code to enter yet: ask for one first.",
            CodeStanding.EXPIRED: "This code has expired: ask for a new one.",
            CodeStanding.SPENT: "This code was entered wrongly too often: ask for a new one.",
        }[self.standing]


@transaction.atomic
def signer_verify_code(
    *, signer: Signer, code: str, request: HttpRequest | None = None
) -> CodeRefused | None:
    """Check the code the signer typed: None when right, else why not.

    A wrong try is counted and recorded even though the code is refused, so the
    transaction commits in every case.
    """
    agreement = Agreement.objects.locked(signer.version.agreement)
    signer = Signer.objects.select_related("version").get(pk=signer.pk)
    standing = code_standing(signer)
    if standing != CodeStanding.LIVE:
        return CodeRefused(standing)
    cleaned = "".join(ch for ch in code if ch.isdigit())
    if not hmac.compare_digest(code_digest(signer.pk, cleaned), signer.code_hash):
        signer.code_attempts += 1
        signer.save(update_fields=["code_attempts"])
        record_event(
            agreement,
            AuditEventKind.CODE_FAILED,
            actor=signer_actor(signer),
            version=signer.version,
            signer=signer,
            request=request,
        )
        left = settings.SIGNING_CODE_TRIES - signer.code_attempts
        if left <= 0:
            return CodeRefused(CodeStanding.SPENT)
        return CodeRefused(CodeStanding.LIVE, tries_left=left)
    signer.code_verified_at = timezone.now()
    signer.code_hash = ""
    signer.save(update_fields=["code_verified_at", "code_hash"])
    record_event(
        agreement,
        AuditEventKind.CODE_VERIFIED,
        actor=signer_actor(signer),
        version=signer.version,
        signer=signer,
        request=request,
    )
    return None


@dataclass
class Signature:
    """What a signer confirmed and how they signed.

    `limits` are the keys of the limits of confidentiality confirmed one by one;
    `sharing` maps each recipient confirmed to every rule of its table. Signing also
    accepts the electronic-records disclosure (its version is recorded), and for the
    sponsor's signatory affirms their `authority`, in the words of `statement` beside the
    button. `earlier` names what still stands from the signer's signature of an earlier
    version: {"version": n, "limits": [...], "recipients": [...]}, unchanged since.
    """

    typed_name: str
    intent: str
    limits: list[str] = field(default_factory=list)
    sharing: dict[str, list[str]] = field(default_factory=dict)
    authority: bool = False
    drawn_png: bytes | None = None
    statement: str = ""
    earlier: dict[str, object] | None = None


@transaction.atomic
def signer_sign(
    *, signer: Signer, signature: Signature, request: HttpRequest | None = None
) -> Agreement:
    """Record one signature; complete the agreement when it is the last one."""
    agreement, signer = _live_signer(signer)
    _check_invited(signer)
    if signer.version.require_email_code and signer.signs_by_email and not signer.code_verified_at:
        raise CodeRequired(signer)
    if signer.role == SignerRole.SPONSOR and not signature.authority:
        raise SigningError("Confirm that you may sign for the organisation.")
    actor, version = signer_actor(signer), signer.version
    now = timezone.now()

    def event(kind: AuditEventKind, **data: object) -> None:
        record_event(
            agreement,
            kind,
            actor=actor,
            version=version,
            signer=signer,
            request=request,
            data=data,
        )

    event(AuditEventKind.DISCLOSURE_ACCEPTED, disclosure_version=DISCLOSURE_VERSION)
    for key in signature.limits:
        event(AuditEventKind.LIMIT_CONFIRMED, limit=key)
    for recipient, rules in signature.sharing.items():
        event(AuditEventKind.SHARING_CONFIRMED, recipient=recipient, rules=rules)
    if signature.authority:
        event(AuditEventKind.AUTHORITY_CONFIRMED)
    ip, user_agent = request_facts(request)
    signer.status = SignerStatus.SIGNED
    signer.disclosure_version, signer.disclosure_accepted_at = DISCLOSURE_VERSION, now
    signer.confirmations = [
        *signature.limits,
        *(key for rules in signature.sharing.values() for key in rules),
    ]
    signer.authority_confirmed_at = now if signature.authority else None
    signer.typed_name = signature.typed_name
    signer.drawn_signature = signature.drawn_png
    signer.intent = signature.intent
    signer.signed_at = now
    signer.ip_address, signer.user_agent = ip, user_agent
    signer.save()
    signed: dict[str, object] = {"typed_name": signature.typed_name, "intent": signature.intent}
    if signature.statement:
        signed["statement"] = signature.statement
    if signature.earlier:
        signed["unchanged_since"] = signature.earlier
    event(AuditEventKind.SIGNED, **signed)
    revoke_links([signer], LinkPurpose.SIGN)

    signers = list(version.signers.exclude(role=SignerRole.OBSERVER))
    if all(s.status == SignerStatus.SIGNED for s in signers):
        _complete(agreement, version)
    else:
        agreement.status = AgreementStatus.PARTLY_SIGNED
        agreement.save(update_fields=["status", "updated_at"])
        _invite_next(agreement, version)
    return agreement


def _complete(agreement: Agreement, version: AgreementVersion) -> None:
    agreement.status = AgreementStatus.SIGNED
    agreement.next_review_on = agreement.review_date
    agreement.save(update_fields=["status", "next_review_on", "updated_at"])
    version.completed_at = timezone.now()
    version.save(update_fields=["completed_at"])
    record_event(agreement, AuditEventKind.COMPLETED, actor="Tripartite", version=version)
    on_version_completed(agreement, version)
    # The sealed copy the completion emails carry: asked for first, so that it is being
    # made by the time they are composed.
    pdf_for(agreement, PdfKind.COPY, version)
    for person in version.signers.all():
        email_queue(kind=EmailKind.COMPLETED, signer=person)


@transaction.atomic
def signer_decline(*, signer: Signer, reason: str, request: HttpRequest | None = None) -> None:
    """The signer refuses to sign: the whole version stops, and the coach is told why."""
    agreement, signer = _live_signer(signer)
    _check_invited(signer)
    ip, user_agent = request_facts(request)
    signer.status = SignerStatus.DECLINED
    signer.declined_at, signer.decline_reason = timezone.now(), reason
    signer.ip_address, signer.user_agent = ip, user_agent
    signer.save()
    version = signer.version
    _end(agreement, version, AgreementStatus.DECLINED)
    record_event(
        agreement,
        AuditEventKind.DECLINED,
        actor=signer_actor(signer),
        version=version,
        signer=signer,
        request=request,
        data={"reason": reason},
    )
    email_queue(kind=EmailKind.DECLINED_TO_COACH, signer=signer)
    # Those who were asked to sign, or sent a copy, learn it will not go ahead; the
    # reason stays with the coach. Those still waiting for their turn were never asked.
    told = {SignerStatus.INVITED, SignerStatus.SIGNED, SignerStatus.COPIED}
    for person in version.signers.exclude(pk=signer.pk).exclude(role=SignerRole.COACH):
        if person.status in told:
            email_queue(kind=EmailKind.DECLINED, signer=person)


@transaction.atomic
def signer_decline_dealt_with(*, agreement: Agreement) -> bool:
    """The coach has dealt with a decline: it leaves the home page's "needs attention".
    False when the agreement has no decline waiting for them."""
    return bool(
        Signer.objects.filter(
            version__agreement=agreement,
            version__agreement__status=AgreementStatus.DECLINED,
            status=SignerStatus.DECLINED,
            decline_dealt_with_at__isnull=True,
        ).update(decline_dealt_with_at=timezone.now())
    )


def _end(agreement: Agreement, version: AgreementVersion, status: AgreementStatus) -> None:
    agreement.status = status
    agreement.save(update_fields=["status", "updated_at"])
    version.ended_at = timezone.now()
    version.save(update_fields=["ended_at"])
    revoke_links(list(version.signers.all()), LinkPurpose.SIGN)


@transaction.atomic
def agreement_void(
    *, agreement: Agreement, coach: User, reason: str, request: HttpRequest | None = None
) -> None:
    """The coach withdraws the agreement: pending links die and the parties are told."""
    agreement = Agreement.objects.locked(agreement)
    version = agreement.current_version()
    if not agreement.is_out_for_signature or version is None:
        raise SigningError("Only an agreement waiting for signatures can be voided.")
    _end(agreement, version, AgreementStatus.VOIDED)
    record_event(
        agreement,
        AuditEventKind.VOIDED,
        actor=coach_actor(coach),
        version=version,
        request=request,
        data={"reason": reason},
    )
    for person in version.signers.exclude(role=SignerRole.COACH):
        if person.status != SignerStatus.WAITING:
            email_queue(kind=EmailKind.VOIDED, signer=person)


@transaction.atomic
def agreement_reopen(
    *, agreement: Agreement, coach: User, request: HttpRequest | None = None
) -> None:
    """A declined or voided agreement becomes a draft again; sending makes a new version."""
    agreement = Agreement.objects.locked(agreement)
    if agreement.status not in {AgreementStatus.DECLINED, AgreementStatus.VOIDED}:
        raise SigningError("Only a declined or voided agreement can be reopened.")
    agreement.status = AgreementStatus.DRAFT
    agreement.save(update_fields=["status", "updated_at"])
    record_event(agreement, AuditEventKind.REOPENED, actor=coach_actor(coach), request=request)


@transaction.atomic
def signer_resend(*, signer: Signer, coach: User) -> None:
    """Email a pending signer a new link (the old ones keep working until they expire)."""
    _agreement, signer = _live_signer(signer)
    if signer.status != SignerStatus.INVITED or not signer.signs_by_email:
        raise SigningError("Only someone invited to sign can be sent a new link.")
    email_queue(kind=EmailKind.INVITATION, signer=signer)


def current_version_link(*, signer: Signer) -> bool:
    """Email the holder of a link to an earlier version their own link to the newest
    one: to sign it, if it waits for them, else their copy. Only to the address the
    newest version names for the same role, so the link goes to no one new.

    False when there is nothing to send: no newer version names them, or it is not in
    force and not waiting for signatures.
    """
    newest = signer.version.agreement.current_version()
    if newest is None or newest.pk == signer.version_id or newest.ended_at is not None:
        return False
    same = [
        person
        for person in newest.signers.filter(role=signer.role)
        if person.email.casefold() == signer.email.casefold()
    ]
    if not same:
        return False
    person = same[0]
    if person.status == SignerStatus.INVITED and person.signs_by_email:
        kind = EmailKind.INVITATION
    elif newest.completed_at is not None and person.role != SignerRole.OBSERVER:
        kind = EmailKind.COMPLETED
    elif person.role == SignerRole.OBSERVER:
        kind = EmailKind.COPY
    else:
        return False  # waiting for their turn: the invitation comes when it is
    email_queue(kind=kind, signer=person)
    return True
