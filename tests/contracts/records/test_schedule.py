"""When each class of records falls due: from the signed periods, from the engagement's end."""

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from coaching.models import RecordClass, User
from contracts.models import Agreement, AgreementVersion, add_months
from contracts.records.schedule import agreement_schedule
from contracts.records.services import RecordsError, termination_record
from contracts.signing import services as signing
from tests.conftest import make_agreement
from tests.contracts.records.helpers import END, at_noon, ended_engagement
from tests.contracts.signing_helpers import send_agreement

pytestmark = pytest.mark.django_db


def due_dates(
    agreement: Agreement, today: date = date(2040, 1, 1)
) -> dict[RecordClass, date | None]:
    schedule = agreement_schedule(agreement, today=today, counted=False)
    assert schedule is not None
    return {item.record_class: item.due_on for item in schedule.classes}


def test_each_class_falls_due_its_signed_number_of_years_after_the_end(coach: User) -> None:
    agreement = ended_engagement(coach, periods={"notes": 2, "intake": 1, "sessions": 5})

    due = due_dates(agreement)

    assert due[RecordClass.NOTES] == date(2029, 7, 9)
    assert due[RecordClass.INTAKE] == date(2028, 7, 9)
    assert due[RecordClass.SESSIONS] == date(2032, 7, 9)
    # The agreement stays as long as the longest of the others (7 years by default).
    assert due[RecordClass.AGREEMENT] == date(2034, 7, 9)


def test_the_periods_are_those_signed_not_the_profiles_of_today(coach: User) -> None:
    agreement = ended_engagement(coach, periods={"notes": 2})
    coach.profile.retention_notes_years = 10
    coach.profile.save()

    assert due_dates(agreement)[RecordClass.NOTES] == date(2029, 7, 9)


def test_an_early_end_recorded_by_the_coach_moves_every_date(coach: User) -> None:
    agreement = ended_engagement(coach, periods={"notes": 2})
    with time_machine.travel(at_noon(date(2027, 4, 2))):
        termination_record(agreement=agreement, coach=coach, ended_on=date(2027, 3, 31))

    assert due_dates(agreement)[RecordClass.NOTES] == date(2029, 3, 31)


def test_an_early_end_must_be_earlier_than_the_signed_end_and_not_in_the_future(
    coach: User,
) -> None:
    agreement = ended_engagement(coach)
    tomorrow = timezone.localdate() + timedelta(days=1)

    with pytest.raises(RecordsError, match="future"):
        termination_record(agreement=agreement, coach=coach, ended_on=tomorrow)
    with (
        time_machine.travel(at_noon(date(2027, 8, 1))),
        pytest.raises(RecordsError, match="not earlier than the end date"),
    ):
        termination_record(agreement=agreement, coach=coach, ended_on=date(2027, 7, 20))


def test_a_version_signed_before_a_class_had_its_own_period_keeps_it_as_long_as_the_agreement(
    coach: User,
) -> None:
    agreement = ended_engagement(coach, periods={"agreement": 6})
    version = agreement.versions.get()
    snapshot = version.snapshot
    del snapshot["terms"]["records"]["disclosures"]
    AgreementVersion.objects.filter(pk=version.pk).update(snapshot=snapshot)

    assert due_dates(agreement)[RecordClass.DISCLOSURES] == add_months(END, 72)


def test_a_running_engagement_has_nothing_due(coach: User) -> None:
    agreement = ended_engagement(coach)

    schedule = agreement_schedule(agreement, today=END)
    assert schedule is not None and schedule.running
    assert schedule.due() == []


def test_an_agreement_out_for_signature_or_never_sent_has_no_dates(coach: User) -> None:
    assert agreement_schedule(make_agreement(coach=coach), today=date(2040, 1, 1)) is None
    version = send_agreement(coach)

    assert agreement_schedule(version.agreement, today=date(2040, 1, 1)) is None


def test_a_voided_agreement_runs_from_the_day_it_was_voided(coach: User) -> None:
    version = send_agreement(coach)
    signing.agreement_void(agreement=version.agreement, coach=coach, reason="Wrong client")
    version.agreement.refresh_from_db()

    schedule = agreement_schedule(version.agreement, today=date(2040, 1, 1), counted=False)
    assert schedule is not None
    assert schedule.ended_on == timezone.localdate()
    assert "never signed" in schedule.basis
