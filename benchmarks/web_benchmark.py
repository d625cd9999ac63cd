"""Requests per second of the pages people wait on, beside `/healthz/`, through gunicorn.

    .venv/bin/python benchmarks/web_benchmark.py [--rounds 5] [--seconds 3] [--agreements 1000]

Creates a throwaway PostgreSQL database `tripartite_webbench` (on BENCH_DATABASE_URL,
by default the local server), loads the demo, gives its coach 1,000 agreements cloned
from the demo's own (rows as large as real ones) and two agreements with 50 and 2,000
audit events, collects the static files, and starts gunicorn with two workers and
production settings (DEBUG off). Then, in rounds whose order rotates, it keeps each
page busy for a few seconds from as many keep-alive connections as there are workers,
and prints the median requests per second of each beside `/healthz/`, measured in the
same rounds:

- a party's signing page, `GET /sign/<token>/` (goal: at least 0.5 of `/healthz/`);
- the coach's agreement list at 1,000 agreements (goal: at least 0.25);
- an agreement's page at 50 and at 2,000 audit events (goal: the second at most 1.5
  times slower than the first).

It also prints each gunicorn worker's resident memory right after start-up.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SERVER = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432")
NAME = "tripartite_webbench"
WORK = Path(tempfile.mkdtemp(prefix="tripartite-web-"))
WORKERS = 2


def fresh_database() -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {NAME}")


SETTINGS = {
    "DJANGO_SETTINGS_MODULE": "coaching.settings",
    "DEBUG": "false",
    "SECRET_KEY": "benchmark-only-" + "k" * 40,
    "NOTES_KEY": "n" * 43 + "=",
    "EMAIL_DELIVERY": "console",
    "TASKS_BACKEND": "immediate",
    "ALLOWED_HOSTS": "127.0.0.1",
    "DATABASE_URL": f"{SERVER}/{NAME}",
    "DATABASE_CONN_MAX_AGE": "60",
    "VAR_DIR": str(WORK / "var"),
    "STATIC_ROOT": str(WORK / "static"),
    "LOG_LEVEL": "WARNING",
    # As in production: TLS ends at the proxy in front, which says so in a header.
    "BEHIND_TLS_PROXY": "true",
}

fresh_database()
os.environ.update(SETTINGS)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from benchmarks.figures import Figure, report, rotated  # noqa: E402
from coaching.models import User  # noqa: E402
from contracts.audit import record_event, verify_trail  # noqa: E402
from contracts.links import issue_link  # noqa: E402
from contracts.management.commands.load_demo import DEMO_EMAIL  # noqa: E402
from contracts.models import (  # noqa: E402
    Agreement,
    AgreementVersion,
    AuditEvent,
    AuditEventKind,
    LinkPurpose,
    Signer,
    SignerRole,
    SignerStatus,
)


def fill(agreements: int) -> tuple[str, str, int, int]:
    """The demo, its coach's list grown to `agreements`; returns the coach's session
    cookie, a party's signing token and the ids of the 50- and 2,000-event agreements."""
    setup_test_environment()  # the demo's emails go to memory
    call_command("migrate", verbosity=0)
    call_command("create_seal_certificate", verbosity=0)
    call_command("load_demo", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    coach = User.objects.get(email=DEMO_EMAIL)
    model = max(Agreement.objects.filter(coach=coach), key=lambda a: len(str(a.sharing)))
    taken = set(Agreement.objects.filter(coach=coach).values_list("number", flat=True))
    clones: list[Agreement] = []
    number = 0
    while len(clones) + len(taken) < agreements:
        number += 1
        if number in taken:
            continue
        clone = Agreement.objects.get(pk=model.pk)
        clone.pk = None
        clone.number = number
        clone.title = f"{model.title} ({number})"
        # A trail of its own, from the start: a copied head would make every event added
        # below fail the check, and each view of the page re-check the whole trail.
        clone.audit_head, clone.audit_count = "", 0
        clones.append(clone)
    Agreement.objects.bulk_create(clones, batch_size=500)

    small, large = clones[0], clones[1]
    for agreement, events in ((small, 50), (large, 2000)):
        for step in range(events):
            record_event(agreement, AuditEventKind.VIEWED, actor="benchmark", data={"step": step})
    assert AuditEvent.objects.filter(agreement=large).count() == 2000
    for agreement in (small, large):
        report = verify_trail(Agreement.objects.get(pk=agreement.pk))
        assert report.intact, report.problems
    # What autovacuum does in production after a load like this one (it is off on some test
    # servers): without statistics the planner guesses a handful of rows per coach and
    # scans every agreement instead of the (coach, updated_at) index.
    with psycopg.connect(f"{SERVER}/{NAME}", autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")

    signer = (
        Signer.objects.filter(
            version__agreement__coach=coach,
            role__in=[SignerRole.CLIENT, SignerRole.SPONSOR],
            status=SignerStatus.INVITED,
        )
        .order_by("pk")
        .first()
    )
    assert signer is not None, "the demo has an agreement waiting for a party's signature"
    # Measured as a signer who has passed the emailed code, or was never asked for one.
    AgreementVersion.objects.filter(pk=signer.version_id).update(require_email_code=False)
    token, _ = issue_link(signer, LinkPurpose.SIGN)

    session = SessionStore()
    session[SESSION_KEY] = str(coach.pk)
    # Signed in as a sign-in page would: through the first backend, which loads the coach
    # with their profile.
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = coach.get_session_auth_hash()
    session.create()
    assert session.session_key is not None
    return session.session_key, token, small.pk, large.pk


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_gunicorn(port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(  # noqa: S603 - the project's own gunicorn
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "coaching.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, **SETTINGS},
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz/")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not answer /healthz/ within 30 seconds")


def worker_memory_mb(server: subprocess.Popen[bytes]) -> list[float]:
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        line = next(line for line in status.splitlines() if line.startswith("VmRSS"))
        sizes.append(int(line.split()[1]) / 1024)
    return sizes


def _hammer(port: int, path: str, cookie: str, seconds: float, results: object) -> None:
    """One keep-alive connection asking for `path` as fast as it is answered."""
    headers = {"X-Forwarded-Proto": "https", **({"Cookie": cookie} if cookie else {})}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    done = failed = last = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status == 200:
            done += 1
        else:
            failed += 1
            last = response.status
        if response.will_close:
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    results.put((done, failed, last))  # type: ignore[attr-defined]


def requests_per_second(port: int, path: str, cookie: str, seconds: float) -> float:
    results: multiprocessing.Queue[tuple[int, int, int]] = multiprocessing.Queue()
    clients = [
        multiprocessing.Process(target=_hammer, args=(port, path, cookie, seconds, results))
        for _ in range(WORKERS)
    ]
    for client in clients:
        client.start()
    counts = [results.get(timeout=seconds + 60) for _ in clients]
    for client in clients:
        client.join()
    failed = sum(f for _, f, _ in counts)
    if failed:
        statuses = sorted({status for _, _, status in counts if status})
        raise SystemExit(f"/{path.split('/')[1]}/: {failed} requests answered {statuses}")
    return sum(d for d, _, _ in counts) / seconds


def main(rounds: int, seconds: float, agreements: int) -> None:
    session_key, token, small, large = fill(agreements)
    cookie = f"{settings.SESSION_COOKIE_NAME}={session_key}"
    targets = {
        "healthz": ("/healthz/", ""),
        # Not a figure: what being signed in costs (the session and the coach, read from
        # the database on every request), for reading the list's ratio.
        "healthz, signed in": ("/healthz/", cookie),
        "signing page": (f"/sign/{token}/", ""),
        "agreement list": ("/agreements/", cookie),
        "detail, 50 events": (f"/agreements/{small}/", cookie),
        "detail, 2,000 events": (f"/agreements/{large}/", cookie),
    }
    port = free_port()
    server = start_gunicorn(port)
    try:
        memory = worker_memory_mb(server)
        for path, sent_cookie in targets.values():  # warm every worker's caches once
            requests_per_second(port, path, sent_cookie, 0.5)
        measured: dict[str, list[float]] = {name: [] for name in targets}
        for round_number in range(rounds):
            for name in rotated(list(targets), round_number):
                path, sent_cookie = targets[name]
                measured[name].append(requests_per_second(port, path, sent_cookie, seconds))
    finally:
        server.terminate()
        server.wait(timeout=30)
    rate = {name: statistics.median(values) for name, values in measured.items()}
    print(
        f"{agreements} agreements; {WORKERS} gunicorn workers on PostgreSQL; "
        f"{rounds} rotated rounds of {seconds:g} s per page"
    )
    for name, value in rate.items():
        print(f"  {name}: {value:.0f} requests/s")
    print("  worker memory after start-up: " + ", ".join(f"{mb:.0f} MB" for mb in memory))
    health = rate["healthz"]
    anchor = f"{health:.0f}/s healthz"
    sign_ratio = rate["signing page"] / health
    list_ratio = rate["agreement list"] / health
    detail_ratio = rate["detail, 50 events"] / rate["detail, 2,000 events"]
    report(
        [
            Figure(
                benchmark="web",
                name="GET /sign/<token>/",
                goal=">= 0.5 of healthz",
                measured=f"{rate['signing page']:.0f}/s",
                anchor=anchor,
                ratio=sign_ratio,
                met=sign_ratio >= 0.5,
            ),
            Figure(
                benchmark="web",
                name=f"agreement list, {agreements} agreements",
                goal=">= 0.25 of healthz",
                measured=f"{rate['agreement list']:.0f}/s",
                anchor=anchor,
                ratio=list_ratio,
                met=list_ratio >= 0.25,
            ),
            Figure(
                benchmark="web",
                name="agreement page, 2,000 vs 50 events",
                goal="slowdown <= 1.5",
                measured=f"{rate['detail, 2,000 events']:.0f}/s",
                anchor=f"{rate['detail, 50 events']:.0f}/s at 50 events",
                ratio=detail_ratio,
                met=detail_ratio <= 1.5,
            ),
        ]
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--agreements", type=int, default=1000)
    arguments = parser.parse_args()
    main(arguments.rounds, arguments.seconds, arguments.agreements)
