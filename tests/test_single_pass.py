"""The single-pass engine gives the same analysis as the SQL definitions, on every log.

Everything is compared exactly, durations included: medians and p90s are interpolated
between whole milliseconds and rounded to their 0.1 ms grid by both engines.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cjm
from cjm.analytics import sequences
from cjm.analytics.analyze import analyze
from cjm.evidence import ColumnMap, read_events
from cjm.evidence.events import EventLog
from cjm.examples.events import generate_customers, generate_events, write_events
from cjm.model.journey import Journey

XES_COLUMNS = ColumnMap(
    customer="case:concept:name", event="concept:name", timestamp="time:timestamp"
)


def assert_same(ours: Any, theirs: Any, where: str = "analysis") -> None:
    """Equal, saying where they differ (and an int never equal to a float by accident)."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        assert ours.keys() == theirs.keys(), where
        for key in ours:
            assert_same(ours[key], theirs[key], f"{where}.{key}")
    elif isinstance(ours, list) and isinstance(theirs, list):
        assert len(ours) == len(theirs), f"{where}: {len(ours)} != {len(theirs)} items"
        for index, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            assert_same(a, b, f"{where}[{index}]")
    else:
        assert type(ours) is type(theirs), f"{where}: {ours!r} and {theirs!r}"
        assert ours == theirs, f"{where}: {ours!r} != {theirs!r}"


def assert_engines_agree(journey: Journey, log: EventLog, **options: Any) -> dict[str, Any]:
    fast = analyze(journey, log, **options)
    sql = analyze(journey, log, single_pass=False, **options)
    assert_same(fast.to_json(), sql.to_json())
    assert fast.customer_table.equals(sql.customer_table)
    return fast.to_json()


def generic_map(names: list[str], stages: int = 4) -> Journey:
    """A map of ``stages`` stages over a log's event names; every fifth name left unmapped."""
    touchpoints: list[list[dict[str, Any]]] = [[] for _ in range(stages)]
    for number, name in enumerate(sorted(names)):
        if number % 5 != 4:
            touchpoints[number % stages].append(
                {"id": f"tp-{number}", "name": name, "channel": "web", "events": {"names": [name]}}
            )
    return Journey.model_validate(
        {
            "id": "generic",
            "name": "Generic",
            "stages": [
                {"id": f"s{k}", "name": f"Stage {k}", "touchpoints": tps}
                for k, tps in enumerate(touchpoints)
                if tps
            ],
        }
    )


@pytest.mark.parametrize("window", [None, dt.timedelta(hours=1), dt.timedelta(days=30)])
def test_the_engines_agree_on_the_demo_log(window: dt.timedelta | None, tmp_path: Path):
    journey = cjm.load_journey(cjm.example_path("subscription"))
    path = write_events(generate_events(journey, customers=3_000, seed=5), tmp_path / "e.parquet")
    customers = write_events(generate_customers(journey, customers=3_000), tmp_path / "c.csv")
    result = assert_engines_agree(
        journey,
        read_events(path),
        window=window,
        customers=customers,
        segment_by=["persona", "behaviour", "activity", "channel"],
    )
    assert [len(s["groups"]) for s in result["segments"]] == [4, 2, 3, 3]  # 3 first channels
    assert result["flow"]["back_steps"], "the demo generator makes back-steps"
    assert result["flow"]["channel_switches"]


@pytest.mark.parametrize("holders", [1000, 10**9])
def test_rules_on_an_attribute_of_many_values_map_like_sql(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, holders: int
):
    """A rule that tests an attribute of many values (a session id) makes a combination of
    nearly every row: the rules read them from every row (more customers than ``HOLDERS``
    hold one first), or, allowed, from the listed customers' rows; either way the numbers
    are those of SQL."""
    data = cjm.load_journey(cjm.example_path("subscription")).model_dump(
        mode="json", exclude_unset=True
    )
    rule = data["stages"][2]["touchpoints"][0]["events"]
    rule["where"] = [*rule.get("where", []), {"attribute": "session_id", "op": "exists"}]
    journey = Journey.model_validate(data)
    path = write_events(generate_events(journey, customers=1_500, seed=3), tmp_path / "e.parquet")
    log = read_events(path)
    monkeypatch.setattr(sequences, "HOLDERS", holders)
    loaded = sequences.load_sequences(log.connection, journey, log.table, ids=log.ids)
    assert len(loaded.lookups["event"]) > 1000  # combinations: many, held by many customers
    assert_engines_agree(journey, log)


