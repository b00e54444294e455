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
import pyarrow as pa
import pyarrow.csv as pa_csv

from cjm.analytics.contacts import REPEAT_WINDOW, channel_switches, contacts, repeat_contacts
from cjm.analytics.customers import CHURNED_AFTER, DORMANT_AFTER, customer_status
from cjm.analytics.flow import directly_follows, end_activities, start_activities
from cjm.analytics.funnel import FunnelStep, funnel
from cjm.analytics.tables import events_table, journey_window
from cjm.analytics.touchpoints import map_touchpoints, require_event_rules, unmapped_events
from cjm.analytics.variants import variants
from cjm.evidence.columns import ColumnMap
from cjm.evidence.events import BadRowPolicy, EventLog, read_events
from cjm.evidence.feedback import Feedback, FeedbackColumns
from cjm.model.files import write_text
from cjm.model.io import load_journey
from cjm.model.journey import Journey
from cjm.voc.encoder import EncoderName
from cjm.voc.pipeline import FeedbackAnalysis, understand

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
    "within repeat_window_s (e.g. self_service then phone), by direction.",
    "variants": "Paths customers take: events (the full ordered event sequence) and stages "
    "(consecutive events in one stage count as one visit), each with total (distinct paths) "
    "and top (path, customers, share).",
    "stages": "Per stage of the map: id, name, events, customers, and per touchpoint its "
    "channel, events, customers, contacts (runs of events at the touchpoint no more than 30 "
    "minutes apart), repeats (contacts again at the same touchpoint within the repeat window) "
    "and repeat_customers.",
    "customers": "Where customers are now, judged at the end of the log: active (seen within "
    "dormant_after_s), dormant (within churned_after_s) or churned; by_current_stage counts "
    "them by the stage of their last mapped event, unplaced those with no mapped event. The "
    "table per customer (events, first_seen, last_seen, status, current_stage, "
    "last_touchpoint, furthest_stage_index) is written beside it as customers.csv.",
    "feedback": "The voice of the customer (only with a feedback file): source, rows, items, "
    "encoder, bad_rows, report (empty_text, other_language, duplicate_ids, duplicate_texts, "
    "html, truncated), placed_by (how each item's stage was found: given, events, text, "
    "unassigned), sentiment (items per label), stages and unassigned. The table per item "
    "(stage, stage_source, stage_confidence, touchpoint, sentiment, score, emotion, category, "
    "kind, theme) is written beside it as feedback_items.csv.",
    "feedback.stages[]": "Per stage: items; sentiment (the measured emotion curve: mean score "
    "-1..1 with its Student-t 95% interval and n); sentiment_labels; emotions; csat and ces "
    "(mean, ci95, n); nps (value -100..100, ci95, n, promoters, detractors); themes (top 5 "
    "groups of negative items: label, keywords, count, quotes, category, kind, touchpoint).",
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
    feedback: FeedbackAnalysis | None = None

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
            **({"feedback": self.feedback.to_json()} if self.feedback else {}),
        }

    def write(self, folder: str | Path) -> Path:
        """Write ``analysis.json`` into ``folder`` (created if missing); return its path."""
        target = Path(folder)
        target.mkdir(parents=True, exist_ok=True)
        path = target / "analysis.json"
        text = json.dumps(self.to_json(), indent=2, ensure_ascii=False, default=_default)
        write_text(path, text + "\n")
        pa_csv.write_csv(self.customer_table, target / "customers.csv")
        if self.feedback:
            pa_csv.write_csv(self.feedback.table(), target / "feedback_items.csv")
        return path


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
    feedback: Feedback | str | Path | None = None,
    feedback_columns: FeedbackColumns | None = None,
    labels: str | Path | None = None,
    encoder: EncoderName = "static",
) -> Analysis:
    """Map the events onto the journey and compute funnel, flow, variants and stages.

    With ``feedback`` (a file or :class:`~cjm.evidence.feedback.Feedback`), also read the
    voice of the customer, placing items by the event log where they name a customer
    (:func:`cjm.voc.understand`).
    """
    if not isinstance(journey, Journey):
        journey = load_journey(journey)
    require_event_rules(journey)  # before reading a possibly large log
    log = (
        events
        if isinstance(events, EventLog)
        else read_events(events, columns, timezone=timezone, on_bad_rows=on_bad_rows)
    )
    mapping = ibis.to_sql(map_touchpoints(events_table(log), journey), dialect="duckdb")
    log.connection.execute(f"CREATE OR REPLACE TEMP TABLE mapped AS {mapping}")  # computed once
    mapped = ibis.duckdb.from_connection(log.connection).table("mapped")
    on_map = mapped.filter(mapped.touchpoint.notnull())
    steps = len(journey.stages)
    channels = {tp.id: tp.channel.value for _stage, tp in journey.touchpoints()}
    contact = contacts(on_map, channels)
    customer_table = customer_status(
        mapped, dormant_after=dormant_after, churned_after=churned_after
    ).to_pyarrow()
    return Analysis(
        journey={"id": journey.id, "name": journey.name, "revision": journey.revision},
        inputs=_inputs(log, mapped),
        window_s=window.total_seconds() if window else None,
        funnel_ordered=funnel(on_map, steps, window=window),
        funnel_any_order=funnel(on_map, steps, ordered=False),
        flow={
            "touchpoints": _records(directly_follows(on_map, "touchpoint"), "count"),
            "events": _records(directly_follows(mapped, "event"), "count", top * 5),
            "start": _records(start_activities(on_map, "touchpoint"), "customers"),
            "end": _records(end_activities(on_map, "touchpoint"), "customers"),
            "channel_switches": _records(channel_switches(contact, repeat_window), "switches"),
            "repeat_window_s": repeat_window.total_seconds(),
        },
        variants={
            "events": _variants(mapped, "event", top),
            "stages": _variants(_stage_visits(on_map), "stage", top),
        },
        stages=_stages(journey, on_map, _by(repeat_contacts(contact, repeat_window), "touchpoint")),
        customers=_customer_summary(journey, customer_table, dormant_after, churned_after),
        customer_table=customer_table,
        feedback=None
        if feedback is None
        else understand(
            feedback, journey, columns=feedback_columns, events=log, labels=labels, encoder=encoder
        ),
    )


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


