"""Peak memory of a client's subject access package with 10,000 audit events.

    .venv/bin/python benchmarks/records_export.py [--events 10000] [--rounds 3]

Builds the demo in a throwaway SQLite database and gives two clients a long audit trail:
Morgan Blake (the demo's engagement, every class of record) 10,000 more events, and a
second client's signed agreement 100 events in all. Each measurement runs in a process of
its own, in rotated order, after Django, WeasyPrint and the export are imported: the
peak of Python's allocations (tracemalloc) while the package is made and read to the
end, chunk by chunk, as a download is, and the growth of the process's peak resident
memory. Measured:

- the streamed export of the client with 10,000 events, beside the same export of the
  client with 100 (the goal: no more than 25 % above, whatever the trail's length);
- the same streamed export, beside the same export with those 10,000 events loaded at
  once, as the page of an audit trail loads them (the goal: below it). Both write the
  same package, index PDF included; an earlier anchor wrote the events alone, as JSON,
  and so left out the package's own cost.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path(os.environ.get("RECORDS_BENCH_DIR") or tempfile.mkdtemp(prefix="tripartite-rec-"))
os.environ.update(
    DJANGO_SETTINGS_MODULE="coaching.settings",
    DEBUG="true",  # a throwaway database on this machine
    VAR_DIR=str(WORK),
    DATABASE_URL=f"sqlite:///{WORK / 'bench.sqlite3'}",
    MEDIA_ROOT=str(WORK / "media"),
    RECORDS_BENCH_DIR=str(WORK),
)

import django  # noqa: E402

django.setup()

from benchmarks.figures import Figure, report, rotated  # noqa: E402

MB = 1024 * 1024
KINDS = ["streamed", "small", "naive"]


def fill(events: int) -> None:
    """The demo, Morgan Blake's trail made `events` longer, and a second client's agreement
    whose trail is 100 events long."""
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    from coaching.models import Client, User
    from contracts.management.commands.load_demo import DEMO_EMAIL
    from contracts.models import Agreement, AuditEvent, AuditEventKind

    call_command("migrate", "--no-input", verbosity=0)
    call_command("create_seal_certificate", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())
    coach = User.objects.get(email=DEMO_EMAIL)
    now = timezone.now()

    def lengthen(agreement: Agreement, count: int) -> None:
        start = agreement.audit_count
        AuditEvent.objects.bulk_create(
            (
                AuditEvent(
                    agreement=agreement,
                    seq=start + number,
                    kind=AuditEventKind.VIEWED,
                    at=now,
                    actor=f"Client: {agreement.client.name} <{agreement.client.email}>",
                    ip_address="203.0.113.7",
                    user_agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Safari/605.1.15",
                    data={"link_views": number},
                    hash=hashlib.sha256(f"{agreement.pk}:{number}".encode()).hexdigest(),
                )
                for number in range(1, count + 1)
            ),
            batch_size=2000,
        )
        Agreement.objects.filter(pk=agreement.pk).update(audit_count=start + count)

    morgan = Client.objects.get(coach=coach, name="Morgan Blake")
    lengthen(Agreement.objects.get(client=morgan), events)
    riley = Client.objects.get(coach=coach, name="Riley Chen")
    signed = Agreement.objects.get(client=riley)
    lengthen(signed, max(0, 100 - signed.audit_count))


def child(kind: str) -> dict[str, float]:
    """One measurement, in this process: (tracemalloc peak, growth of peak RSS) in bytes."""
    import gc
    import resource
    import tracemalloc

    import weasyprint  # noqa: F401 - imported before measuring, as a worker has it

    from coaching.models import Client, User
    from contracts.management.commands.load_demo import DEMO_EMAIL
    from contracts.records.export import Package, export_stream

    coach = User.objects.get(email=DEMO_EMAIL)
    name = "Riley Chen" if kind == "small" else "Morgan Blake"
    client = Client.objects.get(coach=coach, name=name)
    gc.collect()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    tracemalloc.start()
    written = 0
    if kind == "naive":
        # The same package, its trail loaded at once as the page of an audit trail does.
        streamed_events = Package.events

        def loaded_at_once(package: Package) -> Iterator[dict[str, object]]:
            return iter(list(streamed_events(package)))

        Package.events = loaded_at_once  # type: ignore[method-assign,assignment]
    for chunk in export_stream(client=client, coach=coach):
        written += len(chunk)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"peak": peak, "rss": max(0, rss_after - rss_before), "bytes": written}


def measure(kind: str) -> dict[str, float]:
    finished = subprocess.run(  # noqa: S603 - this script, with our interpreter
        [sys.executable, __file__, "--child", kind],
        env=os.environ,
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(finished.stdout.strip().splitlines()[-1])
    return result


def main(events: int, rounds: int) -> None:
    fill(events)
    found: dict[str, list[dict[str, float]]] = {kind: [] for kind in KINDS}
    for round_number in range(rounds):
        for kind in rotated(KINDS, round_number):
            found[kind].append(measure(kind))

    def median(kind: str, key: str) -> float:
        return statistics.median(item[key] for item in found[kind])

    streamed, small, naive = (median(kind, "peak") / MB for kind in KINDS)
    for kind in KINDS:
        print(
            f"{kind}: Python peak {median(kind, 'peak') / MB:.1f} MB, resident growth "
            f"{median(kind, 'rss') / MB:.1f} MB, {median(kind, 'bytes') / 1024:.0f} kB written "
            f"({rounds} rounds)"
        )
    report(
        [
            Figure(
                benchmark="records export",
                name=f"subject access ZIP, {events:,} audit events: peak memory",
                goal="<= 1.25 x the 100-event export",
                measured=f"{streamed:.1f} MB",
                anchor=f"{small:.1f} MB same export, 100 events",
                ratio=streamed / small,
                met=streamed <= 1.25 * small,
            ),
            Figure(
                benchmark="records export",
                name=f"subject access ZIP, {events:,} audit events, beside loading them at once",
                goal="below the load at once",
                measured=f"{streamed:.1f} MB",
                anchor=f"{naive:.1f} MB same export, {events:,} events loaded at once",
                ratio=streamed / naive,
                met=streamed < naive,
            ),
        ]
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", choices=KINDS)
    arguments = parser.parse_args()
    if arguments.child:
        print(json.dumps(child(arguments.child)))
    else:
        try:
            main(arguments.events, arguments.rounds)
        finally:
            shutil.rmtree(WORK, ignore_errors=True)