def test_the_rows_are_ordered_the_same_on_any_number_of_lanes_and_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The load splits the rows into one lane per core, and a large log into chunks of
    customers; every split gives each customer the same rows in the same order, and any
    number of lanes the same order of customers (rows shuffled: customers span lanes, their
    rows come out of time order)."""
    journey = cjm.load_journey(cjm.example_path("subscription"))
    path = write_events(generate_events(journey, customers=400, seed=9), tmp_path / "e.parquet")
    shuffled = tmp_path / "shuffled.parquet"
    duckdb.execute(
        f"COPY (SELECT * FROM '{path}' ORDER BY hash(customer_id, timestamp)) TO '{shuffled}'"
    )
    log = read_events(shuffled)
    loaded = []
    for lanes in (1, 2, 3, 7):
        monkeypatch.setattr(sequences.os, "cpu_count", lambda lanes=lanes: lanes)
        loaded.append(sequences.load_sequences(log.connection, journey, log.table))
    for other in loaded[1:]:
        for field in ("starts", "us", "combo", "customer_keys"):
            assert np.array_equal(getattr(other, field), getattr(loaded[0], field)), field
    monkeypatch.setattr(sequences, "CHUNK_ROWS", log.rows // 5)  # fetched by hash range
    chunked = sequences.load_sequences(log.connection, journey, log.table)
    assert _rows_by_customer(chunked) == _rows_by_customer(loaded[0])  # customers reordered


@pytest.mark.parametrize(
    ("order", "kept"),
    [
        ("customer_id, timestamp", True),
        ("customer_id, timestamp DESC", False),
        ("timestamp", False),
    ],
)
def test_rows_already_grouped_by_customer_in_time_order_are_kept_as_they_come(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, order: str, kept: bool
):
    """A log whose customers' rows are together and in time order needs no sort; any
    other order is sorted. Either way each customer has the same rows."""
    journey = cjm.load_journey(cjm.example_path("subscription"))
    path = write_events(generate_events(journey, customers=300, seed=5), tmp_path / "e.parquet")
    ordered = tmp_path / "ordered.parquet"
    duckdb.execute(f"COPY (SELECT * FROM '{path}' ORDER BY {order}) TO '{ordered}'")
    log = read_events(ordered)
    found = []
    grouped = sequences._grouped

    def spy(*args: Any) -> Any:
        found.append(grouped(*args))
        return found[-1]

    monkeypatch.setattr(sequences, "_grouped", spy)
    as_they_come = sequences.load_sequences(log.connection, journey, log.table)
    monkeypatch.setattr(sequences, "_grouped", lambda *args: None)
    sorted_once = sequences.load_sequences(log.connection, journey, log.table)
    assert [chunk is not None for chunk in found] == [kept]
    assert _rows_by_customer(as_they_come) == _rows_by_customer(sorted_once)
    assert as_they_come.customers == log.customers


def _rows_by_customer(seq: sequences.Sequences) -> dict[int, tuple[list[int], list[Any]]]:
    """Each customer's times and what its rows are (event and touchpoint, by name: how the
    combinations are numbered depends on the order they are met)."""
    bounds = zip(seq.customer_keys.tolist(), seq.starts[:-1], seq.starts[1:], strict=True)
    events, touchpoints = seq.names["event"], [*seq.names["touchpoint"], None]
    return {
        key: (
            seq.us[a:b].tolist(),
            [
                (events[e], touchpoints[t])
                for e, t in zip(
                    seq.code_at("event", slice(a, b)),
                    seq.code_at("touchpoint", slice(a, b)),
                    strict=True,
                )
            ],
        )
        for key, a, b in bounds
    }


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("log", "example"),
    [
        ("helpdesk.xes.gz", "help-desk"),
        ("bpic2012.xes.gz", "loan-application"),
        ("receipt.csv", None),
        ("roadtraffic100traces.csv", None),
        ("running-example.csv", None),
    ],
)
def test_the_engines_agree_on_real_logs(log: str, example: str | None, shared_data: Path):
    events = read_events(shared_data / "event_logs" / log, XES_COLUMNS)
    if example:
        journey = cjm.load_journey(cjm.example_path(example))
    else:
        names = events.connection.execute("SELECT DISTINCT event FROM events").fetchall()
        journey = generic_map([name for (name,) in names])
    assert_engines_agree(journey, events, window=dt.timedelta(days=7))


SHOP = Journey.model_validate(
    {
        "id": "shop",
        "name": "Shop",
        "stages": [
            {
                "id": stage,
                "name": stage.title(),
                "touchpoints": [
                    {
                        "id": f"{stage}-{channel}",
                        "name": f"{stage} {channel}",
                        "channel": channel,
                        "events": {"names": [f"{stage}_{channel}"]},
                    }
                    for channel in ("web", "phone")
                ],
            }
            for stage in ("look", "buy", "use")
        ],
    }
)
EVENT_NAMES = [f"{s}_{c}" for s in ("look", "buy", "use") for c in ("web", "phone")] + ["noise"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from("abcdef"),
            st.integers(0, 40),  # minutes: many ties, duplicates, out of order
            st.sampled_from(EVENT_NAMES),
        ),
        min_size=1,
        max_size=40,
    ),
    window=st.sampled_from([None, 0, 5, 30]),
)
def test_the_engines_agree_on_any_small_log(
    rows: list[tuple[str, int, str]], window: int | None
) -> None:
    text = "customer_id,timestamp,event\n" + "".join(
        f"{c},{(dt.datetime(2024, 1, 1) + dt.timedelta(minutes=m)).isoformat()}Z,{e}\n"
        for c, m, e in rows
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "events.csv"
        path.write_text(text, encoding="utf-8")
        log = read_events(path)
    minutes = dt.timedelta(minutes=window) if window is not None else None
    assert_engines_agree(SHOP, log, window=minutes, repeat_window=dt.timedelta(minutes=10))
