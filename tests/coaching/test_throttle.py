import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import time_machine
from django.db import connection, connections

from coaching import throttle
from coaching.models import TokenBucket

DOOR = throttle.Door("test", per_seconds=60, per_key=3, per_ip=10)


@pytest.mark.django_db
def test_a_door_allows_its_capacity_then_refills_over_the_window() -> None:
    with time_machine.travel("2026-11-22 09:00Z", tick=False) as clock:
        taken = [throttle.attempt(DOOR, key="a@example.com", ip="192.0.2.1") for _ in range(4)]
        assert [reservation is not None for reservation in taken] == [True, True, True, False]
        assert throttle.attempt(DOOR, key="b@example.com", ip="192.0.2.1") is not None

        clock.shift(20)
        assert throttle.attempt(DOOR, key="a@example.com", ip="192.0.2.1") is not None
        assert throttle.attempt(DOOR, key="a@example.com", ip="192.0.2.1") is None


@pytest.mark.django_db
def test_a_refused_attempt_takes_nothing_from_the_other_bucket() -> None:
    for number in range(3):
        assert throttle.attempt(DOOR, key="a@example.com", ip=f"192.0.2.{number}")
    for _ in range(5):
        assert throttle.attempt(DOOR, key="a@example.com", ip="192.0.2.99") is None
    taken = [throttle.attempt(DOOR, key=f"{n}@example.com", ip="192.0.2.99") for n in range(11)]
    assert [reservation is not None for reservation in taken] == [True] * 10 + [False]


@pytest.mark.django_db
def test_a_refunded_attempt_does_not_count() -> None:
    for _ in range(10):
        reservation = throttle.attempt(DOOR, key="a@example.com", ip="192.0.2.1")
        assert reservation is not None
        reservation.refund()
    assert sorted(TokenBucket.objects.values_list("tokens", flat=True)) == [3.0, 10.0]


@pytest.mark.django_db
def test_every_spelling_of_an_address_shares_its_bucket() -> None:
    spellings = ["Robin@Example.com", "ｒｏｂｉｎ@ｅｘａｍｐｌｅ.ｃｏｍ", " ROBIN@EXAMPLE.COM"]  # noqa: RUF001
    for spelling in spellings:
        assert throttle.attempt(DOOR, key=spelling, ip=spelling) is not None
    assert throttle.attempt(DOOR, key="robin@example.com", ip="192.0.2.1") is None
    assert TokenBucket.objects.count() == 3


@pytest.mark.django_db
def test_buckets_never_store_the_email_or_address_they_count() -> None:
    throttle.attempt(DOOR, key="secret.person@example.com", ip="198.51.100.23")
    keys = " ".join(TokenBucket.objects.values_list("key", flat=True))
    assert "secret" not in keys and "example" not in keys and "198.51" not in keys


@pytest.mark.django_db
def test_a_plain_rate_limit_spends_one_token_per_call() -> None:
    spent = [
        throttle.spend_token("verify-ip", "192.0.2.1", capacity=2, per_seconds=60)
        for _ in range(3)
    ]
    assert spent == [True, True, False]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_attempts_arriving_at_once_never_exceed_the_capacity() -> None:
    door = throttle.Door("race", per_seconds=3600, per_key=5, per_ip=7)
    start = threading.Barrier(20, timeout=30)

    def attempt(number: int) -> bool:
        try:
            start.wait()
            return throttle.attempt(door, key="same@example.com", ip="192.0.2.1") is not None
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(attempt, range(20)))

    assert results.count(True) == 5
    assert TokenBucket.objects.count() == 2
