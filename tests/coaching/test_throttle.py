from concurrent.futures import ThreadPoolExecutor

import pytest
import time_machine
from django.db import connection, connections

from coaching import throttle
from coaching.models import TokenBucket


@pytest.mark.django_db
def test_a_bucket_allows_its_capacity_then_refills_over_the_window() -> None:
    with time_machine.travel("2026-11-22 09:00Z", tick=False) as clock:
        spent = [
            throttle.spend_token("t", "a@example.com", capacity=3, per_seconds=60)
            for _ in range(4)
        ]
        assert spent == [True, True, True, False]
        assert not throttle.has_tokens("t", "a@example.com", capacity=3, per_seconds=60)
        assert throttle.has_tokens("t", "b@example.com", capacity=3, per_seconds=60)

        clock.shift(20)
        assert throttle.spend_token("t", "a@example.com", capacity=3, per_seconds=60)
        assert not throttle.spend_token("t", "a@example.com", capacity=3, per_seconds=60)


@pytest.mark.django_db
def test_buckets_never_store_the_email_or_address_they_count() -> None:
    throttle.spend_token("login-email", "secret.person@example.com", capacity=3, per_seconds=60)
    key = TokenBucket.objects.get().key
    assert "secret" not in key and "example" not in key


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_concurrent_spending_never_exceeds_the_capacity() -> None:
    def spend(_: int) -> bool:
        try:
            return throttle.spend_token("race", "same-key", capacity=5, per_seconds=3600)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(spend, range(20)))

    assert results.count(True) == 5
    assert TokenBucket.objects.count() == 1
