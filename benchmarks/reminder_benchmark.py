"""Time one reminder pass over 100,000 agreements of 2,000 coaches, on PostgreSQL.

    .venv/bin/python benchmarks/reminder_benchmark.py [--coaches 2000] [--per-coach 50]

Creates a throwaway database `tripartite_bench` on the PostgreSQL server of
BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432), fills it, and prints
the time, the peak memory (resident, of the whole process: an upper bound for the
pass) and the queries of every part of one pass (targets: under 60 s, under 300 MB,
the same number of queries per batch whatever the total), then of a second pass the
same day (which finds everything already sent). The anchor, measured in the same run,
is the time it takes just to read every agreement's row once.

Every agreement has all its terms as the built-in template writes them, so rows are
as large as real ones. Review dates are spread over the coming year, with one
agreement in ten overdue by up to eight weeks; end dates fall after the review. A pass
counts every part the scheduler runs: reminders to signers who have not signed (500
waiting), the coaches' reminders in batches, insurance, and the re-take of 200
reminders that failed the day before. Emails are rendered in full, then discarded by
Django's dummy mail backend.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
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

from benchmarks.figures import Figure, report  # noqa: E402
from coaching.models import Client, CoachProfile, User  # noqa: E402
from contracts.drafting.default_terms import builtin_terms  # noqa: E402
from contracts.models import (  # noqa: E402
    Agreement,
    AgreementStatus,
    AgreementVersion,
    Reminder,
    ReminderKind,
    ReminderStatus,
    Signer,
    SignerRole,
    SignerStatus,
)
from contracts.reviews.reminders import BATCH_SIZE, send_due_reminders  # noqa: E402
from contracts.signing.reminders import send_signing_reminders  # noqa: E402
from contracts.snapshot import agreement_snapshot, snapshot_hash  # noqa: E402

UNUSABLE = make_password(None)


def fill(coaches: int, per_coach: int, waiting_signers: int, failed: int) -> None:
    """Agreements with every term filled as the built-in template fills them (rows as
    large as real ones), a few out for signature with a reminder due, and a few coach
    reminders that failed in an earlier pass, to be taken again."""
    today = timezone.localdate()
    now = timezone.now()
    rng = random.Random(2026)
    users = User.objects.bulk_create(
        User(email=f"coach{n}@bench.example", full_name=f"Coach {n}", password=UNUSABLE)
        for n in range(coaches)
    )
    profiles = CoachProfile.objects.bulk_create(
        CoachProfile(
            coach=user,
            practice_name=f"Practice {n}",
            insurer="Insurer",
            insurance_policy_number="P",
            insurance_expires_on=today + timedelta(days=rng.randint(0, 400)),
        )
        for n, user in enumerate(users)
    )
    terms = builtin_terms(profile=profiles[0])
    goals = [{"goal": "Lead the new team with confidence", "measure": "360 feedback"}] * 3
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
                    **{**terms, "goals": goals, "fee_basis": "per_session"},
                    coach=user,
                    client=client,
                    number=number,
                    title=f"Leadership coaching for Client {number}",
                    status=AgreementStatus.SIGNED,
                    start_date=review - timedelta(days=365),
                    end_date=review + timedelta(days=rng.randint(30, 400)),
                    review_date=review,
                    next_review_on=review,
                )
            )
            if len(batch) == 5000:
                Agreement.objects.bulk_create(batch)
                batch = []
    Agreement.objects.bulk_create(batch)

    # Out for signature, invited long enough ago that a reminder is due.
    waiting = list(
        Agreement.objects.order_by("pk")[:waiting_signers].select_related("client", "coach")
    )
    Agreement.objects.filter(pk__in=[a.pk for a in waiting]).update(status=AgreementStatus.SENT)
    versions = AgreementVersion.objects.bulk_create(
        AgreementVersion(
            agreement=agreement,
            number=1,
            snapshot=(snapshot := agreement_snapshot(agreement)),
            sha256=snapshot_hash(snapshot),
            signing_order="parallel",
            require_email_code=False,
        )
        for agreement in waiting
    )
    invited = now - timedelta(days=settings.SIGNING_REMINDER_DAYS + 1)
    Signer.objects.bulk_create(
        Signer(
            version=version,
            role=SignerRole.CLIENT,
            position=1,
            status=SignerStatus.INVITED,
            name=agreement.client.name,
            email=agreement.client.email,
            client=agreement.client,
            invited_at=invited,
        )
        for agreement, version in zip(waiting, versions, strict=True)
    )

    # Coach reminders of an earlier day whose email failed: the re-take pass sends them.
    earlier = today - timedelta(days=1)
    failing = Agreement.objects.order_by("-pk")[:failed].select_related("coach")
    Reminder.objects.bulk_create(
        Reminder(
            key=f"bench-failed-{agreement.pk}",
            coach=agreement.coach,
            agreement=agreement,
            kind=ReminderKind.REVIEW_DUE,
            cycle=str(earlier),
            due_on=earlier,
            status=ReminderStatus.FAILED,
            claimed_by="earlier-pass",
            claimed_at=now - timedelta(hours=1),
            error="Connection refused",
        )
        for agreement in failing
    )


@dataclass
class PassFigures:
    seconds: float
    peak_mb: float
    shapes: Counter[int]
    signer_queries: int
    signer_reminders: int
    tail_queries: int


def timed_pass(label: str) -> PassFigures:
    """One scheduler pass of reminders: signers, then coaches (reviews, endings, the
    last session) in batches, insurance and the re-take of earlier failures."""
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
        signers = send_signing_reminders()
        signer_queries, queries_now = queries_now, 0
        report = send_due_reminders(on_batch=batch_done)
        tail_queries = queries_now  # insurance and the re-take, after the last batch
    seconds = time.perf_counter() - started
    shapes = Counter(per_batch)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{label}: {signers} signing reminders queued ({signer_queries} queries), "
        f"{report.sent} coach reminders sent ({report.failed} failed) in {seconds:.1f} s"
    )
    print(f"  batches: {report.batches}; queries per batch: {dict(sorted(shapes.items()))}")
    print(f"  insurance and re-take after the batches: {tail_queries} queries")
    print(f"  peak resident memory of the process so far: {peak:.0f} MB")
    return PassFigures(seconds, peak, shapes, signer_queries, signers, tail_queries)


def read_everything() -> float:
    """The anchor: the time to read every agreement's row once, as the pass must."""
    started = time.perf_counter()
    for _ in Agreement.objects.order_by("pk").iterator(chunk_size=2000):
        pass
    return time.perf_counter() - started


