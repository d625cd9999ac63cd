"""Time one reminder pass over 100,000 agreements of 2,000 coaches, on PostgreSQL.

    .venv/bin/python benchmarks/reminder_benchmark.py [--coaches 2000] [--per-coach 50]

Creates a throwaway database `tripartite_bench` on the PostgreSQL server of
BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432), fills it, and prints
the time, the peak memory and the queries of every part of one pass (goals: at most
60 s, at most 300 MB, the same number of queries for every batch whatever the total),
then of a second pass the same day (which finds everything already sent). Each pass
runs in a process forked for it, as a fresh scheduler would, so the peak memory (the
resident high-water mark) is the pass's own: Django loaded, plus what the pass needs.
The anchor is the time and peak memory of just reading every agreement's row once,
each in a process of its own too, measured before the passes and again after them
(neither alone on a cold cache or a warm one); the time figure is compared with the
mean of the two.

Every agreement has all its terms as the built-in template writes them, half of them
with a sponsor, and each signed one its signed version (a snapshot of every term and
party, which the coach's emails quote), so rows are as large as real ones. They are
written with COPY, and the tables analysed after, as autovacuum would soon do on a
running server. Review dates are spread over the coming year, with one agreement in
ten overdue by up to eight weeks; end dates fall after the review. A pass counts every
part the scheduler runs: reminders to signers who have not signed (500 waiting, each
email sent at once by the immediate task backend), the coaches' reminders in batches
of agreements, insurance, and the re-take of 200 reminders that failed the day before.
Emails are rendered in full, then discarded by Django's dummy mail backend.
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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
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
from django.db.models import Field, Model, prefetch_related_objects  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks.figures import Figure, report  # noqa: E402
from coaching.models import (  # noqa: E402
    Client,
    CoachProfile,
    Organisation,
    SponsorContact,
    User,
)
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
from contracts.snapshot import Snapshot, agreement_snapshot, snapshot_hash  # noqa: E402

UNUSABLE = make_password(None)
FORK = multiprocessing.get_context("fork")


def prepared(column: Field[Any, Any], item: Model) -> Any:
    """The value as bulk_create would send it to the database."""
    return column.get_db_prep_save(column.pre_save(item, True), connection)


def copy_into(model: type[Model], objects: Iterable[Model]) -> None:
    """Insert the objects as bulk_create would, through COPY: about three times faster
    for rows this large. Primary keys are not set on the objects."""
    columns = [column for column in model._meta.concrete_fields if not column.primary_key]
    quote = connection.ops.quote_name
    names = ", ".join(quote(column.column) for column in columns if column.column)
    statement = f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for item in objects:
            copy.write_row([prepared(column, item) for column in columns])


def fill(coaches: int, per_coach: int, waiting_signers: int, failed: int) -> None:
    """Agreements with every term filled as the built-in template fills them, half of
    them sponsored, each signed one with its signed version (a snapshot of every term),
    so rows are as large as real ones; a few out for signature with a reminder due, and
    a few coach reminders that failed in an earlier pass, to be taken again."""
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
    prefetch_related_objects(users, "memberships")
    sponsored = users[::2]
    organisations = dict(
        zip(
            sponsored,
            Organisation.objects.bulk_create(
                Organisation(coach=user, name=f"Sponsor {n} Ltd", address="1 High Street")
                for n, user in enumerate(sponsored)
            ),
            strict=True,
        )
    )
    signatories = dict(
        zip(
            sponsored,
            SponsorContact.objects.bulk_create(
                SponsorContact(
                    coach=user,
                    organisation=organisation,
                    name=f"Signatory {n}",
                    email=f"signatory{n}@sponsor.example",
                )
                for n, (user, organisation) in enumerate(organisations.items())
            ),
            strict=True,
        )
    )
    clients = Client.objects.bulk_create(
        Client(
            coach=user,
            name=f"Client {n}",
            email=f"client{n}@bench.example",
            organisation=organisations.get(user),
        )
        for n, user in enumerate(users)
    )
    goals = [{"goal": "Lead the new team with confidence", "measure": "360 feedback"}] * 3
    agreements: list[Agreement] = []
    for user, profile, client in zip(users, profiles, clients, strict=True):
        terms = builtin_terms(profile=profile, two_party=user not in organisations)
        for number in range(1, per_coach + 1):
            overdue = rng.random() < 0.1
            review = today + timedelta(
                days=-rng.randint(1, 56) if overdue else rng.randint(0, 365)
            )
            agreements.append(
                Agreement(
                    **{**terms, "goals": goals, "fee_basis": "per_session"},
                    coach=user,
                    client=client,
                    organisation=organisations.get(user),
                    sponsor_signatory=signatories.get(user),
                    number=number,
                    title=f"Leadership coaching for Client {number}",
                    # Out for signature, invited long enough ago that a reminder is due.
                    status=AgreementStatus.SENT
                    if len(agreements) < waiting_signers
                    else AgreementStatus.SIGNED,
                    start_date=review - timedelta(days=365),
                    end_date=review + timedelta(days=rng.randint(30, 400)),
                    review_date=review,
                    next_review_on=review,
                )
            )
    copy_into(Agreement, agreements)
    keys = {(a.coach_id, a.number): a for a in agreements}
    for coach_id, number, pk in Agreement.objects.values_list("coach_id", "number", "pk"):
        keys[coach_id, number].pk = pk

    # The parties and terms are the same in every agreement of a coach. Read before the
    # COPY below, which holds the connection.
    snapshots = {
        agreement.coach_id: agreement_snapshot(agreement)
        for agreement in agreements
        if agreement.number == 1
    }

    def versions() -> Iterator[AgreementVersion]:
        """Version 1 of every agreement: signed by everyone, or waiting for the client."""
        signed_at = now - timedelta(days=30)
        for agreement in agreements:
            snapshot: Snapshot = {
                **snapshots[agreement.coach_id],
                "reference": agreement.reference,
                "title": agreement.title,
                "dates": {
                    "start": str(agreement.start_date),
                    "end": str(agreement.end_date),
                    "review": str(agreement.review_date),
                },
            }
            waiting = agreement.status == AgreementStatus.SENT
            yield AgreementVersion(
                agreement=agreement,
                number=1,
                snapshot=snapshot,
                sha256=snapshot_hash(snapshot),
                signing_order="parallel",
                require_email_code=False,
                frozen_at=signed_at,
                completed_at=None if waiting else signed_at,
            )

    copy_into(AgreementVersion, versions())
    waiting = agreements[:waiting_signers]
    invited = now - timedelta(days=settings.SIGNING_REMINDER_DAYS + 1)
    version_ids = dict(
        AgreementVersion.objects.filter(agreement__status=AgreementStatus.SENT).values_list(
            "agreement_id", "pk"
        )
    )
    Signer.objects.bulk_create(
        Signer(
            version_id=version_ids[agreement.pk],
            role=SignerRole.CLIENT,
            position=1,
            status=SignerStatus.INVITED,
            name=agreement.client.name,
            email=agreement.client.email,
            client=agreement.client,
            invited_at=invited,
        )
        for agreement in waiting
    )

    # Coach reminders of an earlier day whose email failed: the re-take pass sends them.
    earlier = today - timedelta(days=1)
    Reminder.objects.bulk_create(
        Reminder(
            key=f"bench-failed-{agreement.pk}",
            coach_id=agreement.coach_id,
            agreement=agreement,
            kind=ReminderKind.REVIEW_DUE,
            cycle=str(earlier),
            due_on=earlier,
            status=ReminderStatus.FAILED,
            claimed_by="earlier-pass",
            claimed_at=now - timedelta(hours=1),
            error="Connection refused",
        )
        for agreement in agreements[len(agreements) - failed :]
    )
    # What autovacuum does on a running server soon after a load (the planner needs it).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def in_own_process[T](measure: Callable[[], T]) -> T:
    """Run one measurement in a process forked for it, so that the peak memory it
    reports is its own: a fresh scheduler with Django loaded, plus what the part needs."""
    connection.close()
    receiving, sending = FORK.Pipe(duplex=False)

    def run() -> None:
        try:
            sending.send(measure())
        finally:
            sending.close()

    child = FORK.Process(target=run)
    child.start()
    sending.close()
    try:
        result: T = receiving.recv()
    except EOFError:
        raise SystemExit("A measurement failed (see above).") from None
    child.join()
    return result


@dataclass
class Part:
    """One kind of batch of the coaches' reminders: their time and queries."""

    seconds: float = 0.0
    sizes: list[int] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)

    def shapes(self) -> str:
        """The queries per batch, and how many batches took that many."""
        counts = Counter(self.queries)
        return ", ".join(f"{queries} x {n}" for queries, n in sorted(counts.items())) or "none"