def _inputs(log: EventLog, mapped: ir.Table) -> dict[str, Any]:
    unmapped = unmapped_events(mapped).to_pyarrow().to_pylist()
    unmapped_total = sum(row["events"] for row in unmapped)
    return {
        "source": log.source,
        "rows": log.rows,
        "customers": log.customers,
        "period": {"start": log.start, "end": log.end},
        "bad_rows": dataclasses.asdict(log.bad),
        "mapped_events": log.rows - unmapped_total,
        "unmapped": {"events": unmapped_total, "by_event": unmapped[:50]},
    }


def _stage_visits(on_map: ir.Table) -> ir.Table:
    """One row per visit to a stage: consecutive events in the same stage collapse."""
    previous = on_map.stage.lag().over(journey_window())
    marked = on_map.mutate(_previous=previous)
    return marked.filter(marked._previous.isnull() | (marked._previous != marked.stage))


def _variants(table: ir.Table, by: str, top: int) -> dict[str, Any]:
    counted = variants(table, by)
    rows = counted.order_by([ibis.desc("customers"), "path"]).limit(top).to_pyarrow().to_pylist()
    return {"total": int(counted.count().execute()), "top": rows}


def _stages(
    journey: Journey, on_map: ir.Table, repeats: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    per_touchpoint, per_stage = _activity(on_map, "touchpoint"), _activity(on_map, "stage")
    return [
        {
            "id": stage.id,
            "name": stage.name,
            "events": per_stage.get(stage.id, {}).get("events", 0),
            "customers": per_stage.get(stage.id, {}).get("customers", 0),
            "touchpoints": [
                {
                    "id": tp.id,
                    "channel": tp.channel.value,
                    "events": per_touchpoint.get(tp.id, {}).get("events", 0),
                    "customers": per_touchpoint.get(tp.id, {}).get("customers", 0),
                    **{
                        key: repeats.get(tp.id, {}).get(key, 0)
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
