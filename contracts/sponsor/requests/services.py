"""Requests answered from the signed matrix, and what the coach releases to a sponsor
contact: answers, attendance, progress and end-of-engagement reports.

The signed rule for the kind of information and the recipient decides the path:

- *never* (or a kind the agreement does not cover): the coach sends a polite decline
  that quotes the clause as the sponsor's copy of the agreement words it;
- *routinely*: the coach prepares the text (attendance pre-filled from the sessions log)
  and releases it;
- *a summary the client approves first*, or *only with the client's written consent*:
  the client reads the exact text on their own link and approves (consents), asks for a
  change, or refuses. Only the exact text the client saw is released: its SHA-256 is
  compared at release. A refusal is final for that request.

Releasing is atomic and idempotent: the release row is locked and its status checked, so
a double click releases once. Every release lands in the disclosure log; the emails say
that something was answered or released, with a link, never the content.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from coaching.models import SponsorContact, User
from contracts.audit import coach_actor, record_event, request_facts, signer_actor
from contracts.documents.plain import sealed_page_pdf
from contracts.drafting.perspectives import Party, sharing_sentence
from contracts.engagement.party import recipient_for
from contracts.links import revoke_links
from contracts.models import (
    Agreement,
    AgreementVersion,
    AuditEventKind,
    ClientDecision,
    ClientDecisionKind,
    CoachingSession,
    DisclosureBasis,
    EmailKind,
    InformationRequest,
    LinkPurpose,
    Release,
    ReleaseKind,
    ReleaseStatus,
    RequestChannel,
    RequestStatus,
    SessionStatus,
    Signer,
    SignerRole,
)
from contracts.outbox import email_queue
from contracts.sponsor.asking import request_receive, rule_for, signer_for
from contracts.sponsor.disclosure import Recipient as DisclosedTo
from contracts.sponsor.disclosure import disclosure_record
from contracts.terms import RECIPIENT_PHRASES, InformationKind, Recipient, SharingLevel

# Requests the coach has to act on.
NEEDS_COACH = [RequestStatus.RECEIVED, RequestStatus.CHANGE_ASKED]
OPEN_REQUEST = [
    RequestStatus.RECEIVED,
    RequestStatus.PREPARING,
    RequestStatus.WITH_CLIENT,
    RequestStatus.CHANGE_ASKED,
]
EDITABLE = [ReleaseStatus.DRAFT, ReleaseStatus.CHANGE_ASKED]
OPEN_RELEASE = [
    ReleaseStatus.DRAFT,
    ReleaseStatus.WITH_CLIENT,
    ReleaseStatus.CHANGE_ASKED,
    ReleaseStatus.APPROVED,
]
# The client's decision for each level: approval of a summary, consent to the rest.
ASKS_CLIENT = {SharingLevel.APPROVED_SUMMARY, SharingLevel.CONSENT}
REPORT_KINDS = {ReleaseKind.PROGRESS_REPORT, ReleaseKind.END_REPORT}


class ReleaseError(Exception):
    """Why the coach cannot do this now. The message is for the coach."""


class DecisionClosed(Exception):
    """The release is no longer waiting for the client (decided, withdrawn, or edited)."""


class StaleRelease(Exception):
    """The text was saved elsewhere since this page was opened."""

    def __init__(self, revision: int) -> None:
        super().__init__("The text was saved elsewhere since this page was opened.")
        self.revision = revision


def text_hash(title: str, body: str) -> str:
    """The SHA-256 of exactly what the recipient would read."""
    return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()


def release_text(release: Release) -> str:
    return f"{release.title}\n\n{release.body}"


# What the coach sees


def needs_attention(coach: User) -> QuerySet[InformationRequest]:
    """Requests waiting for the coach: just received, or a change the client asked for."""
    return (
        InformationRequest.objects.filter(agreement__coach=coach, status__in=NEEDS_COACH)
        .select_related("agreement__client", "contact")
        .order_by("created_at", "id")
    )


def coach_requests(coach: User) -> QuerySet[InformationRequest]:
    return InformationRequest.objects.filter(agreement__coach=coach).select_related(
        "agreement__client", "contact"
    )


def named_contacts(agreement: Agreement) -> list[SponsorContact]:
    """The sponsor contacts the version in force names: only they may ask or receive."""
    version = agreement.version_in_force()
    if version is None:
        return []
    return [
        signer.contact
        for signer in version.signers.select_related("contact").filter(
            role__in=[SignerRole.SPONSOR, SignerRole.OBSERVER], contact__isnull=False
        )
        if signer.contact is not None
    ]


def clause_for(request: InformationRequest) -> str:
    """The clause of the signed agreement that answers the request, as the sponsor's copy
    words it; for a kind the agreement does not cover, that it does not provide for it."""
    client_name = request.version.snapshot["client"]["name"]
    if not request.kind:
        return (
            "The agreement does not provide for sharing this information; it would have to be "
            "amended, with the agreement of all three parties, before it could be shared."
        )
    _level, rule = rule_for(request.version, request.kind, Recipient(request.recipient))
    if rule is None or rule.level is None:
        what = InformationKind(request.kind).label.lower()
        return (
            f"The agreement does not provide for sharing {what} with "
            f"{RECIPIENT_PHRASES[Recipient(request.recipient)]}; it would have to be amended "
            "before it could be shared."
        )
    return sharing_sentence(rule, Party.SPONSOR, client_name).sentence


def decline_draft(request: InformationRequest) -> str:
    """A polite answer for the coach to send as it is or edit, quoting the clause."""
    snapshot = request.version.snapshot
    coach_name = request.agreement.coach.full_name
    return (
        f"Dear {request.contact.name},\n\n"
        f"Thank you for your request about the coaching of {snapshot['client']['name']}. "
        "I am not able to share this. The coaching agreement we all signed "
        f"(“{snapshot['title']}”, reference {snapshot['reference']}) says:\n\n"
        f"“{clause_for(request)}”\n\n"
        + (
            "Confidentiality is what makes coaching work, and I keep to what the three of "
            "us agreed."
            if request.level == SharingLevel.NEVER
            else "I have decided not to share anything in answer to this request."
        )
        + " If you would like to talk about what the agreement does provide for, "
        "I am happy to.\n\n"
        f"Kind regards,\n{coach_name}"
    )


def attendance_draft(agreement: Agreement) -> str:
    """Attendance from the sessions log: dates, held or missed, and what is left."""
    sessions = list(
        CoachingSession.objects.filter(agreement=agreement)
        .exclude(status=SessionStatus.RESCHEDULED)
        .order_by("starts_at")
    )
    missed = {SessionStatus.LATE_CANCELLED, SessionStatus.NO_SHOW}
    lines = []
    for session in sessions:
        state = "Missed" if session.status in missed else session.get_status_display()
        lines.append(f"- {session.starts_at:%d %B %Y}: {state}")
    held = sum(s.status == SessionStatus.HELD for s in sessions)
    lost = sum(s.status in missed for s in sessions)
    version = agreement.version_in_force()
    agreed = version.snapshot["terms"]["session_count"] if version else None
    summary = f"Sessions held: {held}. Missed: {lost}."
    if agreed:
        summary += f" Agreed in total: {agreed}."
    return "\n".join([summary, "", *lines]) if lines else summary + "\nNo sessions yet."


def release_draft(request: InformationRequest) -> tuple[str, str]:
    """The title and text the coach starts from to answer a request."""
    client_name = request.version.snapshot["client"]["name"]
    if request.kind == InformationKind.ATTENDANCE:
        return f"Attendance: {client_name}", attendance_draft(request.agreement)
    label = InformationKind(request.kind).label if request.kind else "Information"
    return f"{label}: {client_name}", ""


# Requests


def request_enter(
    *,
    agreement: Agreement,
    coach: User,
    contact: SponsorContact,
    kind: str,
    asked: str,
    request: HttpRequest | None = None,
) -> InformationRequest:
    """A request that reached the coach by phone, email or in person."""
    return request_receive(
        agreement=agreement,
        contact=contact,
        kind=kind,
        asked=asked,
        channel=RequestChannel.COACH,
        actor=coach_actor(coach),
        request=request,
    )


def _requester(request: InformationRequest) -> Signer:
    signer = signer_for(request.version, request.contact)
    if signer is None:
        raise ReleaseError("The agreement does not name this contact.")
    return signer


def _locked_request(request: InformationRequest) -> InformationRequest:
    return InformationRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)


def request_decline(
    *,
    information_request: InformationRequest,
    coach: User,
    answer: str,
    request: HttpRequest | None = None,
) -> InformationRequest:
    """Decline the request: the requester is told `answer`, never any content. Anything
    prepared for it is withdrawn."""
    answer = answer.strip()
    if not answer:
        raise ReleaseError("Write the answer the requester will receive.")
    with transaction.atomic():
        found = _locked_request(information_request)
        if found.status not in OPEN_REQUEST:
            raise ReleaseError("This request is already answered.")
        Release.objects.filter(request=found, status__in=OPEN_RELEASE).update(
            status=ReleaseStatus.WITHDRAWN
        )
        found.status = RequestStatus.DECLINED
        found.answer = answer[:5000]
        found.decided_at = timezone.now()
        found.save(update_fields=["status", "answer", "decided_at"])
        agreement = found.agreement
        record_event(
            agreement,
            AuditEventKind.REQUEST_DECLINED,
            actor=coach_actor(coach),
            version=found.version,
            request=request,
            data={"request": found.pk, "kind": found.kind or "not covered", "level": found.level},
        )
        email_queue(
            kind=EmailKind.REQUEST_ANSWER, signer=_requester(found), information_request=found
        )
        return found


# Releases


def _level_for(version: AgreementVersion, information: str, recipient: Recipient) -> SharingLevel:
    level, _rule = rule_for(version, information, recipient)
    return level


def release_prepare(
    *,
    agreement: Agreement,
    coach: User,
    title: str,
    body: str,
    information_request: InformationRequest | None = None,
    contact: SponsorContact | None = None,
    kind: ReleaseKind = ReleaseKind.ANSWER,
    request: HttpRequest | None = None,
) -> Release:
    """A draft to release: the answer to a request, or a report to a named contact. Only
    what the signed matrix lets that recipient receive can be prepared."""
    with transaction.atomic():
        agreement = Agreement.objects.locked(agreement)
        if information_request is not None:
            found = _locked_request(information_request)
            if found.status not in OPEN_REQUEST:
                raise ReleaseError("This request is already answered.")
            if Release.objects.filter(request=found, status__in=OPEN_RELEASE).exists():
                raise ReleaseError("A text is already being prepared for this request.")
            version, contact = found.version, found.contact
            recipient, information, level = (
                Recipient(found.recipient),
                found.kind,
                SharingLevel(found.level),
            )
            kind = ReleaseKind.ATTENDANCE if information == "attendance" else ReleaseKind.ANSWER
        else:
            version_in_force = agreement.version_in_force()
            if version_in_force is None or contact is None:
                raise ReleaseError("Reports can be written once the agreement is in force.")
            version = version_in_force
            signer = signer_for(version, contact)
            column = _column(signer)
            if column is None:
                raise ReleaseError("The agreement gives this contact nothing.")
            recipient, information = column, InformationKind.PROGRESS
            level = _level_for(version, information, recipient)
        if level == SharingLevel.NEVER or not information:
            raise ReleaseError(
                "The signed agreement does not let this recipient receive this: decline instead."
            )
        release = Release.objects.create(
            agreement=agreement,
            version=version,
            request=information_request,
            contact=contact,
            recipient=recipient,
            kind=kind,
            information=information,
            level=level,
            title=title.strip()[:200],
            body=body.strip(),
        )
        if information_request is not None:
            InformationRequest.objects.filter(pk=information_request.pk).update(
                status=RequestStatus.PREPARING
            )
        record_event(
            agreement,
            AuditEventKind.RELEASE_PREPARED,
            actor=coach_actor(coach),
            version=version,
            request=request,
            data={"release": release.pk, "kind": kind, "information": information, "level": level},
        )
        return release


def _column(signer: Signer | None) -> Recipient | None:
    return recipient_for(signer) if signer is not None else None


def _locked(release: Release) -> Release:
    return (
        Release.objects.select_for_update(of=("self",))
        .select_related("agreement__coach", "agreement__client", "version", "contact", "request")
        .get(pk=release.pk)
    )


def release_edit(
    *, release: Release, coach: User, title: str, body: str, revision: int
) -> Release:
    """Save the coach's text; refused when it was saved elsewhere since (`revision`)."""
    with transaction.atomic():
        found = _locked(release)
        if found.status not in EDITABLE:
            raise ReleaseError("This text can no longer be changed.")
        if found.revision != revision:
            raise StaleRelease(found.revision)
        found.title, found.body = title.strip()[:200], body.strip()
        found.revision += 1
        found.save(update_fields=["title", "body", "revision"])
        return found


