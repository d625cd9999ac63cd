"""A programme of a coach with a sponsor organisation and its HR contact."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from coaching.models import User
from contracts.models import Programme
from tests.conftest import make_contact, make_organisation


def make_programme(coach: User, **fields: Any) -> Programme:
    organisation = fields.pop("organisation", None) or make_organisation(coach=coach)
    if not organisation.contacts.exists():
        make_contact(coach=coach, organisation=organisation, name="Harper HR")
    fields.setdefault("name", "Leaders 2027")
    fields.setdefault("budget_sessions", 20)
    fields.setdefault("budget_amount", Decimal("10000.00"))
    fields.setdefault("start_date", date(2027, 1, 4))
    fields.setdefault("end_date", date(2027, 12, 17))
    return Programme.objects.create(coach=coach, organisation=organisation, **fields)
