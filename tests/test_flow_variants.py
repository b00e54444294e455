"""Flow and variants equal pm4py's on real public logs (pm4py is AGPL: tests only)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pm4py
import pytest

from cjm.analytics.flow import directly_follows, end_activities, start_activities
from cjm.analytics.tables import events_table
from cjm.analytics.variants import variants
from cjm.evidence import ColumnMap, read_events

XES_COLUMNS = ColumnMap(
    customer="case:concept:name", event="concept:name", timestamp="time:timestamp"
)
LOGS = [
    "running-example.csv",
    "receipt.csv",
    "roadtraffic100traces.csv",
    "running-example.xes",
    "helpdesk.xes.gz",
    "bpic2012.xes.gz",
]


def _pm4py_frame(path: Path) -> pd.DataFrame:
    if ".xes" in path.name:
        frame = pm4py.read_xes(str(path), return_legacy_log_object=False)
    else:
        frame = pd.read_csv(path)
        frame["time:timestamp"] = pd.to_datetime(frame["time:timestamp"], utc=True, format="mixed")
    frame["case:concept:name"] = frame["case:concept:name"].astype(str)
    return pm4py.format_dataframe(
        frame,
        case_id="case:concept:name",
        activity_key="concept:name",
        timestamp_key="time:timestamp",
    )


@pytest.fixture(scope="module", params=LOGS)
def both(request: pytest.FixtureRequest, shared_data_module: Path):
    path = shared_data_module / "event_logs" / request.param
    log = read_events(path, XES_COLUMNS)
    return events_table(log), _pm4py_frame(path)


@pytest.mark.realdata
def test_directly_follows_equals_pm4py(both):
    events, frame = both
    dfg, starts, ends = pm4py.discover_dfg(frame)
    ours = directly_follows(events).execute()
    assert {(r.source, r.target): r.count for r in ours.itertuples()} == dict(dfg)
    assert ours["count"].sum() == len(frame) - frame["case:concept:name"].nunique()
    assert {
        r.activity: r.customers for r in start_activities(events).execute().itertuples()
    } == dict(starts)
    assert {r.activity: r.customers for r in end_activities(events).execute().itertuples()} == dict(
        ends
    )


@pytest.mark.realdata
def test_variants_equal_pm4py(both):
    events, frame = both
    expected = {tuple(path): count for path, count in pm4py.get_variants(frame).items()}
    ours = variants(events).execute()
    assert {tuple(r.path): r.customers for r in ours.itertuples()} == expected
    assert ours["share"].sum() == pytest.approx(1.0)
