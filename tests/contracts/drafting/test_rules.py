"""One rule, one place: a step form refuses a contradiction with the words the checklist
uses for the same contradiction in a saved agreement."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client as HttpClient

from coaching.models import User
from contracts.drafting.checks import Severity, agreement_problems
from contracts.models import Agreement
from contracts.terms import Jurisdiction, SharingLevel, sharing_cell, standard_limit
from tests.conftest import make_agreement, make_contact
from tests.contracts.drafting.test_builder import step_data, step_url


def _routine_content(agreement: Agreement) -> None:
    agreement.sharing["content"]["sponsor"] = sharing_cell(
        SharingLevel.ROUTINE, "report", "monthly", "coach"
    )


def _pro_bono_with_a_fee(agreement: Agreement) -> None:
    agreement.fee_basis = "pro_bono"
    agreement.fee_amount = Decimal(100)


def _terrorism_abroad(agreement: Agreement) -> None:
    agreement.jurisdiction = Jurisdiction.USA
    agreement.confidentiality_limits = [standard_limit("terrorism")]


# (step, field, what the coach types, the same contradiction saved on the agreement)
CASES: list[tuple[str, str, dict[str, Any], Callable[[Agreement], None]]] = [
    (
        "logistics",
        "end_date",
        {"start_date": "2027-03-01", "end_date": "2027-02-01"},
        lambda a: setattr(a, "end_date", date(2027, 1, 1)),
    ),
    (
        "logistics",
        "review_date",
        {"start_date": "2027-03-01", "review_date": "2027-02-01"},
        lambda a: setattr(a, "review_date", date(2027, 1, 1)),
    ),
    (
        "fees",
        "fee_amount",
        {"fee_basis": "pro_bono", "fee_amount": "100"},
        _pro_bono_with_a_fee,
    ),
    (
        "sharing",
        "content__sponsor__level",
        {
            "content__sponsor__level": "routine",
            "content__sponsor__method": "report",
            "content__sponsor__timing": "monthly",
            "content__sponsor__prepared_by": "coach",
        },
        _routine_content,
    ),
    (
        "sharing",
        "feedback_anonymity",
        {"feedback_anonymity": "not_collected"},
        lambda a: setattr(a, "feedback_anonymity", "not_collected"),
    ),
    (
        "limits",
        "limit_terrorism",
        {"jurisdiction": "usa", "limit_terrorism": "on"},
        _terrorism_abroad,
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("step", "field", "typed", "saved"), CASES)
def test_the_form_and_the_checklist_say_the_same(
    signed_in: HttpClient,
    coach: User,
    step: str,
    field: str,
    typed: dict[str, Any],
    saved: Callable[[Agreement], None],
) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    data = step_data(agreement, step, coach, **typed)
    response = signed_in.post(step_url(agreement, step), data)
    assert response.status_code == 200, "the contradiction is refused"
    [refused] = response.context["form"].errors[field]

    agreement.refresh_from_db()
    saved(agreement)
    listed = [p.message for p in agreement_problems(agreement) if p.step == step]
    assert refused in listed
    problem = next(p for p in agreement_problems(agreement) if p.message == refused)
    assert problem.field == field
    assert problem.severity == Severity.CONTRADICTION


@pytest.mark.django_db
def test_a_signatory_from_elsewhere_is_named_alike_in_the_form_and_the_checklist(
    signed_in: HttpClient, coach: User
) -> None:
    agreement = make_agreement(coach=coach, complete=True)
    outsider = make_contact(coach=coach, name="Out Sider")
    data = step_data(agreement, "parties", coach, sponsor_signatory=str(outsider.pk))
    response = signed_in.post(step_url(agreement, "parties"), data)
    [refused] = response.context["form"].errors["sponsor_signatory"]

    agreement.sponsor_signatory = outsider
    agreement.save()
    assert refused in [p.message for p in agreement_problems(agreement)]