@dataclass
class PassFigures:
    seconds: float
    peak_mb: float
    signer_seconds: float
    signer_queries: int
    signer_reminders: int
    parts: dict[str, Part]
    sent: int
    failed: int
    rest_seconds: float
    rest_queries: int


KINDS = ("agreements", "insurance", "retaken")


def timed_pass() -> PassFigures:
    """One scheduler pass of reminders: signers, then coaches (reviews, endings, the
    last session) in batches of agreements, insurance, and the re-take of earlier
    failures in batches."""
    queries_now = 0
    parts = {kind: Part() for kind in KINDS}
    last_batch_at = 0.0

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

    def batch_done(kind: str, size: int) -> None:
        nonlocal queries_now, last_batch_at
        now = time.perf_counter()
        part = parts[kind]
        part.seconds += now - last_batch_at
        part.sizes.append(size)
        part.queries.append(queries_now)
        queries_now = 0
        last_batch_at = now

    started = time.perf_counter()
    with connection.execute_wrapper(count):
        signers = send_signing_reminders()
        signed_at = last_batch_at = time.perf_counter()
        signer_queries, queries_now = queries_now, 0
        report = send_due_reminders(on_batch=batch_done)
        rest_queries = queries_now  # the look for another batch that finds none
    ended = time.perf_counter()
    return PassFigures(
        seconds=ended - started,
        peak_mb=peak_mb(),
        signer_seconds=signed_at - started,
        signer_queries=signer_queries,
        signer_reminders=signers,
        parts=parts,
        sent=report.sent,
        failed=report.failed,
        rest_seconds=ended - last_batch_at,
        rest_queries=rest_queries,
    )


