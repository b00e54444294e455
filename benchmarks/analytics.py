"""The journey analytics engine beside its peers, on the same Parquet file.

A deterministic synthetic log (the demo generator on the subscription map) is written once
per size. Each query runs in a fresh Python process so that its peak memory (max RSS,
native engines included) is its own. Peers: a raw aggregate scan of the file (the floor),
DuckDB SQL written plainly, Polars, chDB (ClickHouse's windowFunnel) and pm4py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

DATA = Path(__file__).parent / "data"
WINDOW_DAYS = 30
SUBSCRIPTION_EVENTS_PER_CUSTOMER = 12.4


def make_log(events: int) -> Path:
    """The synthetic log of about ``events`` events (written once, then reused)."""
    path = DATA / f"subscription-{events}.parquet"
    if not path.exists():
        import cjm
        from cjm.examples.events import generate_events, write_events

        DATA.mkdir(parents=True, exist_ok=True)
        journey = cjm.load_journey(cjm.example_path("subscription"))
        customers = int(events / SUBSCRIPTION_EVENTS_PER_CUSTOMER)
        write_events(generate_events(journey, customers=customers, seed=11), path)
    return path


def scan(path: str) -> object:
    import duckdb

    return duckdb.sql(
        f"SELECT count(*), count(DISTINCT customer_id), min(timestamp), max(timestamp) "
        f"FROM read_parquet('{path}')"
    ).fetchall()


def duckdb_dfg(path: str) -> object:
    import duckdb

    return duckdb.sql(
        f"""SELECT event, next, count(*) FROM (
              SELECT event, lead(event) OVER (PARTITION BY customer_id ORDER BY timestamp) AS next
              FROM read_parquet('{path}')) WHERE next IS NOT NULL GROUP BY ALL"""
    ).fetchall()


def polars_variants(path: str) -> object:
    import polars as pl

    frame = pl.scan_parquet(path).sort(["customer_id", "timestamp"], maintain_order=True)
    paths = frame.group_by("customer_id").agg(pl.col("event"))
    return paths.group_by("event").len().collect()


def chdb_funnel(path: str) -> object:
    import chdb

    import cjm
    from cjm.analytics.touchpoints import glob_regex

    journey = cjm.load_journey(cjm.example_path("subscription"))
    conditions = []
    for stage in journey.stages:
        names = [n for tp in stage.touchpoints if tp.events for n in tp.events.names]
        patterns = [p for tp in stage.touchpoints if tp.events for p in tp.events.patterns]
        tests = [f"event IN ({', '.join(repr(n) for n in names)})"] if names else []
        tests += [f"match(event, '{glob_regex(p)}')" for p in patterns]
        conditions.append("(" + " OR ".join(tests) + ")")
    window = WINDOW_DAYS * 86400
    query = (
        f"SELECT level, count() FROM (SELECT customer_id, windowFunnel({window})("
        f"toDateTime(timestamp), {', '.join(conditions)}) AS level "
        f"FROM file('{path}', Parquet) GROUP BY customer_id) GROUP BY level"
    )
    return str(chdb.query(query, "CSV"))


def pm4py_dfg_variants(path: str) -> object:
    import pandas as pd
    import pm4py

    frame = pd.read_parquet(path)
    frame = pm4py.format_dataframe(
        frame, case_id="customer_id", activity_key="event", timestamp_key="timestamp"
    )
    return pm4py.discover_dfg(frame), pm4py.get_variants(frame)


def cjm_load(path: str) -> object:
    from cjm.evidence import read_events

    return read_events(path).rows


def _cjm_loaded(path: str) -> object:
    import ibis

    import cjm
    from cjm.analytics.touchpoints import map_touchpoints
    from cjm.evidence import read_events

    log = read_events(path)
    journey = cjm.load_journey(cjm.example_path("subscription"))
    mapping = ibis.to_sql(
        map_touchpoints(ibis.duckdb.from_connection(log.connection).table("events"), journey),
        dialect="duckdb",
    )
    log.connection.execute(f"CREATE TEMP TABLE mapped AS {mapping}")
    return ibis.duckdb.from_connection(log.connection).table("mapped"), len(journey.stages)


def cjm_dfg(path: str) -> object:
    from cjm.analytics import directly_follows

    events, _ = _cjm_loaded(path)
    start = time.perf_counter()
    directly_follows(events).to_pyarrow()
    return time.perf_counter() - start


def cjm_variants(path: str) -> object:
    from cjm.analytics import variants

    events, _ = _cjm_loaded(path)
    start = time.perf_counter()
    variants(events).to_pyarrow()
    return time.perf_counter() - start


def cjm_funnel(path: str) -> object:
    import datetime as dt

    from cjm.analytics.funnel import funnel

    events, steps = _cjm_loaded(path)
    start = time.perf_counter()
    funnel(events.filter(events.touchpoint.notnull()), steps, window=dt.timedelta(days=30))
    return time.perf_counter() - start


def cjm_analyze(path: str) -> object:
    import datetime as dt

    import cjm
    from cjm.analytics.analyze import analyze

    journey = cjm.load_journey(cjm.example_path("subscription"))
    return analyze(journey, path, window=dt.timedelta(days=WINDOW_DAYS)).inputs["rows"]


def cjm_analyze_spark(path: str) -> object:
    import datetime as dt

    import cjm
    from cjm.analytics.analyze import analyze
    from cjm.analytics.engines import SparkEngine, start_session

    session = start_session("local[*]", {"spark.driver.memory": "4g"})
    _CHILDREN.append(session.sparkContext._gateway.proc.pid)  # the JVM: its memory counts
    journey = cjm.load_journey(cjm.example_path("subscription"))
    window = dt.timedelta(days=WINDOW_DAYS)
    return analyze(journey, path, window=window, engine=SparkEngine(session)).inputs["rows"]


QUERIES = {
    "scan (floor: DuckDB aggregate over the file)": scan,
    "DFG: DuckDB SQL with LEAD": duckdb_dfg,
    "variants: Polars": polars_variants,
    "windowed funnel: chDB windowFunnel": chdb_funnel,
    "DFG + variants: pm4py": pm4py_dfg_variants,
    "cjm: read + canonicalise the log": cjm_load,
    "cjm: DFG (query only, log loaded)": cjm_dfg,
    "cjm: variants (query only)": cjm_variants,
    "cjm: windowed funnel (query only)": cjm_funnel,
    "cjm: whole analyze (everything in analysis.json)": cjm_analyze,
    "cjm: whole analyze on Spark (local[*], JVM start and memory included)": cjm_analyze_spark,
}
_CHILDREN: list[int] = []  # processes a query started (Spark's JVM), whose peak memory counts


def peak_mib() -> float:
    """The peak resident memory of this process and of those it started (VmHWM: unlike
    ru_maxrss, not inherited from the parent that forked it)."""
    return sum(_peak_mib(str(pid)) for pid in ["self", *_CHILDREN])


def _peak_mib(pid: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def isolated(name: str, path: Path) -> tuple[float, float]:
    """Seconds and peak RSS (MiB) of one query, in a fresh process."""
    code = (
        "import json, sys, time; sys.path.insert(0, sys.argv[3]);"
        "from benchmarks import analytics as a;"
        "f = a.QUERIES[sys.argv[1]]; t = time.perf_counter(); r = f(sys.argv[2]);"
        "e = time.perf_counter() - t; e = r if isinstance(r, float) else e;"
        "print(json.dumps([e, a.peak_mib()]))"
    )
    root = str(Path(__file__).resolve().parents[1])
    done = subprocess.run(
        [sys.executable, "-c", code, name, str(path), root],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    seconds, peak = json.loads(done.stdout.strip().splitlines()[-1])
    return float(seconds), float(peak)


def run(sizes: tuple[int, ...] = (1_000_000,), repeats: int = 3, pm4py_max: int = 1_000_000) -> str:
    """Measure every query at every size; return the Markdown section."""
    lines = [
        "## The analytics engine beside its peers",
        "",
        "Synthetic subscription log (demo generator, seed 11); each query in a fresh process, "
        f"median of {repeats} run(s); peak memory is the process's peak RSS (VmHWM). "
        "The 'query only' rows time the query on a log already loaded into DuckDB; "
        "the floor and peers read the "
        f"Parquet file themselves. Window {WINDOW_DAYS} days.",
        "",
        "| query | " + " | ".join(f"{n:,} events" for n in sizes) + " |",
        "| --- |" + " ---: |" * len(sizes),
    ]
    results: dict[str, list[str]] = {}
    for size in sizes:
        path = make_log(size)
        floor = None
        for name in QUERIES:
            if "pm4py" in name and size > pm4py_max:
                results.setdefault(name, []).append("not run")
                continue
            runs = sorted(isolated(name, path) for _ in range(repeats))
            seconds, peak = runs[len(runs) // 2]
            floor = floor or seconds
            results.setdefault(name, []).append(
                f"{seconds:.2f} s ({seconds / floor:.1f}× floor), {peak:,.0f} MiB"
            )
    lines += [f"| {name} | " + " | ".join(cells) + " |" for name, cells in results.items()]
    return "\n".join(lines) + "\n"
