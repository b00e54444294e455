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
# the largest log each slow query runs on (pm4py: the 15x target is at 10M events)
LIMITS = {
    f"{name}_max": int(os.environ.get(f"CJM_BENCH_{name.upper()}_MAX", default))
    for name, default in (("pm4py", "10000000"), ("sql", "10000000"), ("spark", "1000000"))
}
SECTIONS = [maps.run, lambda: analytics.run(SIZES, repeats=REPEATS, **LIMITS)]


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
