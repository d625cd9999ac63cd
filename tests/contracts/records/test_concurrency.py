"""Two schedulers, or a scheduler and the coach, at the same moment: one disposal, once."""

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from threading import Barrier

import pytest
from django.db import connection, connections

from coaching.models import User
from contracts.models import DisposalEntry, PrivateNote, RecordsPass
from contracts.records.services import records_daily_pass, records_dispose
from tests.contracts.records.helpers import at_noon, ended_engagement

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_two_schedulers_make_one_pass_and_dispose_of_each_record_once(coach: User) -> None:
    coach.profile.dispose_automatically = True
    coach.profile.save()
    agreement = ended_engagement(coach, periods={"notes": 2})
    start = Barrier(2, timeout=60)  # a scheduler that never arrives fails the test

    def run(_: int) -> bool:
        try:
            start.wait()
            return records_daily_pass(now=at_noon(date(2029, 7, 9))).ran
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        ran = list(pool.map(run, range(2)))

    assert sorted(ran) == [False, True]
    assert RecordsPass.objects.get().finished_at is not None
    assert PrivateNote.objects.filter(agreement=agreement).count() == 0
    assert DisposalEntry.objects.filter(record_class="notes").count() == 1


def test_the_coach_and_the_scheduler_at_once_dispose_once(coach: User) -> None:
    agreement = ended_engagement(coach, periods={"notes": 2})
    start = Barrier(2, timeout=60)

    def run(by_coach: int) -> int:
        try:
            start.wait()
            return len(
                records_dispose(
                    agreement=agreement,
                    coach=coach if by_coach else None,
                    now=at_noon(date(2029, 7, 9)),
                )
            )
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(run, range(2)))

    assert sorted(results) == [0, 1]
    assert DisposalEntry.objects.count() == 1
