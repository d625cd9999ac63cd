"""The canonical snapshot of an agreement: exactly what the parties read and sign.

A snapshot is plain JSON (strings, numbers, lists, objects), serialised one way
only (sorted keys, no spaces, UTF-8), so its SHA-256 identifies the text signed.
Previews, signing pages and PDFs are all rendered from a snapshot, never from the
live agreement, so what a coach previews is what the parties sign.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from typing import Any

from coaching.models import CoachProfile
from contracts.models import Agreement, Terms

SCHEMA = 1


def canonical_json(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def snapshot_hash(snapshot: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(snapshot)).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _coach(agreement: Agreement) -> dict[str, Any]:
    coach = agreement.coach
    profile = CoachProfile.objects.filter(coach=coach).first()
    insurance = None
    if profile is not None and profile.has_insurance():
        insurance = {
            "insurer": profile.insurer,
            "policy_number": profile.insurance_policy_number,
            "cover_amount": _plain(profile.insurance_cover_amount),
            "cover_currency": profile.insurance_cover_currency,
            "expires_on": _plain(profile.insurance_expires_on),
        }
    return {
        "name": coach.full_name,
        "email": coach.email,
        "practice_name": profile.practice_name if profile else "",
        "phone": profile.phone if profile else "",
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


def agreement_snapshot(agreement: Agreement) -> dict[str, Any]:
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
            "start": _plain(agreement.start_date),
            "end": _plain(agreement.end_date),
            "review": _plain(agreement.review_date),
        },
        "terms": {name: _plain(value) for name, value in agreement.terms_data().items()},
    }


def terms_from_snapshot(snapshot: dict[str, Any]) -> Agreement:
    """An unsaved agreement holding the snapshot's terms, for display helpers only."""
    values = dict(snapshot["terms"])
    if values.get("fee_amount") is not None:
        values["fee_amount"] = Decimal(values["fee_amount"])
    known = set(Terms.TERMS_FIELDS)
    return Agreement(**{name: value for name, value in values.items() if name in known})


def snapshot_dates(snapshot: dict[str, Any]) -> dict[str, date | None]:
    return {
        key: date.fromisoformat(value) if value else None
        for key, value in snapshot["dates"].items()
    }