def _client_signer(version: AgreementVersion) -> Signer:
    return version.signers.get(role=SignerRole.CLIENT)


def release_to_client(
    *, release: Release, coach: User, request: HttpRequest | None = None
) -> Release:
    """Ask the client to approve (or consent to) exactly this text, through their link."""
    with transaction.atomic():
        found = _locked(release)
        if found.level not in ASKS_CLIENT:
            raise ReleaseError("The signed agreement does not ask the client first for this.")
        if found.status not in EDITABLE:
            raise ReleaseError("This text is not waiting to be sent to the client.")
        if not found.body.strip():
            raise ReleaseError("Write the text first.")
        found.status = ReleaseStatus.WITH_CLIENT
        found.body_sha256 = text_hash(found.title, found.body)
        found.save(update_fields=["status", "body_sha256"])
        if found.request_id is not None:
            InformationRequest.objects.filter(releases=found).update(
                status=RequestStatus.WITH_CLIENT
            )
        client = _client_signer(found.version)
        record_event(
            found.agreement,
            AuditEventKind.RELEASE_TO_CLIENT,
            actor=coach_actor(coach),
            version=found.version,
            signer=client,
            request=request,
            data={"release": found.pk, "level": found.level, "text": found.body_sha256},
        )
        email_queue(kind=EmailKind.CLIENT_DECISION, signer=client, release=found)
        return found


