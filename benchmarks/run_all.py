"""Run every benchmark, then print one table of all their figures.

    .venv/bin/python benchmarks/run_all.py [--only web_benchmark ...]

Each script runs in its own process (as `make bench` does), prints its details as it
goes, and hands its figures over through a results file. A script that fails is
reported and the others still run; the exit status is then non-zero. A figure that
misses its goal never fails the run: timings are for reading, not for gating.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.figures import read_results, table  # noqa: E402

SCRIPTS = [
    "startup_benchmark",
    "web_benchmark",
    "pdf_benchmark",
    "reminder_benchmark",
    "records_export",
]


def main(only: list[str]) -> int:
    scripts = [name for name in SCRIPTS if not only or name in only]
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="tripartite-bench-results-") as folder:
        results = Path(folder) / "figures.jsonl"
        for name in scripts:
            print(f"\n== {name} ==", flush=True)
            finished = subprocess.run(  # noqa: S603 - our own scripts, with our interpreter
                [sys.executable, str(HERE / f"{name}.py")],
                env={**os.environ, "BENCH_RESULTS": str(results)},
                check=False,
            )
            if finished.returncode != 0:
                failed.append(name)
        figures = list(read_results(results))
    print("\n" + table(figures))
    if failed:
        print(f"\nThese benchmarks failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=[], choices=SCRIPTS)
    sys.exit(main(parser.parse_args().only))
