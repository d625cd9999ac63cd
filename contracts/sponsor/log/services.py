"""The disclosure log as people read it: per agreement, per client, for the client
through their link, as CSV and PDF; and the record of breaking confidentiality by the
agreed procedure (DOMAIN.md section 9), which lands in the log citing the signed limit.

The log holds hashes and titles, never what was released: nothing here reads a
release's body or what was disclosed under a limit, except the breach record's own page.
"""

from __future__ import annotations

import csv
import io
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from coaching.models import Client, User
from contracts.audit import coach_actor, record_event
from contracts.documents.plain import page_pdf
from contracts.models import (
    Agreement,
    AgreementVersion,
    AuditEventKind,
    BreachRecord,
    ClientDecisionKind,
    DisclosureBasis,
    DisclosureEntry,
    Signer,
    SignerRole,
)
from contracts.sponsor.disclosure import Recipient, disclosure_record, verify_disclosures
from contracts.terms import (
    RECIPIENT_PHRASES,
    InformationKind,
    LimitItem,
    SharingLevel,
    normalised_limits,
)
from contracts.terms import Recipient as Column

# Who the coach consulted before breaking confidentiality (DOMAIN.md section 9).
CONSULTED = {
    "supervisor": "A supervisor",
    "professional_body": "The professional body",
    "insurer": "The insurer's legal line",
    "other": "Someone else",
}


@dataclass(frozen=True)
class LogRow:
    entry: DisclosureEntry
    basis: str
    broken: bool


@dataclass(frozen=True)
class DisclosureLog:
    """Entries, newest first, with their basis in words and the state of the chain."""

    rows: list[LogRow]
    problems: list[str]
    title: str

    @property
    def intact(self) -> bool:
        return not self.problems


def _entries(queryset: QuerySet[DisclosureEntry]) -> list[DisclosureEntry]:
    return list(
        queryset.select_related(
            "agreement", "client", "release", "release__version", "breach", "breach__version"
        )
        .prefetch_related("release__decisions")
        .order_by("-at", "-seq")
    )


def limit_of(version: AgreementVersion, key: str) -> LimitItem | None:
    """The limit of confidentiality with this key, as the version signed it."""
    terms = version.snapshot.get("terms", {}) if version.snapshot else {}
    return next(
        (
            item
            for item in normalised_limits(terms.get("confidentiality_limits"))
            if item["key"] == key
        ),
        None,
    )


def _level_words(level: str) -> str:
    try:
        return SharingLevel(level).label.lower()
    except ValueError:
        return level


def basis_in_words(entry: DisclosureEntry) -> str:
    """The matrix cell, the client's approval or consent, or the limit cited, in words."""
    release, breach = entry.release, entry.breach
    if breach is not None:
        limit = limit_of(breach.version, breach.limit_key)
        if limit is None:
            return f"A limit of confidentiality ({entry.basis_reference})"
        return (
            f"The limit of confidentiality “{limit['title']}” in the signed agreement "
            f"(version {breach.version.number}): {limit['wording']}"
        )
    if release is not None:
        information = InformationKind(release.information).label
        to = RECIPIENT_PHRASES.get(Column(release.recipient), release.recipient)
        signed = f"under the signed agreement (version {release.version.number})"
        wanted = {
            DisclosureBasis.APPROVAL: ClientDecisionKind.APPROVED,
            DisclosureBasis.CONSENT: ClientDecisionKind.CONSENTED,
        }.get(DisclosureBasis(entry.basis))
        decision = next(
            (d for d in reversed(release.decisions.all()) if d.decision == wanted), None
        )
        if decision is not None and wanted == ClientDecisionKind.APPROVED:
            return (
                f"{information}, to {to}: a summary the client approved on "
                f"{decision.at:%d %B %Y}, {signed}"
            )
        if decision is not None:
            return (
                f"{information}, to {to}: with the client's written consent of "
                f"{decision.at:%d %B %Y}, {signed}"
            )
        return f"{information}, {_level_words(release.level)}, to {to}, {signed}"
    kind, _, column = entry.basis_reference.partition(".")
    if entry.basis == DisclosureBasis.MATRIX and kind in InformationKind.values:
        to = RECIPIENT_PHRASES[Column(column)] if column in Column.values else ""
        cell = f"{InformationKind(kind).label}, to {to}" if to else InformationKind(kind).label
        return f"{cell}, under the signed agreement"
    return f"{DisclosureBasis(entry.basis).label}: {entry.basis_reference}"