def show(label: str, figures: PassFigures) -> None:
    print(f"{label}: {figures.seconds:.1f} s, peak {figures.peak_mb:.0f} MB")
    print(
        f"  signers: {figures.signer_reminders} reminders queued and sent in "
        f"{figures.signer_seconds:.1f} s, {figures.signer_queries} queries"
    )
    print(f"  coaches: {figures.sent} reminders sent ({figures.failed} failed)")
    for kind, part in figures.parts.items():
        print(
            f"    {kind}: {len(part.sizes)} batches ({sum(part.sizes)} in all) in "
            f"{part.seconds:.1f} s; queries per batch: {part.shapes()}"
        )
    print(
        f"    after the last batch: {figures.rest_seconds:.1f} s, {figures.rest_queries} queries"
    )


def read_everything() -> tuple[float, float]:
    """The anchor: the time to read every agreement's row once, as the pass must, and
    the peak memory of doing so in chunks of 2,000."""
    started = time.perf_counter()
    for _ in Agreement.objects.order_by("pk").iterator(chunk_size=2000):
        pass
    return time.perf_counter() - started, peak_mb()


def main(coaches: int, per_coach: int, waiting_signers: int, failed: int) -> None:
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    in_own_process(lambda: fill(coaches, per_coach, waiting_signers, failed))
    total = Agreement.objects.count()
    print(
        f"{total} agreements of {coaches} coaches created in {time.perf_counter() - started:.0f} s"
    )
    # The anchor before and after the passes: neither is alone on a cold or a warm cache.
    anchor_before, anchor_mb = in_own_process(read_everything)
    first = in_own_process(timed_pass)
    second = in_own_process(timed_pass)
    anchor_after, _ = in_own_process(read_everything)
    anchor = (anchor_before + anchor_after) / 2
    show("First pass", first)
    show("Second pass, same day", second)
    print(
        f"Reading every agreement's row once took {anchor_before:.1f} s before the passes "
        f"and {anchor_after:.1f} s after, peak {anchor_mb:.0f} MB (the anchor)."
    )
    print(f"Reminders computed for {timezone.localdate()}.")
    report(
        [
            Figure(
                benchmark="reminders",
                name=f"one pass, {total:,} agreements: time",
                goal="<= 60 s",
                measured=f"{first.seconds:.1f} s",
                anchor=f"{anchor:.1f} s reading every row",
                ratio=first.seconds / anchor,
                met=first.seconds <= 60,
            ),
            Figure(
                benchmark="reminders",
                name=f"one pass, {total:,} agreements: peak memory",
                goal="<= 300 MB",
                measured=f"{first.peak_mb:.0f} MB",
                anchor=f"{anchor_mb:.0f} MB reading every row",
                ratio=first.peak_mb / anchor_mb,
                met=first.peak_mb <= 300,
            ),
            Figure(
                benchmark="reminders",
                name=f"queries per batch of {BATCH_SIZE} agreements",
                goal="the same for every batch",
                measured=(
                    f"{first.parts['agreements'].shapes()} first pass; "
                    f"{second.parts['agreements'].shapes()} second"
                ),
                anchor=(
                    f"per batch re-taken {first.parts['retaken'].shapes()}, insurance "
                    f"{first.parts['insurance'].shapes()}; "
                    f"{first.signer_queries / max(first.signer_reminders, 1):.0f} "
                    "per signing reminder"
                ),
                ratio=None,
                met=all(
                    len(set(figures.parts[kind].queries)) <= 1
                    for figures in (first, second)
                    for kind in KINDS
                ),
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
