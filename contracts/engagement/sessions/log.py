"""The coach's ICF coaching log, and the client's consent to be named in it.

ICF credentialing asks, per client: name and contact, the dates of the first and last
session, hours paid and pro bono, individual or group, and the sponsor organisation.
Hours are those of sessions held (a late cancellation or a no-show is not coaching,
whatever it counts against the agreement). A client is named only while they consent
(`Client.named_in_log_since`, given or withdrawn by the client through their link);
otherwise their rows read "Client 3 (not named: no consent)", the number being the
client's place in the coach's whole log, so it is the same in every year's export.
Private notes are never read here.
"""

from __future__ import annotations

import csv
import io
import zoneinfo
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from coaching.models import Client, User
from contracts.audit import record_event, signer_actor
from contracts.documents.plain import page_pdf
from contracts.models import AuditEventKind, CoachingSession, SessionStatus, Signer, SignerRole

HOUR = Decimal(60)


def hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / HOUR).quantize(Decimal("0.01"))


@dataclass
class LogRow:
    """One client's coaching under one agreement."""

    client_id: int
    label: str
    named: bool
    email: str
    sponsor: str
    reference: str
    first: date
    last: date
    sessions: int = 0
    paid_minutes: int = 0
    pro_bono_minutes: int = 0
    kind: str = "Individual"

    @property
    def paid_hours(self) -> Decimal:
        return hours(self.paid_minutes)

    @property
    def pro_bono_hours(self) -> Decimal:
        return hours(self.pro_bono_minutes)


@dataclass
class Total:
    label: str
    sessions: int = 0
    paid_minutes: int = 0
    pro_bono_minutes: int = 0

    @property
    def paid_hours(self) -> Decimal:
        return hours(self.paid_minutes)

    @property
    def pro_bono_hours(self) -> Decimal:
        return hours(self.pro_bono_minutes)

    @property
    def total_hours(self) -> Decimal:
        return hours(self.paid_minutes + self.pro_bono_minutes)


@dataclass
class CoachingLog:
    year: int | None
    years: list[int]
    rows: list[LogRow] = field(default_factory=list)
    by_year: list[Total] = field(default_factory=list)
    by_client: list[Total] = field(default_factory=list)
    total: Total = field(default_factory=lambda: Total("All"))
    anonymised: int = 0


def anonymous_label(number: int) -> str:
    return f"Client {number} (not named: no consent)"


def coaching_log(*, coach: User, year: int | None = None) -> CoachingLog:
    """The log of sessions held, per client and agreement, in the coach's time zone;
    with `year`, only the sessions held that year. Two queries, whatever the size."""
    zone = zoneinfo.ZoneInfo(coach.profile.time_zone)
    held = (
        CoachingSession.objects.filter(agreement__coach=coach, status=SessionStatus.HELD)
        .select_related("agreement__client", "agreement__organisation")
        .only(
            "starts_at",
            "minutes",
            "pro_bono",
            "agreement__number",
            "agreement__client__name",
            "agreement__client__email",
            "agreement__client__named_in_log_since",
            "agreement__organisation__name",
        )
        .order_by("starts_at", "pk")
    )
    numbers: dict[int, int] = {}
    years: set[int] = set()
    log = CoachingLog(year=year, years=[])
    rows: dict[int, LogRow] = {}
    by_year: dict[int, Total] = {}
    by_client: dict[int, Total] = {}
    for session in held:
        agreement = session.agreement
        client: Client = agreement.client
        numbers.setdefault(client.pk, len(numbers) + 1)
        day = session.starts_at.astimezone(zone).date()
        years.add(day.year)
        if year is not None and day.year != year:
            continue
        named = client.named_in_log_since is not None
        label = client.name if named else anonymous_label(numbers[client.pk])
        row = rows.get(agreement.pk)
        if row is None:
            row = rows[agreement.pk] = LogRow(
                client_id=client.pk,
                label=label,
                named=named,
                email=client.email if named else "",
                sponsor=agreement.organisation.name if agreement.organisation else "",
                reference=agreement.reference,
                first=day,
                last=day,
            )
        row.last = day
        totals: list[LogRow | Total] = [
            row,
            by_year.setdefault(day.year, Total(str(day.year))),
            by_client.setdefault(client.pk, Total(label)),
            log.total,
        ]
        for total in totals:
            total.sessions += 1
            if session.pro_bono:
                total.pro_bono_minutes += session.minutes
            else:
                total.paid_minutes += session.minutes
    log.years = sorted(years, reverse=True)
    log.rows = sorted(rows.values(), key=lambda row: (row.first, row.reference))
    log.by_year = [by_year[key] for key in sorted(by_year)]
    log.by_client = sorted(by_client.values(), key=lambda total: total.label.casefold())
    log.anonymised = len({row.client_id for row in log.rows if not row.named})
    return log


