"""Time one reminder pass over 100,000 agreements of 2,000 coaches, on PostgreSQL.

    .venv/bin/python benchmarks/reminder_benchmark.py [--coaches 2000] [--per-coach 50]

Creates a throwaway database `tripartite_bench` on the PostgreSQL server of
BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432), fills it, and prints
the time, the peak memory (resident, of the whole process: an upper bound for the
pass) and the queries of each batch of one pass (targets: under 60 s, under 300 MB,
the same number of queries per batch whatever the total), then of a second pass the
same day (which finds everything already sent).

Review dates are spread over the coming year, with one agreement in ten overdue by up
to eight weeks; end dates fall after the review. Emails are rendered in full, then
discarded by Django's dummy mail backend.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SERVER = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432")
NAME = "tripartite_bench"


def fresh_database() -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {NAME}")
        connection.execute(f"CREATE DATABASE {NAME}")


fresh_database()
os.environ.update(
    DJANGO_SETTINGS_MODULE="coaching.settings",
    DEBUG="true",  # a throwaway database on this machine
    DATABASE_URL=f"{SERVER}/{NAME}",
    TASKS_BACKEND="immediate",
)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from coaching.models import Client, CoachProfile, User  # noqa: E402
from contracts.models import Agreement, AgreementStatus  # noqa: E402
from contracts.reviews.reminders import send_due_reminders  # noqa: E402

UNUSABLE = make_password(None)


def fill(coaches: int, per_coach: int) -> None:
    today = timezone.localdate()
    rng = random.Random(2026)
    users = User.objects.bulk_create(
        User(email=f"coach{n}@bench.example", full_name=f"Coach {n}", password=UNUSABLE)
        for n in range(coaches)
    )
    CoachProfile.objects.bulk_create(
        CoachProfile(
            coach=user,
            practice_name=f"Practice {n}",
            insurer="Insurer",
            insurance_policy_number="P",
            insurance_expires_on=today + timedelta(days=rng.randint(0, 400)),
        )
        for n, user in enumerate(users)
    )
    clients = Client.objects.bulk_create(
        Client(coach=user, name=f"Client {n}", email=f"client{n}@bench.example")
        for n, user in enumerate(users)
    )
    batch: list[Agreement] = []
    for user, client in zip(users, clients, strict=True):
        for number in range(1, per_coach + 1):
            overdue = rng.random() < 0.1
            review = today + timedelta(
                days=-rng.randint(1, 56) if overdue else rng.randint(0, 365)
            )
            batch.append(
                Agreement(
                    coach=user,
                    client=client,
                    number=number,
                    title=f"Agreement {number}",
                    status=AgreementStatus.SIGNED,
                    start_date=review - timedelta(days=365),
                    end_date=review + timedelta(days=rng.randint(30, 400)),
                    review_date=review,
                    next_review_on=review,
                    sharing={},
                    confidentiality_limits=[],
                    records={},
                )
            )
            if len(batch) == 5000:
                Agreement.objects.bulk_create(batch)
                batch = []
    Agreement.objects.bulk_create(batch)


def timed_pass(label: str) -> None:
    queries_now = 0
    per_batch: list[int] = []

    def count(
        execute: Callable[[str, Any, bool, dict[str, Any]], Any],
        sql: str,
        params: Any,
        many: bool,
        context: dict[str, Any],
    ) -> Any:
        nonlocal queries_now
        queries_now += 1
        return execute(sql, params, many, context)

    def batch_done(size: int) -> None:
        nonlocal queries_now
        per_batch.append(queries_now)
        queries_now = 0

    started = time.perf_counter()
    with connection.execute_wrapper(count):
        report = send_due_reminders(on_batch=batch_done)
    seconds = time.perf_counter() - started
    shapes = Counter(per_batch)
    print(f"{label}: {report.sent} reminders sent ({report.failed} failed) in {seconds:.1f} s")
    print(f"  batches: {report.batches}; queries per batch: {dict(sorted(shapes.items()))}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak resident memory of the process so far: {peak:.0f} MB")


def main(coaches: int, per_coach: int) -> None:
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    fill(coaches, per_coach)
    total = Agreement.objects.count()
    print(
        f"{total} agreements of {coaches} coaches created in {time.perf_counter() - started:.0f} s"
    )
    timed_pass("First pass")
    timed_pass("Second pass, same day")
    print(f"Reminders computed for {timezone.localdate()}.")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--coaches", type=int, default=2000)
    parser.add_argument("--per-coach", type=int, default=50)
    arguments = parser.parse_args()
    main(arguments.coaches, arguments.per_coach)
