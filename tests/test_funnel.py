"""The funnel: windowFunnel semantics proven equal to chDB; any-order; honest intervals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import chdb
import ibis
import pytest

from cjm.analytics.funnel import funnel
from cjm.analytics.stats import wilson
from cjm.evidence import ColumnMap, read_events
from tests.logs import events_from_csv

XES = ColumnMap(customer="case:concept:name", event="concept:name", timestamp="time:timestamp")
STEPS = {
    "helpdesk.xes.gz": ["Assign seriousness", "Take in charge ticket", "Resolve ticket", "Closed"],
    "bpic2012.xes.gz": [
        "A_SUBMITTED",
        "A_PARTLYSUBMITTED",
        "A_PREACCEPTED",
        "A_ACCEPTED",
        "O_SENT",
        "A_APPROVED",
    ],
    "receipt.csv": [
        "Confirmation of receipt",
        "T02 Check confirmation of receipt",
        "T04 Determine confirmation of receipt",
        "T05 Print and send confirmation of receipt",
        "T06 Determine necessity of stop advice",
    ],
}
WINDOWS = [dt.timedelta(hours=1), dt.timedelta(days=1), dt.timedelta(days=30), None]


def _stepped(log_path: Path, activities: list[str]) -> tuple[ibis.Table, object]:
    log = read_events(log_path, XES)
    events = ibis.duckdb.from_connection(log.connection).table("events")
    index = {name: number for number, name in enumerate(activities, 1)}
    return events.mutate(step=events.event.substitute(index, else_=0).cast("int64")), log


def _chdb_reached(log: object, steps: int, window: dt.timedelta | None, folder: Path) -> list[int]:
    export = folder / "steps.parquet"
    log.connection.execute(  # type: ignore[attr-defined]
        "COPY (SELECT customer_id, timestamp AS ts, seq, step FROM stepped "
        f"ORDER BY customer_id, timestamp, seq) TO '{export}'"
    )
    milliseconds = int(window.total_seconds() * 1000) if window else 10**15
    conditions = ", ".join(f"step = {k}" for k in range(1, steps + 1))
    query = (
        "SELECT level, count() FROM (SELECT customer_id, "
        f"windowFunnel({milliseconds})(toUInt64(toUnixTimestamp64Milli(ts)), {conditions}) "
        "AS level "
        f"FROM file('{export}', Parquet) GROUP BY customer_id) GROUP BY level"
    )
    levels = dict(
        tuple(map(int, line.split(","))) for line in str(chdb.query(query, "CSV")).split()
    )
    return [sum(c for level, c in levels.items() if level >= k) for k in range(1, steps + 1)]


@pytest.mark.realdata
@pytest.mark.parametrize("name", sorted(STEPS))
def test_ordered_funnel_equals_chdb_window_funnel(name: str, shared_data: Path, tmp_path: Path):
    events, log = _stepped(shared_data / "event_logs" / name, STEPS[name])
    log.connection.register("stepped", events.to_pyarrow())  # type: ignore[attr-defined]
    for window in WINDOWS:
        ours = [s.reached for s in funnel(events, len(STEPS[name]), step="step", window=window)]
        assert ours == _chdb_reached(log, len(STEPS[name]), window, tmp_path), window
        assert ours == sorted(ours, reverse=True)


def _tiny(tmp_path: Path, rows: str) -> ibis.Table:
    events = events_from_csv(tmp_path, "customer_id,timestamp,event\n" + rows)
    return events.mutate(step=events.event.cast("int64"))


def test_window_is_measured_from_the_first_step_inclusive(tmp_path: Path):
    events = _tiny(
        tmp_path,
        "a,2024-01-01T00:00:00Z,1\na,2024-01-01T01:00:00Z,2\na,2024-01-01T02:00:00Z,3\n"
        "b,2024-01-01T00:00:00Z,1\nb,2024-01-01T02:00:01Z,2\n",
    )
    steps = funnel(events, 3, step="step", window=dt.timedelta(hours=2))
    assert [s.reached for s in steps] == [2, 1, 1]


def test_a_later_start_can_complete_the_chain(tmp_path: Path):
    events = _tiny(
        tmp_path,
        "a,2024-01-01T00:00:00Z,1\na,2024-01-05T00:00:00Z,1\na,2024-01-05T01:00:00Z,2\n",
    )
    assert [s.reached for s in funnel(events, 2, step="step", window=dt.timedelta(days=1))] == [
        1,
        1,
    ]


def test_ordered_mode_needs_the_steps_in_order_but_any_order_does_not(tmp_path: Path):
    events = _tiny(tmp_path, "a,2024-01-01T00:00:00Z,2\na,2024-01-02T00:00:00Z,1\n")
    assert [s.reached for s in funnel(events, 2, step="step")] == [1, 0]
    assert [s.reached for s in funnel(events, 2, step="step", ordered=False)] == [1, 1]


def test_each_customer_counts_once_and_timing_is_between_first_reaches(tmp_path: Path):
    events = _tiny(
        tmp_path,
        "a,2024-01-01T00:00:00Z,1\na,2024-01-01T00:00:00Z,1\na,2024-01-01T00:01:00Z,2\n"
        "b,2024-01-01T00:00:00Z,1\nb,2024-01-01T00:03:00Z,2\nc,2024-01-01T00:00:00Z,1\n",
    )
    first, second = funnel(events, 2, step="step")
    assert (first.reached, second.reached, second.drop_off) == (3, 2, 1)
    assert second.median_s == pytest.approx(120.0)
    assert second.conversion == pytest.approx(2 / 3)
    assert second.interval == wilson(2, 3)


def test_wilson_interval_matches_the_textbook_values():
    interval = wilson(61, 100)
    assert interval is not None
    assert (round(interval.low, 4), round(interval.high, 4)) == (0.5120, 0.6998)
    assert wilson(0, 0) is None
    zero = wilson(0, 10)
    assert zero is not None
    assert zero.low == 0.0
