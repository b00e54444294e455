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
import tempfile
import time
from pathlib import Path

DATA = Path(__file__).parent / "data"
WINDOW_DAYS = 30
SUBSCRIPTION_EVENTS_PER_CUSTOMER = 12.4


REPLICATE_ABOVE = 10_000_000


def make_log(events: int) -> Path:
    """The synthetic log of about ``events`` events (written once, then reused). Above ten
    million, copies of the ten-million log with renamed customers (the generator holds a
    log in memory)."""
    path = DATA / f"subscription-{events}.parquet"
    if events > REPLICATE_ABOVE and not path.exists():
        import duckdb

        base = str(make_log(REPLICATE_ABOVE))
        copies = round(events / REPLICATE_ABOVE)
        duckdb.execute(
            f"COPY (SELECT * REPLACE (customer_id || '-' || copy AS customer_id) "
            f"FROM read_parquet('{base}'), range({copies}) AS copies(copy)) "
            f"TO '{path}' (FORMAT parquet)"
        )
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


# The funnel's steps as windowFunnel conditions, written by the parent before the peers run:
# the peer's time is then ClickHouse's own (importing cjm and reading the map would add a
# second to it).
FUNNEL_CONDITIONS = DATA / "subscription-funnel-conditions.sql"


def funnel_conditions() -> str:
    """One condition per stage of the subscription map: its touchpoints' event rules."""
    import cjm
    from cjm.analytics.rules import glob_regex

    journey = cjm.load_journey(cjm.example_path("subscription"))
    conditions = []
    for stage in journey.stages:
        names = [n for tp in stage.touchpoints if tp.events for n in tp.events.names]
        patterns = [p for tp in stage.touchpoints if tp.events for p in tp.events.patterns]
        tests = [f"event IN ({', '.join(repr(n) for n in names)})"] if names else []
        tests += [f"match(event, '{glob_regex(p)}')" for p in patterns]
        conditions.append("(" + " OR ".join(tests) + ")")
    return ", ".join(conditions)