def main(coaches: int, per_coach: int, waiting_signers: int, failed: int) -> None:
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    # Filled by a child process, so that this one's peak memory is the pass's own.
    connection.close()
    filler = multiprocessing.get_context("fork").Process(
        target=fill, args=(coaches, per_coach, waiting_signers, failed)
    )
    filler.start()
    filler.join()
    if filler.exitcode != 0:
        raise SystemExit("Filling the database failed.")
    total = Agreement.objects.count()
    print(
        f"{total} agreements of {coaches} coaches created in {time.perf_counter() - started:.0f} s"
    )
    anchor = read_everything()
    first = timed_pass("First pass")
    second = timed_pass("Second pass, same day")
    print(f"Reading every agreement's row once took {anchor:.1f} s (the anchor).")
    print(f"Reminders computed for {timezone.localdate()}.")
    report(
        [
            Figure(
                benchmark="reminders",
                name=f"one pass, {total:,} agreements",
                goal="<= 60 s, <= 300 MB",
                measured=f"{first.seconds:.1f} s, {first.peak_mb:.0f} MB",
                anchor=f"{anchor:.1f} s reading every row",
                ratio=first.seconds / anchor,
                met=first.seconds <= 60 and first.peak_mb <= 300,
            ),
            Figure(
                benchmark="reminders",
                name=f"queries per batch of {BATCH_SIZE} agreements",
                goal="the same for every batch",
                measured=(
                    f"{'/'.join(map(str, sorted(first.shapes)))} first pass, "
                    f"{'/'.join(map(str, sorted(second.shapes)))} second"
                ),
                anchor=(
                    f"{first.tail_queries} for insurance and re-take; "
                    f"{first.signer_queries / max(first.signer_reminders, 1):.0f} "
                    "per signing reminder"
                ),
                ratio=None,
                met=len(first.shapes) == 1 and len(second.shapes) == 1,
            ),
        ]
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--coaches", type=int, default=2000)
    parser.add_argument("--per-coach", type=int, default=50)
    parser.add_argument("--waiting-signers", type=int, default=500)
    parser.add_argument("--failed", type=int, default=200)
    arguments = parser.parse_args()
    main(arguments.coaches, arguments.per_coach, arguments.waiting_signers, arguments.failed)