def _cell(value: Any) -> str:
    """A spreadsheet cell that a spreadsheet never runs as a formula."""
    text = str(value)
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def log_csv(log: CoachingLog) -> str:
    """The log's rows, then its totals by year and by client, as CSV."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "Client",
            "Contact email",
            "Sponsor organisation",
            "Agreement",
            "Individual or group",
            "Start date",
            "End date",
            "Sessions",
            "Paid hours",
            "Pro bono hours",
        ]
    )
    for row in log.rows:
        writer.writerow(
            [
                _cell(value)
                for value in (
                    row.label,
                    row.email,
                    row.sponsor,
                    row.reference,
                    row.kind,
                    row.first.isoformat(),
                    row.last.isoformat(),
                    row.sessions,
                    row.paid_hours,
                    row.pro_bono_hours,
                )
            ]
        )
    for heading, totals in (("Year", log.by_year), ("Client", log.by_client)):
        writer.writerow([])
        writer.writerow([f"Totals by {heading.lower()}"])
        writer.writerow([heading, "Sessions", "Paid hours", "Pro bono hours", "Total hours"])
        for total in totals:
            writer.writerow(
                [
                    _cell(value)
                    for value in (
                        total.label,
                        total.sessions,
                        total.paid_hours,
                        total.pro_bono_hours,
                        total.total_hours,
                    )
                ]
            )
    writer.writerow([])
    writer.writerow(["All", log.total.sessions, log.total.paid_hours, log.total.pro_bono_hours])
    return buffer.getvalue()


def log_pdf(log: CoachingLog, *, coach: User) -> bytes:
    """The log as a printable PDF (not sealed: it is the coach's own record)."""
    html = render_to_string(
        "contracts/engagement/sessions/log_pdf.html",
        {
            "log": log,
            "coach": coach,
            "profile": coach.profile,
            "made_on": timezone.localdate(timezone=zoneinfo.ZoneInfo(coach.profile.time_zone)),
        },
    )
    return page_pdf(html)


class NotTheClient(Exception):
    """Only the client may consent, or withdraw consent, to being named in the log."""


def _client_of(signer: Signer) -> Client:
    if signer.role != SignerRole.CLIENT or signer.client_id is None:
        raise NotTheClient("Only the client can decide whether they are named in the log.")
    return Client.objects.select_for_update().get(pk=signer.client_id)


@transaction.atomic
def log_consent_give(*, signer: Signer, request: HttpRequest | None = None) -> Client:
    """The client agrees to be named, with their email, in the coach's coaching log."""
    client = _client_of(signer)
    if client.named_in_log_since is None:
        client.named_in_log_since = timezone.now()
        client.save(update_fields=["named_in_log_since", "updated_at"])
        _record(signer, AuditEventKind.LOG_CONSENT_GIVEN, request)
    return client


@transaction.atomic
def log_consent_withdraw(*, signer: Signer, request: HttpRequest | None = None) -> Client:
    """The client withdraws that consent: from now on the log shows them anonymised."""
    client = _client_of(signer)
    if client.named_in_log_since is not None:
        client.named_in_log_since = None
        client.save(update_fields=["named_in_log_since", "updated_at"])
        _record(signer, AuditEventKind.LOG_CONSENT_WITHDRAWN, request)
    return client


def _record(signer: Signer, kind: AuditEventKind, request: HttpRequest | None) -> None:
    version = signer.version
    # The request's address and browser are the evidence of who decided, and how.
    record_event(
        version.agreement,
        kind,
        actor=signer_actor(signer),
        version=version,
        signer=signer,
        request=request,
    )
