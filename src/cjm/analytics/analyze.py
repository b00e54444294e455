"""``cjm.analyze``: a journey map and an event log in, the journey as customers walk it out.

>>> import cjm, tempfile, pathlib
>>> from cjm.examples.events import generate_events, write_events
>>> journey = cjm.load_journey(cjm.example_path("subscription"))
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = write_events(generate_events(journey, customers=200), folder / "events.parquet")
>>> result = analyze(journey, folder / "events.parquet")
>>> result.funnel_ordered[0].reached <= 200
True
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.csv as pa_csv

from cjm.analytics import single_pass as fast
from cjm.analytics.contacts import (
    REPEAT_WINDOW,
    SESSION_GAP,
    channel_switches,
    contacts,
    repeat_contacts,
)
from cjm.analytics.customers import CHURNED_AFTER, DORMANT_AFTER, customer_status
from cjm.analytics.flow import directly_follows, end_activities, start_activities
from cjm.analytics.funnel import FunnelStep, funnel
from cjm.analytics.sequences import NONE, HashCollision, Sequences, customer_ids, load_sequences
from cjm.analytics.tables import events_table
from cjm.analytics.touchpoints import map_touchpoints, require_event_rules, unmapped_events
from cjm.analytics.variants import variants
from cjm.analytics.visits import back_steps, dwell, stage_visits
from cjm.evidence.columns import ColumnMap
from cjm.evidence.events import BadRowPolicy, EventLog, read_events
from cjm.model.files import write_text
from cjm.model.io import load_journey
from cjm.model.journey import Journey

FORMAT_VERSION = 1
FIELDS = {
    "format_version": "Version of the analysis.json layout (1).",
    "journey": "The map analysed: id, name and the stored revision it came from (if any).",
    "inputs": "The event log: source, rows, customers, period (start, end, UTC), bad_rows "
    "(total, by_reason, examples with line numbers), mapped_events, and unmapped (events that "
    "matched no touchpoint, counted by event name).",
    "inputs.bad_rows": "Rows without a customer, an event name or a readable timestamp: how "
    "many, why, and up to five examples with their line numbers.",
    "inputs.unmapped": "Events no touchpoint rule matched: their total and the 50 most frequent "
    "event names. They are reported, never dropped silently.",
    "funnel": "Customers reaching each stage. window_s: the conversion window in seconds (null: "
    "none). ordered: windowFunnel semantics (stage k only after k-1, within the window from "
    "the first stage); any_order: any event in the stage counts.",
    "funnel.*[]": "Per stage: step (1-based), stage (id), reached (customers), conversion from "
    "the previous stage, ci95 (Wilson 95% interval of the conversion), drop_off (customers "
    "lost since the previous stage), median_s and p90_s (seconds from first reaching the "
    "previous stage to first reaching this one).",
    "flow": "Directly-follows graphs: touchpoints (mapped events only) and events (all events, "
    "top 100 edges), each edge with source, target, count (pairs of consecutive events), "
    "median_s and p90_s; start and end: touchpoints where customers' journeys start and end; "
    "channel_switches: contacts on another channel than the customer's previous contact "
    "within repeat_window_s (e.g. self_service then phone), by direction; back_steps: visits to "
    "an earlier stage of the map than the visit before (from_stage, to_stage, back_steps, "
    "customers).",
    "variants": "Paths customers take: events (the full ordered event sequence) and stages "
    "(consecutive events in one stage count as one visit), each with total (distinct paths) "
    "and top (path, customers, share).",
    "stages": "Per stage of the map: id, name, events, customers, dwell (visits: runs of "
    "consecutive events in the stage; completed: visits followed by another stage; median_s "
    "and p90_s: seconds from entering the stage to entering the next), and per touchpoint its "
    "channel, events, customers, contacts (runs of events at the touchpoint no more than 30 "
    "minutes apart), repeats (contacts again at the same touchpoint within the repeat window) "
    "and repeat_customers.",
    "customers": "Where customers are now, judged at the end of the log: active (seen within "
    "dormant_after_s), dormant (within churned_after_s) or churned; by_current_stage counts "
    "them by the stage of their last mapped event, unplaced those with no mapped event. The "
    "table per customer (events, first_seen, last_seen, status, current_stage, "
    "last_touchpoint, furthest_stage_index) is written beside it as customers.csv.",
}


@dataclass(frozen=True)
class Analysis:
    """Everything ``analysis.json`` holds, as typed Python values."""

    journey: dict[str, Any]
    inputs: dict[str, Any]
    window_s: float | None
    funnel_ordered: list[FunnelStep]
    funnel_any_order: list[FunnelStep]
    flow: dict[str, Any]
    variants: dict[str, Any]
    stages: list[dict[str, Any]]
    customers: dict[str, Any]
    customer_table: pa.Table = dataclasses.field(repr=False)

    def to_json(self) -> dict[str, Any]:
        """The ``analysis.json`` document (see docs/reference/analysis.md)."""
        stage_ids = [stage["id"] for stage in self.stages]
        return {
            "format_version": FORMAT_VERSION,
            "journey": self.journey,
            "inputs": self.inputs,
            "funnel": {
                "window_s": self.window_s,
                "ordered": [_step(s, stage_ids) for s in self.funnel_ordered],
                "any_order": [_step(s, stage_ids) for s in self.funnel_any_order],
            },
            "flow": self.flow,
            "variants": self.variants,
            "stages": self.stages,
            "customers": self.customers,
        }

    def write(self, folder: str | Path) -> Path:
        """Write ``analysis.json`` into ``folder`` (created if missing); return its path."""
        target = Path(folder)
        target.mkdir(parents=True, exist_ok=True)
        path = target / "analysis.json"
        text = json.dumps(self.to_json(), indent=2, ensure_ascii=False, default=_default)
        write_text(path, text + "\n")
        pa_csv.write_csv(self.customer_table, target / "customers.csv")
        return path


@dataclass(frozen=True)
class Settings:
    """How the analytics are asked for (the same for every engine)."""

    window: dt.timedelta | None = None
    top: int = 20
    dormant_after: dt.timedelta = DORMANT_AFTER
    churned_after: dt.timedelta = CHURNED_AFTER
    repeat_window: dt.timedelta = REPEAT_WINDOW


@dataclass(frozen=True)
class Parts:
    """What an engine computes; the same numbers whichever engine computed them."""

    unmapped: list[dict[str, Any]]
    funnel_ordered: list[FunnelStep]
    funnel_any_order: list[FunnelStep]
    touchpoint_edges: list[dict[str, Any]]
    event_edges: list[dict[str, Any]]
    start: list[dict[str, Any]]
    end: list[dict[str, Any]]
    channel_switches: list[dict[str, Any]]
    back_steps: list[dict[str, Any]]
    event_variants: dict[str, Any]
    stage_variants: dict[str, Any]
    stage_activity: dict[str, dict[str, Any]]
    touchpoint_activity: dict[str, dict[str, Any]]
    repeats: dict[str, dict[str, Any]]
    dwell: dict[str, dict[str, Any]]
    customer_table: pa.Table


def analyze(
    journey: Journey | str | Path,
    events: EventLog | str | Path,
    *,
    columns: ColumnMap | None = None,
    window: dt.timedelta | None = None,
    timezone: str = "UTC",
    on_bad_rows: BadRowPolicy = "fail",
    top: int = 20,
    dormant_after: dt.timedelta = DORMANT_AFTER,
    churned_after: dt.timedelta = CHURNED_AFTER,
    repeat_window: dt.timedelta = REPEAT_WINDOW,
    single_pass: bool = True,
) -> Analysis:
    """Map the events onto the journey and compute funnel, flow, variants and stages.

    ``single_pass`` sorts the log once and computes everything in vectorised passes over it
    (:mod:`cjm.analytics.single_pass`); ``False`` runs the SQL definitions instead. Both give
    the same numbers.
    """
    if not isinstance(journey, Journey):
        journey = load_journey(journey)
    require_event_rules(journey)  # before reading a possibly large log
    log = (
        events
        if isinstance(events, EventLog)
        else read_events(events, columns, timezone=timezone, on_bad_rows=on_bad_rows)
    )
    settings = Settings(window, top, dormant_after, churned_after, repeat_window)
    parts = None
    if single_pass:
        try:
            parts = single_pass_parts(log, journey, settings)
        except HashCollision:
            parts = None  # astronomically rare; the SQL definitions need no hashes
    if parts is None:
        parts = sql_parts(log, journey, settings)
    return _assemble(journey, log, settings, parts)


def sql_parts(log: EventLog, journey: Journey, settings: Settings) -> Parts:
    """Every analytic through its SQL (Ibis) definition."""
    mapping = ibis.to_sql(map_touchpoints(events_table(log), journey), dialect="duckdb")
    log.connection.execute(f"CREATE OR REPLACE TEMP TABLE mapped AS {mapping}")  # computed once
    mapped = ibis.duckdb.from_connection(log.connection).table("mapped")
    on_map = mapped.filter(mapped.touchpoint.notnull())
    channels = {tp.id: tp.channel.value for _stage, tp in journey.touchpoints()}
    contact = contacts(on_map, channels)
    visits = stage_visits(on_map)
    switches = _records(channel_switches(contact, settings.repeat_window), "switches")
    return Parts(
        unmapped=unmapped_events(mapped).to_pyarrow().to_pylist(),
        funnel_ordered=funnel(on_map, len(journey.stages), window=settings.window),
        funnel_any_order=funnel(on_map, len(journey.stages), ordered=False),
        touchpoint_edges=_records(directly_follows(on_map, "touchpoint"), "count"),
        event_edges=_records(directly_follows(mapped, "event"), "count", settings.top * 5),
        start=_records(start_activities(on_map, "touchpoint"), "customers"),
        end=_records(end_activities(on_map, "touchpoint"), "customers"),
        channel_switches=switches,
        back_steps=_records(back_steps(visits), "back_steps"),
        event_variants=_variants(mapped, "event", settings.top),
        stage_variants=_variants(visits, "stage", settings.top),
        stage_activity=_activity(on_map, "stage"),
        touchpoint_activity=_activity(on_map, "touchpoint"),
        repeats=_by(repeat_contacts(contact, settings.repeat_window), "touchpoint"),
        dwell=_by(dwell(visits), "stage"),
        customer_table=customer_status(
            mapped, dormant_after=settings.dormant_after, churned_after=settings.churned_after
        ).to_pyarrow(),
    )


def single_pass_parts(log: EventLog, journey: Journey, settings: Settings) -> Parts:
    """Every analytic in vectorised passes over the log sorted once (same numbers as SQL)."""
    seq = load_sequences(log.connection, journey, log.table, log.customers)
    unmapped = seq.codes["touchpoint"] == NONE
    on_map = seq.where(~unmapped)
    channels = {tp.id: tp.channel.value for _stage, tp in journey.touchpoints()}
    contact = fast.contacts(on_map, channels, int(SESSION_GAP.total_seconds()))
    visits = on_map.where(_visit_starts(on_map))
    window_ms = int(settings.window.total_seconds() * 1000) if settings.window is not None else None
    repeat_s = int(settings.repeat_window.total_seconds())
    steps = len(journey.stages)
    unmapped_counts = np.bincount(seq.codes["event"][unmapped], minlength=len(seq.names["event"]))
    return Parts(
        unmapped=_sorted(
            [
                {"event": name, "events": int(n)}
                for name, n in zip(seq.names["event"], unmapped_counts, strict=True)
                if n
            ],
            "events",
        ),
        funnel_ordered=fast.funnel(on_map, steps, window_ms=window_ms, ordered=True),
        funnel_any_order=fast.funnel(on_map, steps, window_ms=None, ordered=False),
        touchpoint_edges=_sorted(fast.directly_follows(on_map, "touchpoint"), "count"),
        event_edges=_sorted(fast.directly_follows(seq, "event"), "count", settings.top * 5),
        start=_sorted(fast.boundary_activities(on_map, "touchpoint", first=True), "customers"),
        end=_sorted(fast.boundary_activities(on_map, "touchpoint", first=False), "customers"),
        channel_switches=_sorted(
            [
                {
                    "from_channel": r["from"],
                    "to_channel": r["to"],
                    "switches": r["count"],
                    "customers": r["customers"],
                }
                for r in fast.changes(contact, "channel", repeat_s)
            ],
            "switches",
        ),
        back_steps=_sorted(
            [
                {
                    "from_stage": r["from"],
                    "to_stage": r["to"],
                    "back_steps": r["count"],
                    "customers": r["customers"],
                }
                for r in fast.changes(visits, "stage", backwards=True)
            ],
            "back_steps",
        ),
        event_variants=fast.variants(seq, "event", settings.top),
        stage_variants=fast.variants(visits, "stage", settings.top),
        stage_activity=fast.activity(on_map, "stage"),
        touchpoint_activity=fast.activity(on_map, "touchpoint"),
        repeats=fast.repeat_contacts(contact, repeat_s),
        dwell=fast.dwell(visits),
        customer_table=_customer_table(log, seq, on_map, settings),
    )


def _assemble(journey: Journey, log: EventLog, settings: Settings, parts: Parts) -> Analysis:
    unmapped_total = sum(row["events"] for row in parts.unmapped)
    return Analysis(
        journey={"id": journey.id, "name": journey.name, "revision": journey.revision},
        inputs={
            "source": log.source,
            "rows": log.rows,
            "customers": log.customers,
            "period": {"start": log.start, "end": log.end},
            "bad_rows": dataclasses.asdict(log.bad),
            "mapped_events": log.rows - unmapped_total,
            "unmapped": {"events": unmapped_total, "by_event": parts.unmapped[:50]},
        },
        window_s=settings.window.total_seconds() if settings.window is not None else None,
        funnel_ordered=parts.funnel_ordered,
        funnel_any_order=parts.funnel_any_order,
        flow={
            "touchpoints": parts.touchpoint_edges,
            "events": parts.event_edges,
            "start": parts.start,
            "end": parts.end,
            "channel_switches": parts.channel_switches,
            "back_steps": parts.back_steps,
            "repeat_window_s": settings.repeat_window.total_seconds(),
        },
        variants={"events": parts.event_variants, "stages": parts.stage_variants},
        stages=_stages(journey, parts),
        customers=_customer_summary(
            journey, parts.customer_table, settings.dormant_after, settings.churned_after
        ),
        customer_table=parts.customer_table,
    )


def _visit_starts(on_map: Sequences) -> npt.NDArray[np.bool_]:
    stage = on_map.codes["stage"]
    start = on_map.firsts()
    start[1:] |= stage[1:] != stage[:-1]
    return start


def _customer_table(
    log: EventLog, seq: Sequences, on_map: Sequences, settings: Settings
) -> pa.Table:
    """The table of :func:`cjm.analytics.customers.customer_status`, from the sequences."""
    first_row, last_row = seq.starts[:-1], seq.starts[1:] - 1
    seconds = seq.seconds()
    idle = seconds.max() - seconds[last_row]
    status = np.where(
        idle <= int(settings.dormant_after.total_seconds()),
        "active",
        np.where(idle <= int(settings.churned_after.total_seconds()), "dormant", "churned"),
    )
    placed = np.searchsorted(seq.customer_keys, on_map.customer_keys)
    last_mapped = on_map.starts[1:] - 1
    stage = np.full(seq.customers, NONE)
    stage[placed] = on_map.codes["stage"][last_mapped]
    touchpoint = np.full(seq.customers, NONE)
    touchpoint[placed] = on_map.codes["touchpoint"][last_mapped]
    furthest = np.full(seq.customers, NONE)
    if on_map.rows:
        furthest[placed] = np.maximum.reduceat(on_map.codes["stage"], on_map.starts[:-1]) + 1
    utc = pa.timestamp("us", tz="UTC")
    table = pa.table(
        {
            "customer_id": customer_ids(log.connection, log.table),
            "events": np.diff(seq.starts),
            "first_seen": pa.array(seq.us[first_row], pa.int64()).cast(utc),
            "last_seen": pa.array(seq.us[last_row], pa.int64()).cast(utc),
            "status": status,
            "current_stage": _names(stage, seq.names["stage"]),
            "last_touchpoint": _names(touchpoint, seq.names["touchpoint"]),
            "furthest_stage_index": pa.array(furthest, mask=furthest == NONE),
        }
    )
    return table.sort_by("customer_id")


def _names(codes: npt.NDArray[np.int64], names: list[str]) -> pa.Array:
    return pa.array(np.array(names, dtype=object)[codes], pa.string(), mask=codes == NONE)


def _customer_summary(
    journey: Journey, table: pa.Table, dormant_after: dt.timedelta, churned_after: dt.timedelta
) -> dict[str, Any]:
    counts: dict[tuple[str | None, str], int] = {}
    for stage, status in zip(
        table.column("current_stage").to_pylist(), table.column("status").to_pylist(), strict=True
    ):
        counts[(stage, status)] = counts.get((stage, status), 0) + 1
    statuses = ("active", "dormant", "churned")
    return {
        "dormant_after_s": dormant_after.total_seconds(),
        "churned_after_s": churned_after.total_seconds(),
        "file": "customers.csv",
        "by_current_stage": [
            {"stage": stage.id, **{s: counts.get((stage.id, s), 0) for s in statuses}}
            for stage in journey.stages
        ],
        "unplaced": {s: counts.get((None, s), 0) for s in statuses},
    }


def _variants(table: ir.Table, by: str, top: int) -> dict[str, Any]:
    counted = variants(table, by)
    rows = counted.order_by([ibis.desc("customers"), "path"]).limit(top).to_pyarrow().to_pylist()
    return {"total": int(counted.count().execute()), "top": rows}


def _stages(journey: Journey, parts: Parts) -> list[dict[str, Any]]:
    per_stage, per_touchpoint = parts.stage_activity, parts.touchpoint_activity
    return [
        {
            "id": stage.id,
            "name": stage.name,
            "events": per_stage.get(stage.id, {}).get("events", 0),
            "customers": per_stage.get(stage.id, {}).get("customers", 0),
            "dwell": {
                key: parts.dwell.get(stage.id, {}).get(key, default)
                for key, default in (
                    ("visits", 0),
                    ("completed", 0),
                    ("median_s", None),
                    ("p90_s", None),
                )
            },
            "touchpoints": [
                {
                    "id": tp.id,
                    "channel": tp.channel.value,
                    "events": per_touchpoint.get(tp.id, {}).get("events", 0),
                    "customers": per_touchpoint.get(tp.id, {}).get("customers", 0),
                    **{
                        key: parts.repeats.get(tp.id, {}).get(key, 0)
                        for key in ("contacts", "repeats", "repeat_customers")
                    },
                }
                for tp in stage.touchpoints
            ],
        }
        for stage in journey.stages
    ]


def _activity(on_map: ir.Table, by: str) -> dict[str, dict[str, Any]]:
    """Events and distinct customers per value of ``by``."""
    counted = on_map.group_by(by).aggregate(
        events=on_map.count(), customers=on_map.customer_id.nunique()
    )
    return _by(counted, by)


def _by(table: ir.Table, key: str) -> dict[str, dict[str, Any]]:
    return {row[key]: row for row in table.to_pyarrow().to_pylist()}


def _records(table: ir.Table, by: str, limit: int | None = None) -> list[dict[str, Any]]:
    ordered = table.order_by([ibis.desc(by), *[c for c in table.columns if c != by]])
    if limit is not None:
        ordered = ordered.limit(limit)
    return list(ordered.to_pyarrow().to_pylist())


def _sorted(rows: list[dict[str, Any]], by: str, limit: int | None = None) -> list[dict[str, Any]]:
    """``rows`` in the order :func:`_records` gives: ``by`` descending, then the others."""
    ordered = sorted(rows, key=lambda row: (-row[by], *[v for k, v in row.items() if k != by]))
    return ordered if limit is None else ordered[:limit]


def _step(step: FunnelStep, stage_ids: list[str]) -> dict[str, Any]:
    record = dataclasses.asdict(step)
    record["stage"] = stage_ids[step.step - 1]
    interval = record.pop("interval")
    record["ci95"] = [interval["low"], interval["high"]] if interval else None
    return record


def _default(value: object) -> object:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to analysis.json")
