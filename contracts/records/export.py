"""The client's copy of their data (UK/EU GDPR art. 15): a ZIP, written as it is sent.

    index.html, index.pdf    what is held, why, for how long, who received it, and the
                             data itself, readable (the audit trail by count: it is in
                             the JSON)
    data/*.json              everything, machine-readable; data/audit-events.json is
                             written event by event, so a trail of any length streams in
                             constant memory
    documents/*.pdf          the signed copies the client was given, as stored

Other people's personal data is left out: a sponsor contact's or another signer's IP
address, browser, drawn signature and email address; who asked for information about
the client is given by role and organisation. Recipients of a disclosure are named (the
client is entitled to know them). Disclosures the coach recorded a lawful reason not to
show the client (a safeguarding referral) are withheld, as are the coach's reasons for a
legal hold. Private notes and intake answers are the client's personal data and are in.
"""

from __future__ import annotations

import json
import re
import zipfile
import zoneinfo
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from coaching.models import Client, User
from contracts.audit import coach_actor, record_event, signer_actor
from contracts.documents.plain import page_pdf
from contracts.engagement.crypto import decrypt_text
from contracts.engagement.intake.services import saved_answers
from contracts.models import (
    Agreement,
    AgreementPdf,
    AgreementVersion,
    AuditEvent,
    AuditEventKind,
    BreachRecord,
    ClientDecision,
    CoachingSession,
    DataRequest,
    DisclosureEntry,
    DisposalEntry,
    InformationRequest,
    Intake,
    OutgoingEmail,
    PdfKind,
    PdfStatus,
    PrivateNote,
    Release,
    Review,
    Signer,
    SignerRole,
    ThreeWayMeeting,
)
from contracts.records.schedule import agreement_schedule

FLUSH_BYTES = 64 * 1024
COPY_CHUNK = 256 * 1024
EVENT_FIELDS = (
    "agreement_id",
    "seq",
    "kind",
    "at",
    "actor",
    "ip_address",
    "user_agent",
    "data",
    "version_id",
    "signer_id",
    "hash",
)


def package_name(client: Client) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", client.name.lower()).strip("-") or "client"
    return f"personal-data-{slug}-{timezone.now():%Y-%m-%d}.zip"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def _json(data: Any) -> bytes:
    return json.dumps(data, default=_plain, ensure_ascii=False, indent=1).encode()


def _json_line(data: Any) -> bytes:
    return json.dumps(data, default=_plain, ensure_ascii=False).encode()


