"""The canonical snapshot of an agreement: exactly what the parties read and sign.

A snapshot is plain JSON (strings, numbers, lists, objects), serialised one way
only (sorted keys, no spaces, UTF-8), so its SHA-256 identifies the text signed.
Previews, signing pages and PDFs are all rendered from a snapshot, never from the
live agreement, so what a coach previews is what the parties sign. `Snapshot` is
its shape; a frozen version keeps one (`AgreementVersion.snapshot`).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from typing import Any, NotRequired, TypedDict, cast

from contracts.models import Agreement, Terms
from contracts.terms import Goal, LimitItem, Records, Sharing

SCHEMA = 1


class MembershipData(TypedDict):
    body: str
    credential: str
    member_number: str


class InsuranceData(TypedDict):
    insurer: str
    policy_number: str
    cover_amount: str | None
    cover_currency: str
    expires_on: str | None


class CoachData(TypedDict):
    name: str
    email: str
    practice_name: str
    phone: str
    memberships: list[MembershipData]
    insurance: InsuranceData | None


class ClientData(TypedDict):
    name: str
    email: str
    job_title: str


class SponsorData(TypedDict):
    name: str
    address: str


class SignatoryData(TypedDict):
    name: str
    email: str
    job_title: str


class StakeholderData(TypedDict):
    name: str
    email: str
    role: str
    job_title: str


class DatesData(TypedDict):
    start: str | None
    end: str | None
    review: str | None


class TermsData(TypedDict):
    """Every field of `Terms`, as plain JSON (amounts as strings)."""

    coach_responsibilities: str
    client_responsibilities: str
    sponsor_responsibilities: str
    nature_of_coaching: str
    referral_policy: str
    goals: list[Goal]
    session_count: int | None
    session_length_minutes: int | None
    session_frequency: str
    session_format: str
    session_location: str
    fee_basis: str
    fee_amount: str | None
    fee_currency: str
    payer: str
    invoicing_terms: str
    cancellation_terms: str
    # Versions frozen before late cancellations were structured do not have these.
    late_cancellation_hours: NotRequired[int | None]
    late_cancellation_counts: NotRequired[bool | None]
    sharing: Sharing
    feedback_anonymity: str
    jurisdiction: str
    jurisdiction_other: str
    confidentiality_limits: list[LimitItem]
    breach_procedure: str
    organisational_guidelines: str
    records: Records
    data_controller: str
    client_confidentiality: str
    ethics_and_complaints: str
    recording: str
    testimonials: str
    health_information: str
    termination_terms: str
    notice_days: int | None
    amendment_process: str
    additional_terms: dict[str, str]


class Snapshot(TypedDict):
    schema: int
    reference: str
    title: str
    two_party: bool
    coach: CoachData
    client: ClientData
    sponsor: SponsorData | None
    signatory: SignatoryData | None
    stakeholders: list[StakeholderData]
    dates: DatesData
    terms: TermsData


def canonical_json(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def snapshot_hash(snapshot: Snapshot) -> str:
    return hashlib.sha256(canonical_json(snapshot)).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _coach(agreement: Agreement) -> CoachData:
    coach = agreement.coach
    profile = coach.profile
    insurance: InsuranceData | None = None
    if profile.has_insurance():
        insurance = {
            "insurer": profile.insurer,
            "policy_number": profile.insurance_policy_number,
            "cover_amount": _amount(profile.insurance_cover_amount),
            "cover_currency": profile.insurance_cover_currency,
            "expires_on": _iso(profile.insurance_expires_on),
        }
    return {
        "name": coach.full_name,
        "email": coach.email,
        "practice_name": profile.practice_name,
        "phone": profile.phone,
        "memberships": [
            {
                "body": membership.body_name,
                "credential": membership.credential,
                "member_number": membership.member_number,
            }
            for membership in coach.memberships.all()
        ],
        "insurance": insurance,
    }


def terms_snapshot(terms: Terms) -> TermsData:
    """The terms of an agreement or template as plain JSON."""
    return cast(TermsData, {name: _plain(value) for name, value in terms.terms_data().items()})


def agreement_snapshot(agreement: Agreement) -> Snapshot:
    """Every term and every party of the agreement, as canonical plain data."""
    organisation, signatory = agreement.organisation, agreement.sponsor_signatory
    return {
        "schema": SCHEMA,
        "reference": agreement.reference,
        "title": agreement.title,
        "two_party": agreement.is_two_party,
        "coach": _coach(agreement),
        "client": {
            "name": agreement.client.name,
            "email": agreement.client.email,
            "job_title": agreement.client.job_title,
        },
        "sponsor": (
            {"name": organisation.name, "address": organisation.address} if organisation else None
        ),
        "signatory": (
            {"name": signatory.name, "email": signatory.email, "job_title": signatory.job_title}
            if signatory and organisation
            else None
        ),
        "stakeholders": [
            {
                "name": person.name,
                "email": person.email,
                "role": person.get_role_display(),
                "job_title": person.job_title,
            }
            for person in agreement.stakeholders.order_by("name")
        ]
        if organisation
        else [],
        "dates": {
            "start": _iso(agreement.start_date),
            "end": _iso(agreement.end_date),
            "review": _iso(agreement.review_date),
        },
        "terms": terms_snapshot(agreement),
    }


def terms_from_snapshot(snapshot: Snapshot) -> Agreement:
    """An unsaved agreement holding the snapshot's terms, for display helpers only."""
    values: dict[str, Any] = dict(snapshot["terms"])
    if values.get("fee_amount") is not None:
        values["fee_amount"] = Decimal(values["fee_amount"])
    known = set(Terms.TERMS_FIELDS)
    return Agreement(**{name: value for name, value in values.items() if name in known})


def snapshot_dates(snapshot: Snapshot) -> dict[str, date | None]:
    dates = snapshot["dates"]
    return {
        "start": _parsed(dates["start"]),
        "end": _parsed(dates["end"]),
        "review": _parsed(dates["review"]),
    }


def _parsed(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