def waiting_for_client(signer: Signer) -> list[Release]:
    """What the client is asked to decide on, through their link."""
    return list(
        Release.objects.filter(
            agreement_id=signer.version.agreement_id, status=ReleaseStatus.WITH_CLIENT
        )
        .select_related("contact")
        .order_by("created_at", "id")
    )


def client_decide(
    *,
    release: Release,
    signer: Signer,
    decision: ClientDecisionKind,
    text_sha256: str,
    comment: str = "",
    request: HttpRequest | None = None,
) -> ClientDecision:
    """Record the client's decision on the exact text they saw (`text_sha256` is the hash
    the page showed them), with the evidence of a signature."""
    comment = comment.strip()
    if decision == ClientDecisionKind.CHANGE_ASKED and not comment:
        raise ReleaseError("Say what you would like changed.")
    with transaction.atomic():
        found = _locked(release)
        if (
            found.agreement_id != signer.version.agreement_id
            or found.status != ReleaseStatus.WITH_CLIENT
            or found.body_sha256 != text_sha256
            or text_hash(found.title, found.body) != text_sha256
        ):
            raise DecisionClosed()
        allowed = {
            SharingLevel.APPROVED_SUMMARY: ClientDecisionKind.APPROVED,
            SharingLevel.CONSENT: ClientDecisionKind.CONSENTED,
        }[SharingLevel(found.level)]
        if decision not in {allowed, ClientDecisionKind.CHANGE_ASKED, ClientDecisionKind.REFUSED}:
            raise DecisionClosed()
        ip, user_agent = request_facts(request)
        made = ClientDecision.objects.create(
            release=found,
            signer=signer,
            decision=decision,
            text_seen=release_text(found),
            text_sha256=text_sha256,
            comment=comment[:5000],
            ip_address=ip,
            user_agent=user_agent,
        )
        requests = InformationRequest.objects.filter(releases=found)
        if decision == ClientDecisionKind.CHANGE_ASKED:
            found.status = ReleaseStatus.CHANGE_ASKED
            found.client_comment = made.comment
            requests.update(status=RequestStatus.CHANGE_ASKED)
        elif decision == ClientDecisionKind.REFUSED:
            found.status = ReleaseStatus.REFUSED
            found.client_comment = made.comment
        else:
            found.status = ReleaseStatus.APPROVED
        found.save(update_fields=["status", "client_comment"])
        record_event(
            found.agreement,
            AuditEventKind.CLIENT_DECIDED,
            actor=signer_actor(signer),
            version=found.version,
            signer=signer,
            request=request,
            data={"release": found.pk, "decision": decision, "text": text_sha256},
        )
        if decision == ClientDecisionKind.REFUSED and found.request is not None:
            _refused_by_client(found.request)
        # The link has done its work once nothing more waits for the client.
        if not Release.objects.filter(
            agreement_id=found.agreement_id, status=ReleaseStatus.WITH_CLIENT
        ).exists():
            revoke_links([signer], LinkPurpose.DECIDE)
        return made


