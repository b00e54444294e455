"""Median wall time and peak memory of a callable, measured the same way for cjm and peers."""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Measure:
    """One measured operation."""

    name: str
    median_s: float
    peak_mib: float
    runs: int


def measure(name: str, action: Callable[[], Any], *, runs: int = 7) -> Measure:
    """Run ``action`` ``runs`` times; keep the median time and the peak traced memory."""
    action()  # warm caches and imports
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    action()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return Measure(name, statistics.median(times), peak / 2**20, runs)


def table(rows: list[Measure], floor: Measure) -> str:
    """A Markdown table with each row's ratio to the floor."""
    lines = [
        "| operation | median | × floor | peak memory |",
        "| --- | ---: | ---: | ---: |",
    ]
    for row in rows:
        ratio = row.median_s / floor.median_s if floor.median_s else float("nan")
        lines.append(
            f"| {row.name} | {row.median_s * 1000:.1f} ms | {ratio:.1f} | {row.peak_mib:.1f} MiB |"
        )
    return "\n".join(lines)
