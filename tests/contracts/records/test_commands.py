"""`manage.py records due` and `records dispose`, for operators."""

from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from coaching.models import User
from contracts.models import DisposalEntry, PrivateNote
from contracts.records.services import hold_place
from tests.contracts.records.helpers import at_noon, ended_engagement

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("records", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_due_lists_what_is_due_now_and_soon(coach: User) -> None:
    agreement = ended_engagement(coach, periods={"intake": 1, "notes": 2})

    with time_machine.travel(at_noon(date(2029, 6, 20))):
        output = run("due", "--within", "30")

    assert (
        f"{agreement.reference} (id {agreement.pk}) of {coach.email}, ended 2027-07-09" in output
    )
    assert "due now: intake answers" in output
    assert "due on 2029-07-09: Coach's session notes" in output
    assert "1 agreement with records due now; 0 more within 30 days." in output


def test_dispose_dry_run_disposes_of_nothing_and_dispose_does(coach: User) -> None:
    agreement = ended_engagement(coach, periods={"notes": 2})

    with time_machine.travel(at_noon(date(2029, 7, 9))):
        dry = run("dispose", "--dry-run")
        assert PrivateNote.objects.filter(agreement=agreement).count() == 2
        done = run("dispose", "--coach", coach.email)

    assert f"{agreement.reference} (id {agreement.pk})" in dry and "would dispose of" in dry
    assert "nothing disposed of" in dry
    assert "disposed of notes (2)" in done
    assert PrivateNote.objects.filter(agreement=agreement).count() == 0
    assert DisposalEntry.objects.get().by == "Operator (manage.py records dispose)"


def test_dispose_leaves_held_records_and_an_unknown_coach_is_an_error(coach: User) -> None:
    agreement = ended_engagement(coach, periods={"notes": 2})
    hold_place(coach=coach, agreement=agreement, reason="A claim")

    with time_machine.travel(at_noon(date(2029, 7, 9))):
        output = run("dispose")
        with pytest.raises(CommandError, match="No coach has the address"):
            run("due", "--coach", "nobody@example.com")

    assert "on hold, left as it is" in output
    assert PrivateNote.objects.filter(agreement=agreement).count() == 2