def _refused_by_client(information_request: InformationRequest) -> None:
    found = _locked_request(information_request)
    found.status = RequestStatus.REFUSED_BY_CLIENT
    found.answer = (
        f"Dear {found.contact.name},\n\nThank you for your request. Under the coaching "
        "agreement this information can only be shared with the client's agreement, and "
        "it will not be shared this time.\n\n"
        f"Kind regards,\n{found.agreement.coach.full_name}"
    )
    found.decided_at = timezone.now()
    found.save(update_fields=["status", "answer", "decided_at"])
    email_queue(kind=EmailKind.REQUEST_ANSWER, signer=_requester(found), information_request=found)


@dataclass(frozen=True)
class Basis:
    basis: DisclosureBasis
    reference: str
    approved_by: str


def _basis(release: Release) -> Basis:
    """Why this release may go: the matrix cell, or the client's decision on this text."""
    coach_name = release.agreement.coach.full_name
    if release.level == SharingLevel.ROUTINE and release.status == ReleaseStatus.DRAFT:
        reference = f"{release.information}.{release.recipient}"
        return Basis(DisclosureBasis.MATRIX, reference, coach_name)
    if release.level in ASKS_CLIENT and release.status == ReleaseStatus.APPROVED:
        decision = release.decisions.order_by("-at", "-id").first()
        wanted = (
            ClientDecisionKind.APPROVED
            if release.level == SharingLevel.APPROVED_SUMMARY
            else ClientDecisionKind.CONSENTED
        )
        current = text_hash(release.title, release.body)
        if (
            decision is None
            or decision.decision != wanted
            or decision.text_sha256 != current
            or release.body_sha256 != current
        ):
            raise ReleaseError(
                "The text changed since the client approved it: only the exact text they "
                "approved can be released."
            )
        basis = (
            DisclosureBasis.APPROVAL
            if release.level == SharingLevel.APPROVED_SUMMARY
            else DisclosureBasis.CONSENT
        )
        return Basis(basis, f"decision {decision.pk}", f"{decision.signer.name} (client)")
    if release.level in ASKS_CLIENT:
        raise ReleaseError("The client has not approved this text.")
    raise ReleaseError("The signed agreement does not let this be released.")


