"""Awkward event logs: one customer, duplicates, disorder, mixed zones, wrong types."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cjm.analytics.analyze import analyze
from cjm.errors import InvalidInput
from cjm.evidence import read_events
from tests.logs import BROWSE_AND_BUY

MAP = "id: shop\nname: Shop\n" + BROWSE_AND_BUY


def run(tmp_path: Path, events: str, **options: Any) -> dict[str, Any]:
    (tmp_path / "map.yaml").write_text(MAP, encoding="utf-8")
    (tmp_path / "e.csv").write_text("customer_id,timestamp,event\n" + events, encoding="utf-8")
    fast = analyze(tmp_path / "map.yaml", tmp_path / "e.csv", **options).to_json()
    sql = analyze(tmp_path / "map.yaml", tmp_path / "e.csv", single_pass=False, **options)
    assert fast == sql.to_json()
    return fast


def test_a_single_customer_is_a_complete_analysis(tmp_path: Path):
    result = run(tmp_path, "a,2024-01-01T10:00:00Z,view\na,2024-01-01T10:02:00Z,pay\n")
    funnel = result["funnel"]["ordered"]
    assert [(s["reached"], s["conversion"]) for s in funnel] == [(1, None), (1, 1.0)]
    assert funnel[1]["ci95"][0] < 1.0  # one customer: a wide interval, not a certainty
    assert result["variants"]["events"]["top"] == [
        {"path": ["view", "pay"], "customers": 1, "share": 1.0}
    ]


def test_duplicate_events_are_kept_as_two_events(tmp_path: Path):
    """A row is an event: an exact duplicate is a second event (a self-loop, 0 s apart)."""
    result = run(tmp_path, "a,2024-01-01T10:00:00Z,view\na,2024-01-01T10:00:00Z,view\n")
    assert result["inputs"]["rows"] == 2
    assert result["flow"]["touchpoints"] == [
        {"source": "site", "target": "site", "count": 1, "median_s": 0.0, "p90_s": 0.0}
    ]


def test_events_out_of_order_are_put_in_time_order(tmp_path: Path):
    result = run(
        tmp_path,
        "a,2024-01-01T10:05:00Z,pay\nb,2024-01-01T09:00:00Z,view\na,2024-01-01T10:00:00Z,view\n",
    )
    edges = result["flow"]["touchpoints"]
    assert [(e["source"], e["target"], e["median_s"]) for e in edges] == [("site", "pay", 300.0)]


def test_one_column_can_mix_offsets_zulu_and_naive_times(tmp_path: Path):
    path = tmp_path / "e.csv"
    path.write_text(
        "customer_id,timestamp,event\n"
        "a,2024-07-01T12:00:00+02:00,view\n"
        "a,2024-07-01T10:00:00Z,pay\n"
        "a,2024-07-01 12:00:00,view\n"  # naive: read in --timezone (summer time, +02:00)
        "a,1719828000,pay\n",  # epoch seconds
        encoding="utf-8",
    )
    log = read_events(path, timezone="Europe/Amsterdam")
    stamps = {row[0] for row in log.connection.execute("SELECT timestamp FROM events").fetchall()}
    assert stamps == {dt.datetime(2024, 7, 1, 10, tzinfo=dt.UTC)}


def test_a_timestamp_column_of_the_wrong_type_is_refused(tmp_path: Path):
    path = tmp_path / "e.parquet"
    table = pa.table({"customer_id": ["a", "b"], "timestamp": [True, False], "event": ["v", "v"]})
    pq.write_table(table, path)
    with pytest.raises(InvalidInput, match="2 bad rows \\(2 unreadable timestamp\\)"):
        read_events(path)
