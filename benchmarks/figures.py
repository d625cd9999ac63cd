"""What every benchmark reports: figures beside their anchor, and the table `make bench` prints.

A benchmark script measures its figure and an anchor (what the figure is compared
with) in the same run, alternating the order of the two, and calls `report()`. Run on
its own, it prints its figures; run by `benchmarks/run_all.py`, it also appends them
to the file named by BENCH_RESULTS, from which one table is printed at the end.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Figure:
    """One measured figure. `ratio` is measured / anchor (None without an anchor);
    `met` says whether the goal is met; `goal` is written for a person."""

    benchmark: str
    name: str
    goal: str
    measured: str
    anchor: str
    ratio: float | None
    met: bool


def rotated[T](items: Sequence[T], round_number: int) -> list[T]:
    """The items in turn order for one round: each round starts one further along, so
    that no target is always measured first (a warm cache) or last (a hot machine)."""
    shift = round_number % len(items)
    return [*items[shift:], *items[:shift]]


def median_ms_rotated(functions: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    """The median time of each function, in milliseconds, over rounds of rotated order."""
    timings: dict[str, list[float]] = {name: [] for name in functions}
    names = list(functions)
    for round_number in range(rounds):
        for name in rotated(names, round_number):
            started = time.perf_counter()
            functions[name]()
            timings[name].append((time.perf_counter() - started) * 1000)
    return {name: statistics.median(values) for name, values in timings.items()}


def report(figures: Sequence[Figure]) -> None:
    for figure in figures:
        status = "meets" if figure.met else "MISSES"
        ratio = f", ratio {figure.ratio:.2f}" if figure.ratio is not None else ""
        print(
            f"  {figure.name}: {figure.measured} (anchor {figure.anchor}{ratio}); "
            f"goal {figure.goal}: {status}"
        )
    results = os.environ.get("BENCH_RESULTS")
    if results:
        with Path(results).open("a", encoding="utf-8") as out:
            for figure in figures:
                out.write(json.dumps(asdict(figure)) + "\n")


def read_results(path: Path) -> Iterator[Figure]:
    if not path.exists():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            yield Figure(**json.loads(line))


def table(figures: Sequence[Figure]) -> str:
    """A Markdown table, so that the README can show it as printed."""
    header = ("Benchmark", "Figure", "Goal", "Measured", "Anchor (same run)", "Ratio", "")
    rows = [
        (
            figure.benchmark,
            figure.name,
            figure.goal,
            figure.measured,
            figure.anchor,
            f"{figure.ratio:.2f}" if figure.ratio is not None else "",
            "meets" if figure.met else "MISSES",
        )
        for figure in figures
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return "\n".join(
        [line(header), "| " + " | ".join("-" * w for w in widths) + " |", *map(line, rows)]
    )