def release_send(*, release: Release, coach: User, request: HttpRequest | None = None) -> Release:
    """Release the text to its recipient, once: a second call finds it released and does
    nothing. The recipient is emailed a link to read it, never the text."""
    with transaction.atomic():
        found = _locked(release)
        if found.status == ReleaseStatus.RELEASED:
            return found
        basis = _basis(found)
        recipient_signer = signer_for(found.version, found.contact)
        if recipient_signer is None:
            raise ReleaseError("The agreement does not name this contact.")
        found.status = ReleaseStatus.RELEASED
        found.released_at = timezone.now()
        if not found.body_sha256:
            found.body_sha256 = text_hash(found.title, found.body)
        fields = ["status", "released_at", "body_sha256"]
        if found.kind in REPORT_KINDS:
            pdf = report_pdf(found)
            found.report_pdf_sha256 = hashlib.sha256(pdf).hexdigest()
            found.report_pdf.save(f"release-{found.pk}.pdf", ContentFile(pdf), save=False)
            fields += ["report_pdf", "report_pdf_sha256"]
        found.save(update_fields=fields)
        disclosure_record(
            agreement=found.agreement,
            what=f"{found.get_kind_display()}: {found.title}",
            content=release_text(found),
            to=DisclosedTo(
                name=found.contact.name,
                email=found.contact.email,
                role=RECIPIENT_PHRASES[Recipient(found.recipient)],
            ),
            basis=basis.basis,
            basis_reference=basis.reference,
            approved_by=basis.approved_by,
            release=found,
        )
        if found.request is not None:
            InformationRequest.objects.filter(releases=found).update(
                status=RequestStatus.RELEASED, decided_at=found.released_at
            )
        record_event(
            found.agreement,
            AuditEventKind.RELEASED,
            actor=coach_actor(coach),
            version=found.version,
            signer=recipient_signer,
            request=request,
            data={
                "release": found.pk,
                "basis": basis.basis,
                "reference": basis.reference,
                "text": found.body_sha256,
            },
        )
        email_queue(kind=EmailKind.RELEASE_NOTICE, signer=recipient_signer, release=found)
        return found