def _log(coach: User, entries: list[DisclosureEntry], title: str) -> DisclosureLog:
    report = verify_disclosures(coach)
    rows = [
        LogRow(entry=entry, basis=basis_in_words(entry), broken=entry.seq in report.broken)
        for entry in entries
    ]
    return DisclosureLog(rows=rows, problems=report.problems, title=title)


def agreement_log(agreement: Agreement) -> DisclosureLog:
    entries = _entries(DisclosureEntry.objects.filter(agreement=agreement))
    title = f"{agreement.reference}, {agreement.client.name}"
    return _log(agreement.coach, entries, title)


def client_log(client: Client) -> DisclosureLog:
    entries = _entries(DisclosureEntry.objects.filter(client=client))
    return _log(client.coach, entries, client.name)


def _cell(value: Any) -> str:
    """A spreadsheet cell that a spreadsheet never runs as a formula."""
    text = str(value)
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


CSV_HEADINGS = [
    "Entry",
    "When (UTC)",
    "Agreement",
    "Client",
    "What",
    "Content SHA-256",
    "To",
    "To email",
    "To role",
    "Basis",
    "Basis in words",
    "Approved by",
    "Shown to the client",
    "Entry hash",
    "Chain",
]


def log_csv(log: DisclosureLog) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADINGS)
    for row in log.rows:
        entry = row.entry
        writer.writerow(
            [
                _cell(value)
                for value in (
                    entry.seq,
                    entry.at.astimezone(zoneinfo.ZoneInfo("UTC")).isoformat(timespec="seconds"),
                    entry.agreement.reference,
                    entry.client.name,
                    entry.what,
                    entry.content_sha256,
                    entry.to_name,
                    entry.to_email,
                    entry.to_role,
                    entry.get_basis_display(),
                    row.basis,
                    entry.approved_by,
                    "yes" if entry.visible_to_client else "no",
                    entry.hash,
                    "BROKEN" if row.broken else "intact",
                )
            ]
        )
    return buffer.getvalue()


def log_pdf(log: DisclosureLog, *, coach: User) -> bytes:
    """The log as a printable PDF (the coach's own record, not sealed)."""
    html = render_to_string(
        "contracts/sponsor/log/log_pdf.html",
        {
            "log": log,
            "coach": coach,
            "made_on": timezone.localdate(timezone=zoneinfo.ZoneInfo(coach.profile.time_zone)),
            "time_zone": coach.profile.time_zone,
        },
    )
    return page_pdf(html)


def entries_for_client_page(signer: Signer) -> list[LogRow]:
    """What the client's copy page lists: the disclosures about them on this agreement
    that they may see. Nothing for anyone but the client."""
    if signer.role != SignerRole.CLIENT:
        return []
    # The log names the agreement's client with each entry: its agreement is enough.
    entries = _entries(
        DisclosureEntry.objects.filter(
            agreement_id=signer.version.agreement_id, visible_to_client=True
        )
    )
    return [LogRow(entry=entry, basis=basis_in_words(entry), broken=False) for entry in entries]


def panel(*, agreement: Agreement) -> dict[str, Any]:
    """The disclosure log's card on the agreement's page."""
    entries = DisclosureEntry.objects.filter(agreement=agreement)
    return {
        "agreement": agreement,
        "count": entries.count(),
        "latest": entries.order_by("-at", "-seq").first(),
        "log_url": reverse("contracts:agreement-disclosures", args=[agreement.pk]),
        "breach_url": reverse("contracts:agreement-breach-new", args=[agreement.pk]),
        "in_force": agreement.version_in_force() is not None,
    }


# Breaking confidentiality