class _Sink:
    """Where the ZIP is written: it can tell its position, not seek, and is emptied as
    the response is sent."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._position = 0
        self.pending = 0

    def write(self, data: bytes | bytearray | memoryview) -> int:
        chunk = bytes(data)
        self._chunks.append(chunk)
        self._position += len(chunk)
        self.pending += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        """Nothing to flush: `drain` hands the bytes on."""

    def close(self) -> None:
        """Nothing to close: the response ends when the generator does."""

    def drain(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        self.pending = 0
        return data


class Package:
    """What is held about one client of one coach, gathered once (all but the audit
    trail, which is streamed)."""

    def __init__(self, *, client: Client, coach: User) -> None:
        self.client = client
        self.coach = coach
        self.agreements = list(
            Agreement.objects.filter(client=client, coach=coach)
            .select_related("organisation")
            .order_by("number")
        )
        ids = [agreement.pk for agreement in self.agreements]
        self.signers = {
            signer.pk: signer
            for signer in Signer.objects.filter(version__agreement_id__in=ids).select_related(
                "version"
            )
        }
        self.references = {agreement.pk: agreement.reference for agreement in self.agreements}
        self.ids = ids

    def _theirs(self, signer_id: int | None) -> bool:
        signer = self.signers.get(signer_id) if signer_id else None
        return signer is not None and signer.role == SignerRole.CLIENT

    # The sections, each a list of plain records.

    def person(self) -> dict[str, Any]:
        client = self.client
        return {
            "name": client.name,
            "email": client.email,
            "job_title": client.job_title,
            "sponsor_organisation": client.organisation.name if client.organisation else None,
            "named_in_coaching_log_since": client.named_in_log_since,
            "recorded_on": client.created_at,
            "archived_on": client.archived_at,
        }

    def agreements_data(self) -> list[dict[str, Any]]:
        rows = []
        for agreement in self.agreements:
            schedule = agreement_schedule(agreement, counted=False)
            versions = []
            for version in agreement.versions.order_by("number"):
                signers = [s for s in self.signers.values() if s.version_id == version.pk]
                versions.append(
                    {
                        "number": version.number,
                        "state": version.state if version.snapshot else "disposed of",
                        "sha256": version.sha256,
                        "frozen_at": version.frozen_at,
                        "completed_at": version.completed_at,
                        "text": _without_others_addresses(version.snapshot),
                        "signatures": [self._signature(s) for s in signers],
                    }
                )
            rows.append(
                {
                    "reference": agreement.reference,
                    "title": agreement.title,
                    "status": agreement.get_status_display(),
                    "sponsor": agreement.organisation.name if agreement.organisation else None,
                    "start": agreement.start_date,
                    "end": agreement.end_date,
                    "versions": versions,
                    "retention": [
                        {"class": item.label, "years": item.years, "until": item.due_on}
                        for item in (schedule.classes if schedule else [])
                    ],
                }
            )
        return rows

    def _signature(self, signer: Signer) -> dict[str, Any]:
        mine = signer.role == SignerRole.CLIENT
        row: dict[str, Any] = {
            "role": signer.get_role_display(),
            "name": signer.name,
            "status": signer.get_status_display(),
            "invited_at": signer.invited_at,
            "signed_at": signer.signed_at,
            "declined_at": signer.declined_at,
        }
        if mine:
            row.update(
                email=signer.email,
                first_viewed_at=signer.first_viewed_at,
                code_verified_at=signer.code_verified_at,
                disclosure_version=signer.disclosure_version,
                disclosure_accepted_at=signer.disclosure_accepted_at,
                confirmations=signer.confirmations,
                typed_name=signer.typed_name,
                drew_a_signature=bool(signer.drawn_signature),
                intent=signer.intent,
                decline_reason=signer.decline_reason,
                ip_address=signer.ip_address,
                browser=signer.user_agent,
            )
        return row

    def sessions(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = [
            {
                "agreement": self.references[s.agreement_id],
                "what": "Coaching session",
                "starts_at": s.starts_at,
                "minutes": s.minutes,
                "format": s.get_format_display(),
                "status": s.get_status_display(),
                "counted_as_used": s.counted,
                "pro_bono": s.pro_bono,
                "why_outside_what_was_agreed": s.override_reason,
            }
            for s in CoachingSession.objects.filter(agreement_id__in=self.ids)
        ]
        rows += [
            {
                "agreement": self.references[m.agreement_id],
                "what": m.get_kind_display(),
                "starts_at": m.starts_at,
                "minutes": m.minutes,
                "location": m.location,
                "what_was_agreed": m.agreed_note,
            }
            for m in ThreeWayMeeting.objects.filter(agreement_id__in=self.ids)
        ]
        return sorted(rows, key=lambda row: row["starts_at"])

    def intake(self) -> list[dict[str, Any]]:
        rows = []
        for intake in Intake.objects.filter(agreement_id__in=self.ids).order_by("sent_at"):
            answers = saved_answers(intake)
            rows.append(
                {
                    "agreement": self.references[intake.agreement_id],
                    "status": intake.get_status_display(),
                    "sent_at": intake.sent_at,
                    "submitted_at": intake.submitted_at,
                    "health_consent_at": intake.health_consent_at,
                    "answers": [
                        {"question": q["label"], "answer": answers.get(q["key"], "")}
                        for q in intake.questions
                        if isinstance(q, dict) and "key" in q
                    ],
                }
            )
        return rows

    def notes(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = [
            {
                "agreement": self.references[note.agreement_id],
                "written_at": note.created_at,
                "changed_at": note.updated_at,
                "about_the_session_of": note.session.starts_at if note.session else None,
                "text": decrypt_text(note.ciphertext),
            }
            for note in PrivateNote.objects.filter(agreement_id__in=self.ids)
            .select_related("session")
            .order_by("created_at")
        ]
        rows += [
            {
                "agreement": self.references[review.agreement_id],
                "written_at": review.started_at,
                "about": "The review of the agreement",
                "text": review.notes,
            }
            for review in Review.objects.filter(agreement_id__in=self.ids).exclude(notes="")
        ]
        return rows

    def reports(self) -> dict[str, list[dict[str, Any]]]:
        releases = Release.objects.filter(agreement_id__in=self.ids).select_related("contact")
        requests = InformationRequest.objects.filter(agreement_id__in=self.ids).select_related(
            "contact__organisation"
        )
        decisions = ClientDecision.objects.filter(release__agreement_id__in=self.ids)
        return {
            "released_or_prepared": [
                {
                    "agreement": self.references[r.agreement_id],
                    "title": r.title,
                    "text": r.body,
                    "kind": r.get_kind_display(),
                    "to": f"{r.contact.name} ({r.get_recipient_display()})",
                    "status": r.get_status_display(),
                    "released_at": r.released_at,
                    "your_comment": r.client_comment,
                }
                for r in releases
            ],
            "requests_about_you": [
                {
                    "agreement": self.references[q.agreement_id],
                    "asked_by": f"{q.contact.get_role_display()} at {q.contact.organisation.name}",
                    "what_was_asked": q.asked,
                    "status": q.get_status_display(),
                    "answer_given": q.answer,
                    "asked_at": q.created_at,
                }
                for q in requests
            ],
            "your_decisions": [
                {
                    "decision": d.get_decision_display(),
                    "text_you_saw": d.text_seen,
                    "text_sha256": d.text_sha256,
                    "comment": d.comment,
                    "at": d.at,
                    "ip_address": d.ip_address,
                    "browser": d.user_agent,
                }
                for d in decisions
            ],
        }

    def disclosures(self) -> list[dict[str, Any]]:
        shown = DisclosureEntry.objects.filter(
            agreement_id__in=self.ids, visible_to_client=True
        ).order_by("seq")
        breaches = {
            b.pk: b
            for b in BreachRecord.objects.filter(
                pk__in=shown.exclude(breach=None).values("breach_id")
            )
        }
        rows = []
        for entry in shown:
            row: dict[str, Any] = {
                "agreement": self.references[entry.agreement_id],
                "what": entry.what,
                "to": f"{entry.to_name} ({entry.to_role})" if entry.to_name else "",
                "basis": entry.get_basis_display(),
                "basis_reference": entry.basis_reference,
                "approved_by": entry.approved_by,
                "at": entry.at,
                "content_sha256": entry.content_sha256,
            }
            breach = breaches.get(entry.breach_id) if entry.breach_id else None
            if breach is not None:
                row["under_a_limit_of_confidentiality"] = {
                    "limit": breach.limit_key,
                    "occurred_on": breach.occurred_on,
                    "you_were_told_first": breach.client_told_first,
                    "why_not": breach.not_told_reason,
                    "what_was_disclosed": breach.disclosed,
                    "to": breach.disclosed_to,
                    "how": breach.disclosed_how,
                    "consulted": [
                        item.get("kind", "") for item in breach.consulted if isinstance(item, dict)
                    ],
                    "follow_up": breach.follow_up,
                }
            rows.append(row)
        return rows

    def emails(self) -> list[dict[str, Any]]:
        emails = OutgoingEmail.objects.filter(agreement_id__in=self.ids).order_by("queued_at")
        rows = []
        for email in emails.only(
            "kind", "agreement_id", "signer_id", "to", "state", "queued_at", "sent_at", "attempts"
        ):
            mine = self._theirs(email.signer_id)
            signer = self.signers.get(email.signer_id)
            rows.append(
                {
                    "agreement": self.references[email.agreement_id],
                    "kind": email.get_kind_display(),
                    "to": email.to if mine else (signer.get_role_display() if signer else ""),
                    "to_you": mine,
                    "state": email.get_state_display(),
                    "queued_at": email.queued_at,
                    "sent_at": email.sent_at,
                    "attempts": email.attempts,
                }
            )
        return rows

    def requests_and_disposals(self) -> dict[str, list[dict[str, Any]]]:
        return {
            "your_requests": [
                {
                    "asked_for": item.get_kind_display(),
                    "received_at": item.received_at,
                    "answer_due_by": item.due_on,
                    "answered_at": item.completed_at,
                }
                for item in DataRequest.objects.filter(client=self.client, coach=self.coach)
            ],
            "records_disposed_of": [
                {
                    "agreement": entry.reference,
                    "class": entry.get_record_class_display(),
                    "records": entry.count,
                    "at": entry.at,
                    "why": entry.get_reason_display(),
                }
                for entry in DisposalEntry.objects.filter(client=self.client, coach=self.coach)
            ],
        }

    def event_count(self) -> int:
        return AuditEvent.objects.filter(agreement_id__in=self.ids).count()

    def events(self) -> Iterator[dict[str, Any]]:
        """The audit trails, oldest first, one event at a time: other people's addresses,
        browsers and what they did in detail left out."""
        versions = dict(
            AgreementVersion.objects.filter(agreement_id__in=self.ids).values_list("pk", "number")
        )
        coach = coach_actor(self.coach)
        clients = {
            signer_actor(signer)
            for signer in self.signers.values()
            if signer.role == SignerRole.CLIENT
        }
        rows = (
            AuditEvent.objects.filter(agreement_id__in=self.ids)
            .order_by("agreement_id", "seq")
            .values_list(*EVENT_FIELDS)
        )
        for values in rows.iterator(chunk_size=500):
            event = dict(zip(EVENT_FIELDS, values, strict=True))
            actor: str = event["actor"]
            mine = actor in clients
            # Someone named (a name and an address): the client, the coach, or another
            # person, who is given by role only. The service itself names no one.
            open_ = mine or actor == coach or "<" not in actor
            yield {
                "agreement": self.references[event["agreement_id"]],
                "number": event["seq"],
                "what": AuditEventKind(event["kind"]).label
                if event["kind"] in AuditEventKind.values
                else event["kind"],
                "at": event["at"],
                "version": versions.get(event["version_id"]),
                "by": actor if open_ else actor.split(":", 1)[0],
                "ip_address": event["ip_address"] if mine else None,
                "browser": event["user_agent"] if mine else None,
                "details": event["data"] if open_ else {},
                "fingerprint": event["hash"],
            }

    def documents(self) -> Iterable[AgreementPdf]:
        """The signed copies given to the parties, as stored (never made for this)."""
        return AgreementPdf.objects.filter(
            agreement_id__in=self.ids, kind=PdfKind.COPY, status=PdfStatus.READY
        ).select_related("agreement", "version")


def _without_others_addresses(snapshot: Any) -> Any:
    """The agreement as the client read it, less the email addresses of the sponsor's
    people (the coach's and the client's own stay)."""
    if not snapshot:
        return None
    text = json.loads(json.dumps(snapshot))
    for person in [text.get("signatory"), *(text.get("stakeholders") or [])]:
        if isinstance(person, dict) and "email" in person:
            person["email"] = "(withheld: another person's address)"
    return text


def _index_html(package: Package, sections: dict[str, Any], *, events: int) -> str:
    zone = zoneinfo.ZoneInfo(package.coach.profile.time_zone)
    return render_to_string(
        "contracts/records/package_index.html",
        {
            "client": package.client,
            "coach": package.coach,
            "practice": package.coach.profile.display_practice_name,
            "made_on": timezone.now().astimezone(zone),
            "events": events,
            "site_name": settings.SITE_NAME,
            **sections,
        },
    )


def export_stream(*, client: Client, coach: User) -> Iterator[bytes]:
    """The subject access package as bytes, as they are written.

    Everything but the audit trail is gathered (and decrypted) before this returns, so a
    NOTES_KEY that cannot read a note fails here, before anything is sent; the trail and
    the stored PDFs are then copied through in chunks as the caller reads."""
    package = Package(client=client, coach=coach)
    sections: dict[str, Any] = {
        "person": package.person(),
        "agreements": package.agreements_data(),
        "sessions": package.sessions(),
        "intake": package.intake(),
        "notes": package.notes(),
        "reports": package.reports(),
        "disclosures": package.disclosures(),
        "emails": package.emails(),
        "requests": package.requests_and_disposals(),
    }
    return _zipped(package, sections)


def _zipped(package: Package, sections: dict[str, Any]) -> Iterator[bytes]:
    html = _index_html(package, sections, events=package.event_count())
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.html", html)
        yield sink.drain()
        archive.writestr("index.pdf", page_pdf(html))
        yield sink.drain()
        for name, data in sections.items():
            archive.writestr(f"data/{name}.json", _json(data))
        yield sink.drain()
        with archive.open("data/audit-events.json", "w", force_zip64=True) as entry:
            entry.write(b"[")
            for number, event in enumerate(package.events()):
                entry.write((b",\n" if number else b"\n") + _json_line(event))
                if sink.pending >= FLUSH_BYTES:
                    yield sink.drain()
            entry.write(b"\n]\n")
        yield sink.drain()
        for pdf in package.documents():
            yield from _copy_file(archive, sink, pdf)
    yield sink.drain()


def _copy_file(archive: zipfile.ZipFile, sink: _Sink, pdf: AgreementPdf) -> Iterator[bytes]:
    try:
        source = pdf.file.open("rb")
    except (OSError, ValueError):
        return  # not in storage (any more): the index still lists the agreement
    with source, archive.open(f"documents/{pdf.filename}", "w", force_zip64=True) as entry:
        while chunk := source.read(COPY_CHUNK):
            entry.write(chunk)
            yield sink.drain()


def export_record(
    *,
    client: Client,
    coach: User,
    data_request: DataRequest | None = None,
    request: HttpRequest | None = None,
    actor: str = "",
) -> None:
    """Record, before it is sent, that the coach (or an operator) made the client's
    package: in each of their agreements' audit trails, and on the request it answers."""
    with transaction.atomic():
        for agreement in Agreement.objects.filter(client=client, coach=coach).order_by("pk"):
            record_event(
                agreement,
                AuditEventKind.DATA_EXPORTED,
                actor=actor or coach_actor(coach),
                request=request,
                data={"request": data_request.pk if data_request else None},
            )
        if data_request is not None:
            DataRequest.objects.filter(pk=data_request.pk).update(exported_at=timezone.now())
