"""Programmes: save one (keeping what changed), add and remove its agreements, and add up
its budget used and left."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet

from coaching.models import SponsorContact, User
from contracts.models import (
    Agreement,
    AgreementStatus,
    AgreementVersion,
    FeeBasis,
    Programme,
    ProgrammeChange,
    ProgrammeChangeKind,
)

# The fields whose changes a programme's history keeps, with the words it uses for them.
TRACKED = {
    "name": "name",
    "purchase_order": "purchase order number",
    "budget_sessions": "budget in sessions",
    "budget_amount": "budget in money",
    "currency": "currency",
    "start_date": "start date",
    "end_date": "end date",
}


def _plain(value: object) -> str | int | None:
    """A field's value as the history stores it (JSON: dates and amounts as text)."""
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, date | Decimal):
        return str(value)
    return str(value)


@transaction.atomic
def programme_save(*, programme: Programme, coach: User) -> Programme:
    """Create the programme, or save the coach's changes to it, recording who changed
    which field from what to what (extending a budget or an end date is such a change)."""
    if programme.pk is None:
        programme.coach = coach
        programme.save()
        ProgrammeChange.objects.create(
            programme=programme,
            kind=ProgrammeChangeKind.CREATED,
            by=coach,
            changes={name: [None, _plain(getattr(programme, name))] for name in TRACKED},
        )
        return programme
    saved = Programme.objects.select_for_update().get(pk=programme.pk, coach=coach)
    changes = {
        name: [_plain(getattr(saved, name)), _plain(getattr(programme, name))]
        for name in TRACKED
        if _plain(getattr(saved, name)) != _plain(getattr(programme, name))
    }
    if changes:
        programme.save(update_fields=list(changes))
        ProgrammeChange.objects.create(
            programme=programme, kind=ProgrammeChangeKind.EDITED, by=coach, changes=changes
        )
    return programme


def addable_agreements(programme: Programme) -> QuerySet[Agreement]:
    """The coach's agreements with the programme's organisation that are in no programme."""
    return Agreement.objects.filter(
        coach=programme.coach, organisation=programme.organisation, programme__isnull=True
    ).select_related("client")


@transaction.atomic
def programme_agreements_add(
    *, programme: Programme, coach: User, agreements: Iterable[Agreement]
) -> int:
    """Put agreements into the programme: only the coach's own, with its organisation,
    and not already in a programme. Returns how many were added."""
    Programme.objects.select_for_update().get(pk=programme.pk, coach=coach)
    chosen = addable_agreements(programme).filter(pk__in=[item.pk for item in agreements])
    references = [agreement.reference for agreement in chosen.order_by("number")]
    added = chosen.update(programme=programme)
    if added:
        ProgrammeChange.objects.create(
            programme=programme,
            kind=ProgrammeChangeKind.AGREEMENTS_ADDED,
            by=coach,
            changes={"agreements": references},
        )
    return added


@transaction.atomic
def programme_agreement_remove(*, programme: Programme, coach: User, agreement: Agreement) -> bool:
    """Take one agreement out of the programme (the agreement itself stays as it is)."""
    Programme.objects.select_for_update().get(pk=programme.pk, coach=coach)
    removed = Agreement.objects.filter(pk=agreement.pk, coach=coach, programme=programme).update(
        programme=None
    )
    if removed:
        ProgrammeChange.objects.create(
            programme=programme,
            kind=ProgrammeChangeKind.AGREEMENTS_REMOVED,
            by=coach,
            changes={"agreements": [agreement.reference]},
        )
    return bool(removed)


@dataclass(frozen=True)
class Commitment:
    """What one agreement of a programme commits: sessions agreed and the fee."""

    agreement: Agreement
    source: str  # "in force", "sent", "draft" or "" when it commits nothing
    sessions: int | None
    money: Decimal | None
    currency: str
    used: int

    @property
    def counts(self) -> bool:
        return bool(self.source)


def _terms_of(
    agreement: Agreement, versions: list[AgreementVersion]
) -> tuple[str, dict[str, Any]]:
    """The terms that commit the sponsor: the version in force's, else the version out for
    signature, else the draft's; a declined or voided agreement commits nothing."""
    in_force = [v for v in versions if v.completed_at is not None and v.ended_at is None]
    if in_force:
        return "in force", dict(max(in_force, key=lambda v: v.number).snapshot["terms"])
    if agreement.is_out_for_signature and versions:
        return "sent", dict(max(versions, key=lambda v: v.number).snapshot["terms"])
    if agreement.status == AgreementStatus.DRAFT:
        return "draft", {
            "session_count": agreement.session_count,
            "fee_basis": agreement.fee_basis,
            "fee_amount": agreement.fee_amount,
            "fee_currency": agreement.fee_currency,
        }
    return "", {}


