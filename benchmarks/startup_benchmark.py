"""How light a web process is: `manage.py check`, and a web worker's memory after start-up.

    .venv/bin/python benchmarks/startup_benchmark.py [--runs 7]

Each figure is measured beside its anchor in the same run, in alternating order:
`manage.py check` against starting the interpreter and setting Django up with no
project at all; the memory of a process that has loaded the WSGI application, its
URLs and answered one request, against the same interpreter with only Django imported.
The request is a plain WSGI call, as gunicorn makes it (Django's RequestFactory would
load unittest and Jinja2, which a web worker never imports). It also says which heavy
libraries the worker imported: WeasyPrint and pyHanko must not be among them (they are
imported when a PDF is rendered, sealed or verified); cryptography, fido2 (passkeys) and
requests (single sign-on) are named for information.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.figures import Figure, report, rotated  # noqa: E402

PYTHON = sys.executable
WORK = Path(tempfile.mkdtemp(prefix="tripartite-startup-"))
ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "coaching.settings",
    "DEBUG": "false",
    "SECRET_KEY": "benchmark-only-" + "x" * 40,
    "VAR_DIR": str(WORK),
    "DATABASE_URL": f"sqlite:///{WORK / 'startup.sqlite3'}",
    "EMAIL_DELIVERY": "console",
    "NOTES_KEY": "x" * 43 + "=",
}

CHECK = [PYTHON, str(ROOT / "manage.py"), "check"]
BARE_DJANGO = [
    PYTHON,
    "-c",
    "import django; from django.conf import settings; settings.configure(); django.setup()",
]

HEAVY = ("weasyprint", "pyhanko", "fido2", "cryptography", "requests")
# Must stay out of a web worker for the figure to be met; the others are informational.
FORBIDDEN = {"weasyprint", "pyhanko"}

WORKER = f"""
import json, sys
from pathlib import Path
from wsgiref.util import setup_testing_defaults
from coaching.wsgi import application
from django.urls import get_resolver
get_resolver().url_patterns  # what gunicorn's first request does
environ = {{"PATH_INFO": "/healthz/", "HTTP_HOST": "127.0.0.1"}}
setup_testing_defaults(environ)
answer = []
body = application(environ, lambda status, headers: answer.append(status))
b"".join(body)
body.close()
status = Path("/proc/self/status").read_text()
rss = int(next(l for l in status.splitlines() if l.startswith("VmRSS")).split()[1]) / 1024
print(json.dumps({{"rss": rss, "status": answer[0],
                  "heavy": sorted(m for m in {HEAVY!r} if m in sys.modules)}}))
"""
BARE_WORKER = """
import json
from pathlib import Path
import django, django.http, django.urls
status = Path("/proc/self/status").read_text()
rss = int(next(l for l in status.splitlines() if l.startswith("VmRSS")).split()[1]) / 1024
print(json.dumps({"rss": rss}))
"""


def seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=ENV, cwd=ROOT, check=True, capture_output=True)  # noqa: S603
    return time.perf_counter() - started


def probe(code: str) -> dict[str, object]:
    finished = subprocess.run(  # noqa: S603
        [PYTHON, "-c", code], env=ENV, cwd=ROOT, check=True, capture_output=True, text=True
    )
    result: dict[str, object] = json.loads(finished.stdout.strip().splitlines()[-1])
    return result


def main(runs: int) -> None:
    subprocess.run(  # noqa: S603
        [PYTHON, str(ROOT / "manage.py"), "migrate", "--no-input", "-v", "0"],
        env=ENV,
        cwd=ROOT,
        check=True,
    )
    timings: dict[str, list[float]] = {"check": [], "bare": []}
    memory: dict[str, list[float]] = {"worker": [], "bare": []}
    heavy: set[str] = set()
    for round_number in range(runs):
        for name in rotated(["check", "bare"], round_number):
            timings[name].append(seconds(CHECK if name == "check" else BARE_DJANGO))
        for name in rotated(["worker", "bare"], round_number):
            result = probe(WORKER if name == "worker" else BARE_WORKER)
            if name == "worker" and result["status"] != "200 OK":
                raise SystemExit(f"The web worker answered /healthz/ with {result['status']}.")
            memory[name].append(float(str(result["rss"])))
            heavy.update(str(module) for module in result.get("heavy", []))  # type: ignore[attr-defined]
    check_s, bare_s = statistics.median(timings["check"]), statistics.median(timings["bare"])
    worker_mb, bare_mb = statistics.median(memory["worker"]), statistics.median(memory["bare"])
    print(f"manage.py check: {check_s:.2f} s; bare Django set-up: {bare_s:.2f} s ({runs} runs)")
    print(f"Web worker after one request: {worker_mb:.0f} MB; Django alone: {bare_mb:.0f} MB")
    print(f"Loaded by the web worker: {', '.join(sorted(heavy)) or 'none of ' + ', '.join(HEAVY)}")
    report(
        [
            Figure(
                benchmark="startup",
                name="manage.py check",
                goal="< 1.5 s",
                measured=f"{check_s:.2f} s",
                anchor=f"{bare_s:.2f} s bare Django set-up",
                ratio=check_s / bare_s,
                met=check_s < 1.5,
            ),
            Figure(
                benchmark="startup",
                name="web worker memory after start-up",
                goal="<= 70 MB, no WeasyPrint/pyHanko",
                measured=f"{worker_mb:.0f} MB" + "".join(f" +{name}" for name in sorted(heavy)),
                anchor=f"{bare_mb:.0f} MB Django alone",
                ratio=worker_mb / bare_mb,
                met=worker_mb <= 70 and not heavy & FORBIDDEN,
            ),
        ]
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    main(parser.parse_args().runs)
