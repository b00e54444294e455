"""``python -m benchmarks``: run every benchmark and write benchmarks/RESULTS.md."""

from __future__ import annotations

import os
import platform
from pathlib import Path

from benchmarks import analytics, maps

SIZES = tuple(
    int(n) for n in os.environ.get("CJM_BENCH_SIZES", "1000000,10000000,50000000").split(",")
)
REPEATS = int(os.environ.get("CJM_BENCH_REPEATS", "3"))
SECTIONS = [maps.run, lambda: analytics.run(SIZES, repeats=REPEATS)]


def main() -> None:
    """Run the benchmarks and write the results file."""
    header = (
        "# Benchmark results\n\n"
        f"Measured by `make bench` on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}.\n\n"
    )
    body = "\n".join(section() for section in SECTIONS)
    target = Path(__file__).parent / "RESULTS.md"
    target.write_text(header + body, encoding="utf-8")
    print(header + body)


if __name__ == "__main__":
    main()