def chdb_funnel(path: str) -> object:
    import chdb

    window = WINDOW_DAYS * 86400
    query = (
        f"SELECT level, count() FROM (SELECT customer_id, windowFunnel({window})("
        f"toDateTime(timestamp), {FUNNEL_CONDITIONS.read_text(encoding='utf-8')}) AS level "
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


def _sequences(path: str) -> object:
    import cjm
    from cjm.analytics.sequences import load_sequences
    from cjm.evidence import read_events

    log = read_events(path)
    journey = cjm.load_journey(cjm.example_path("subscription"))
    seq = load_sequences(log.connection, journey, log.table, customers=log.customers, ids=log.ids)
    return seq, len(journey.stages)


def cjm_sort(path: str) -> object:
    import cjm
    from cjm.analytics.sequences import load_sequences
    from cjm.evidence import read_events

    log = read_events(path)
    journey = cjm.load_journey(cjm.example_path("subscription"))
    start = time.perf_counter()
    load_sequences(log.connection, journey, log.table, customers=log.customers, ids=log.ids)
    return time.perf_counter() - start


def cjm_dfg(path: str) -> object:
    from cjm.analytics import single_pass

    seq, _ = _sequences(path)
    start = time.perf_counter()
    single_pass.directly_follows(seq, "event")
    return time.perf_counter() - start


def cjm_variants(path: str) -> object:
    from cjm.analytics import single_pass

    seq, _ = _sequences(path)
    start = time.perf_counter()
    single_pass.variants(seq, "event", 20)
    return time.perf_counter() - start


def cjm_funnel(path: str) -> object:
    from cjm.analytics import single_pass

    seq, steps = _sequences(path)
    start = time.perf_counter()
    single_pass.funnel(seq, steps, window_ms=WINDOW_DAYS * 86_400_000, ordered=True)
    return time.perf_counter() - start


def cjm_analyze(path: str, single_pass: bool = True) -> object:
    import datetime as dt

    import cjm
    from cjm.analytics.analyze import analyze

    journey = cjm.load_journey(cjm.example_path("subscription"))
    window = dt.timedelta(days=WINDOW_DAYS)
    return analyze(journey, path, window=window, single_pass=single_pass).inputs["rows"]


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


def cjm_analyze_sql(path: str) -> object:
    return cjm_analyze(path, single_pass=False)


def cjm_analyze_cold(path: str) -> object:
    """The whole analyze with an empty cjm cache: a map analysed for the first time (its YAML
    parsed, its rules compiled by Ibis). Numba's cache stays warm (it is filled on install)."""
    with tempfile.TemporaryDirectory() as folder:
        os.environ["CJM_CACHE_DIR"] = folder
        return cjm_analyze(path)


SCAN = "scan (floor: DuckDB aggregate over the file)"
PEERS = {
    "DFG": "DFG: DuckDB SQL with LEAD",
    "variants": "variants: Polars",
    "funnel": "windowed funnel: chDB windowFunnel",
}
PM4PY = "DFG + variants: pm4py"
WHOLE = "cjm: whole analyze (everything in analysis.json, from the file)"
SPARK = "cjm: whole analyze on Spark (local[*], JVM start and memory included)"
OURS = {
    "DFG": "cjm: DFG of events (after the sort)",
    "variants": "cjm: variants of events (after the sort)",
    "funnel": "cjm: windowed funnel (after the sort)",
}
QUERIES = {
    SCAN: scan,
    PEERS["DFG"]: duckdb_dfg,
    PEERS["variants"]: polars_variants,
    PEERS["funnel"]: chdb_funnel,
    PM4PY: pm4py_dfg_variants,
    "cjm: read the log (checks, canonical columns)": cjm_load,
    "cjm: sort once and map (query only, log read)": cjm_sort,
    OURS["DFG"]: cjm_dfg,
    OURS["variants"]: cjm_variants,
    OURS["funnel"]: cjm_funnel,
    WHOLE: cjm_analyze,
    "cjm: whole analyze, the map's first analysis (empty cjm cache)": cjm_analyze_cold,
    "cjm: whole analyze with the SQL definitions (reference)": cjm_analyze_sql,
    SPARK: cjm_analyze_spark,
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


def run(
    sizes: tuple[int, ...] = (1_000_000,),
    repeats: int = 3,
    pm4py_max: int = 10_000_000,
    sql_max: int = 10_000_000,
    spark_max: int = 1_000_000,
) -> str:
    """Measure every query at every size; return the Markdown section."""
    lines = [
        "## The analytics engine beside its peers",
        "",
        "Synthetic subscription log (demo generator, seed 11); each query in a fresh process, "
        f"median of {repeats} run(s) taken in rounds (each round runs every query once, so a "
        "drift in the machine's speed touches all of them alike); peak memory is the "
        "process's peak RSS (VmHWM). "
        "The floor, the peers and the whole analyze read the Parquet file themselves; the "
        "'after the sort' rows time one analytic of the single pass on a log already read "
        f"and sorted (the sort is its own row). Window {WINDOW_DAYS} days.",
        "",
        "| query | " + " | ".join(f"{n:,} events" for n in sizes) + " |",
        "| --- |" + " ---: |" * len(sizes),
    ]
    results: dict[str, list[str]] = {}
    seconds_of: dict[tuple[str, int], float] = {}
    DATA.mkdir(parents=True, exist_ok=True)
    FUNNEL_CONDITIONS.write_text(funnel_conditions(), encoding="utf-8")
    for size in sizes:
        path = make_log(size)
        chosen = [
            name
            for name in QUERIES
            if not (
                ("pm4py" in name and size > pm4py_max)
                or ("Spark" in name and size > spark_max)
                or ("SQL def" in name and size > sql_max)
            )
        ]
        measured: dict[str, list[tuple[float, float]]] = {name: [] for name in chosen}
        for _ in range(repeats):  # in rounds: a drift in the machine's speed touches all alike
            for name in chosen:
                measured[name].append(isolated(name, path))
        for name in QUERIES:
            if name not in measured:
                results.setdefault(name, []).append("not run")
                continue
            runs = sorted(measured[name])
            seconds, peak = runs[len(runs) // 2]
            seconds_of[(name, size)] = seconds
            floor = seconds_of[(SCAN, size)]
            results.setdefault(name, []).append(
                f"{seconds:.2f} s ({seconds / floor:.1f}× floor), {peak:,.0f} MiB"
            )
    lines += [f"| {name} | " + " | ".join(cells) + " |" for name, cells in results.items()]
    return "\n".join([*lines, "", *_targets(seconds_of, sizes)]) + "\n"


def _targets(seconds: dict[tuple[str, int], float], sizes: tuple[int, ...]) -> list[str]:
    """The issue's targets as ratios: whole analyze against half the sum of the best peers,
    against pm4py, and each analytic against its best peer."""
    lines = ["| target | " + " | ".join(f"{n:,} events" for n in sizes) + " |"]
    lines.append("| --- |" + " ---: |" * len(sizes))
    rows: dict[str, list[str]] = {}
    for size in sizes:
        whole = seconds.get((WHOLE, size))
        peers = sum(seconds.get((PEERS[k], size), float("nan")) for k in PEERS)
        pm4py = seconds.get((PM4PY, size))
        rows.setdefault("whole analyze / (sum of best peers / 2) (target ≤ 1)", []).append(
            f"{whole / (peers / 2):.2f}" if whole else "n/a"
        )
        rows.setdefault("pm4py DFG + variants / whole analyze (target ≥ 15)", []).append(
            f"{pm4py / whole:.1f}" if whole and pm4py else "not run"
        )
        for key, ours in OURS.items():
            mine, theirs = seconds.get((ours, size)), seconds.get((PEERS[key], size))
            rows.setdefault(f"{key} after the sort / best peer (target ≤ 1)", []).append(
                f"{mine / theirs:.2f}" if mine and theirs else "n/a"
            )
    return lines + [f"| {name} | " + " | ".join(cells) + " |" for name, cells in rows.items()]