def fee_total(*, basis: str, amount: Decimal | None, sessions: int | None) -> Decimal | None:
    """The money an agreement commits: a package is its amount, a fee per session is the
    amount times the sessions agreed; pro bono is nothing; otherwise not known here."""
    if basis == FeeBasis.PRO_BONO:
        return Decimal("0.00")
    if amount is None:
        return None
    if basis == FeeBasis.PACKAGE:
        return amount
    if basis == FeeBasis.PER_SESSION and sessions is not None:
        return amount * sessions
    return None


def commitment(agreement: Agreement, versions: list[AgreementVersion], used: int) -> Commitment:
    source, terms = _terms_of(agreement, versions)
    sessions = terms.get("session_count") if source else None
    raw_amount = terms.get("fee_amount")
    amount = Decimal(str(raw_amount)) if raw_amount not in (None, "") else None
    return Commitment(
        agreement=agreement,
        source=source,
        sessions=sessions,
        money=fee_total(basis=terms.get("fee_basis", ""), amount=amount, sessions=sessions)
        if source
        else None,
        currency=terms.get("fee_currency", "") or "",
        used=used,
    )


@dataclass(frozen=True)
class Budget:
    """A programme's budget against what its agreements commit and have used."""

    programme: Programme
    rows: list[Commitment] = field(default_factory=list)

    @property
    def counted(self) -> list[Commitment]:
        return [row for row in self.rows if row.counts]

    @property
    def sessions_agreed(self) -> int:
        return sum(row.sessions or 0 for row in self.counted)

    @property
    def sessions_used(self) -> int:
        return sum(row.used for row in self.rows)

    @property
    def sessions_left(self) -> int | None:
        """Sessions of the budget not yet agreed in an agreement (never below zero)."""
        if self.programme.budget_sessions is None:
            return None
        return max(self.programme.budget_sessions - self.sessions_agreed, 0)

    @property
    def sessions_over(self) -> int:
        if self.programme.budget_sessions is None:
            return 0
        return max(self.sessions_agreed - self.programme.budget_sessions, 0)

    @property
    def money_committed(self) -> Decimal:
        return sum(
            (
                row.money
                for row in self.counted
                if row.money is not None and row.currency == self.programme.currency
            ),
            Decimal("0.00"),
        )

    @property
    def money_left(self) -> Decimal | None:
        if self.programme.budget_amount is None:
            return None
        return max(self.programme.budget_amount - self.money_committed, Decimal("0.00"))

    @property
    def money_over(self) -> Decimal:
        if self.programme.budget_amount is None:
            return Decimal("0.00")
        return max(self.money_committed - self.programme.budget_amount, Decimal("0.00"))

    @property
    def money_unknown(self) -> list[Commitment]:
        """Agreements whose fee cannot be added up: not set, separate, another currency."""
        return [
            row
            for row in self.counted
            if row.money is None or (row.money and row.currency != self.programme.currency)
        ]


def programme_budget(programme: Programme) -> Budget:
    """The programme's agreements, each with what it commits and its sessions used."""
    agreements = (
        programme.agreements.select_related("client", "sponsor_signatory")
        .prefetch_related("versions")
        .annotate(used=Count("sessions", filter=Q(sessions__counted=True)))
        .order_by("number")
    )
    return Budget(
        programme=programme,
        rows=[
            commitment(agreement, list(agreement.versions.all()), getattr(agreement, "used", 0))
            for agreement in agreements
        ],
    )


@dataclass(frozen=True)
class PortalProgramme:
    """A programme as the sponsor portal shows it: counts and money, no client's name."""

    name: str
    purchase_order: str
    start_date: date | None
    end_date: date | None
    currency: str
    agreements: int
    in_force: int
    budget_sessions: int | None
    sessions_agreed: int
    sessions_used: int
    sessions_left: int | None
    budget_amount: Decimal | None
    money_committed: Decimal
    money_left: Decimal | None


def programme_for_portal(contact: SponsorContact) -> list[PortalProgramme]:
    """The programmes of the contact's organisation with the contact's coach, each with
    counts of its agreements and its budget used and left."""
    programmes = Programme.objects.filter(
        coach_id=contact.coach_id, organisation_id=contact.organisation_id
    ).order_by("-start_date", "name")
    shown = []
    for programme in programmes:
        budget = programme_budget(programme)
        shown.append(
            PortalProgramme(
                name=programme.name,
                purchase_order=programme.purchase_order,
                start_date=programme.start_date,
                end_date=programme.end_date,
                currency=programme.currency,
                agreements=len(budget.counted),
                in_force=sum(1 for row in budget.rows if row.source == "in force"),
                budget_sessions=programme.budget_sessions,
                sessions_agreed=budget.sessions_agreed,
                sessions_used=budget.sessions_used,
                sessions_left=budget.sessions_left,
                budget_amount=programme.budget_amount,
                money_committed=budget.money_committed,
                money_left=budget.money_left,
            )
        )
    return shown