def release_withdraw(*, release: Release, coach: User) -> Release:
    """The coach decides not to release: the text goes nowhere."""
    with transaction.atomic():
        found = _locked(release)
        if found.status not in [*OPEN_RELEASE, ReleaseStatus.REFUSED]:
            raise ReleaseError("This text is already released or withdrawn.")
        found.status = ReleaseStatus.WITHDRAWN
        found.save(update_fields=["status"])
        if found.request is not None and found.request.status in OPEN_REQUEST:
            InformationRequest.objects.filter(releases=found).update(status=RequestStatus.RECEIVED)
        return found


def report_pdf(release: Release) -> bytes:
    """The released report as a PDF, sealed so that any change to it shows."""
    snapshot = release.version.snapshot
    html = render_to_string(
        "contracts/sponsor/requests/report_pdf.html",
        {
            "release": release,
            "title": snapshot["title"],
            "reference": snapshot["reference"],
            "client_name": snapshot["client"]["name"],
            "coach_name": release.agreement.coach.full_name,
            "released_at": release.released_at,
            "paragraphs": [p for p in release.body.split("\n\n") if p.strip()],
        },
    )
    return sealed_page_pdf(html, reason=f"Released to {release.contact.name}")


def released_to(signer: Signer) -> QuerySet[Release]:
    """What has been released to this sponsor contact on this agreement."""
    return Release.objects.filter(
        agreement_id=signer.version.agreement_id,
        contact_id=signer.contact_id,
        status=ReleaseStatus.RELEASED,
    )


def panel(*, agreement: Agreement) -> dict[str, object]:
    """The card on the engagement page: open requests and what was released."""
    return {
        "agreement": agreement,
        "open_requests": list(
            InformationRequest.objects.filter(agreement=agreement, status__in=OPEN_REQUEST)
            .select_related("contact")
            .order_by("created_at", "id")
        ),
        "releases": list(
            Release.objects.filter(agreement=agreement).select_related("contact")[:5]
        ),
    }