class BreachRefused(Exception):
    """Why the record cannot be made; `field` names the answer at fault, if one is."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Consulted:
    who: str
    name: str


@dataclass(frozen=True)
class BreachData:
    """What the coach records, step by step of the agreed procedure."""

    limit_key: str
    occurred_on: date
    client_told_first: bool
    not_told_reason: str
    consulted: list[Consulted]
    disclosed: str
    disclosed_to: str
    disclosed_to_email: str
    disclosed_how: str
    disclosed_at: datetime
    follow_up: str
    hidden_from_client_reason: str


def limits_in_force(agreement: Agreement) -> tuple[AgreementVersion | None, list[LimitItem]]:
    """The version in force and the limits of confidentiality it signed."""
    version = agreement.version_in_force()
    if version is None:
        return None, []
    terms = version.snapshot.get("terms", {}) if version.snapshot else {}
    return version, normalised_limits(terms.get("confidentiality_limits"))


def breach_procedure(version: AgreementVersion) -> str:
    terms = version.snapshot.get("terms", {}) if version.snapshot else {}
    return str(terms.get("breach_procedure") or "")


def _check(data: BreachData, limits: list[LimitItem], today: date) -> LimitItem:
    limit = next((item for item in limits if item["key"] == data.limit_key), None)
    if limit is None:
        raise BreachRefused(
            "Choose one of the limits of confidentiality in the signed agreement.", field="limit"
        )
    if data.occurred_on > today:
        raise BreachRefused("This day is in the future.", field="occurred_on")
    if data.disclosed_at > timezone.now():
        raise BreachRefused("This time is in the future.", field="disclosed_on")
    if not data.client_told_first and not data.not_told_reason.strip():
        raise BreachRefused("Say why the client was not told first.", field="not_told_reason")
    for name, value in (
        ("disclosed", data.disclosed),
        ("disclosed_to", data.disclosed_to),
        ("disclosed_how", data.disclosed_how),
    ):
        if not value.strip():
            raise BreachRefused("This is part of the record: fill it in.", field=name)
    if any(item.who not in CONSULTED for item in data.consulted):
        raise BreachRefused("Choose who was consulted from the list.", field="consulted")
    return limit


def breach_record(
    *,
    agreement: Agreement,
    coach: User,
    data: BreachData,
    request: HttpRequest | None = None,
) -> BreachRecord:
    """Record confidentiality broken under a signed limit: the record, an audit event
    naming only the limit, and the disclosure log's entry citing the clause (shown to
    the client unless a lawful reason not to is recorded). All or nothing."""
    with transaction.atomic():
        agreement = Agreement.objects.locked(agreement)
        version, limits = limits_in_force(agreement)
        if version is None:
            raise BreachRefused("This agreement is not in force: no limit of it applies.")
        today = timezone.localdate(timezone=zoneinfo.ZoneInfo(coach.profile.time_zone))
        limit = _check(data, limits, today)
        hidden = data.hidden_from_client_reason.strip()
        breach = BreachRecord.objects.create(
            agreement=agreement,
            version=version,
            limit_key=limit["key"],
            occurred_on=data.occurred_on,
            client_told_first=data.client_told_first,
            not_told_reason="" if data.client_told_first else data.not_told_reason.strip(),
            consulted=[{"who": item.who, "name": item.name.strip()} for item in data.consulted],
            disclosed=data.disclosed.strip(),
            disclosed_to=data.disclosed_to.strip()[:200],
            disclosed_how=data.disclosed_how.strip()[:200],
            disclosed_at=data.disclosed_at,
            follow_up=data.follow_up.strip(),
            hidden_from_client_reason=hidden,
        )
        record_event(
            agreement,
            AuditEventKind.BREACH_RECORDED,
            actor=coach_actor(coach),
            version=version,
            request=request,
            data={"limit": limit["key"]},
        )
        disclosure_record(
            agreement=agreement,
            what=f"Disclosure under a limit of confidentiality: {limit['title']}",
            content=breach.disclosed,
            to=Recipient(
                name=breach.disclosed_to,
                email=data.disclosed_to_email.strip(),
                role="under a limit",
            ),
            basis=DisclosureBasis.LIMIT,
            basis_reference=f"{limit['key']}: {limit['title']}",
            approved_by=f"{coach.full_name} (the coach)",
            breach=breach,
            visible_to_client=not hidden,
            at=data.disclosed_at,
        )
        return breach


def consulted_in_words(breach: BreachRecord) -> list[str]:
    words = []
    for item in breach.consulted if isinstance(breach.consulted, list) else []:
        who = CONSULTED.get(str(item.get("who")), str(item.get("who")))
        name = str(item.get("name") or "")
        words.append(f"{who}: {name}" if name else who)
    return words
