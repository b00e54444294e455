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

import contextlib
import dataclasses
import datetime as dt
import gc
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from cjm.analytics import kernels, sequences
from cjm.analytics.arrays import numpy_of
from cjm.analytics.engines import Engine, EngineName, engine_for
from cjm.analytics.parts import Parts, single_pass_parts
from cjm.analytics.rules import require_event_rules
from cjm.analytics.settings import (
    CHURNED_AFTER,
    DORMANT_AFTER,
    REPEAT_WINDOW,
    STATUSES,
    Settings,
)
from cjm.analytics.steps import FunnelStep
from cjm.evidence.columns import ColumnMap
from cjm.evidence.customers import read_customers
from cjm.evidence.events import BadRowPolicy, EventLog, read_events
from cjm.evidence.feedback import Feedback, FeedbackColumns
from cjm.model.files import write_json
from cjm.model.io import load_journey
from cjm.model.journey import Journey

if TYPE_CHECKING:  # the VoC models (scikit-learn, tokenizers) load only when feedback is given
    from cjm.voc.encoder import EncoderName
    from cjm.voc.pipeline import FeedbackAnalysis

TOP_SEGMENTS = 20
FORMAT_VERSION = 1
FIELDS = {
    "format_version": "Version of the analysis.json layout (1).",
    "journey": "The map analysed: id, name, the stored revision it came from (if any) and the "
    "file it was read from (absolute path; null when a loaded Journey was given), where "
    "'cjm report' finds it.",
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
    "funnel.touchpoints": "The same funnel with the touchpoints as steps, in map order "
    "(ordered within the window, and any order); each step names its touchpoint.",
    "funnel.*[]": "Per step: step (1-based), stage (its id; touchpoint in funnel.touchpoints), "
    "reached (customers), conversion from the previous step, ci95 (Wilson 95% interval of "
    "the conversion), drop_off (customers lost since the previous step), median_s and p90_s "
    "(seconds from first reaching the previous step to first reaching this one).",
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
    "segments": "Per segmentation asked for (--segment-by): by (persona, behaviour, activity or "
    "an attribute column), segments (how many there are) and groups: the 20 largest, each with "
    "segment, customers, events, status (active / dormant / churned counts) and funnel "
    "(ordered and any_order, as the top-level funnel). Personas follow the map's rules; "
    "behaviour is first_time or returning (came back after being dormant); activity is power "
    "(events at or above the 75th percentile), casual (at or below the 25th) or regular; an "
    "attribute comes from the customers table, else from the customer's first event.",
    "customers": "Where customers are now, judged at the end of the log: active (seen within "
    "dormant_after_s), dormant (within churned_after_s) or churned; by_current_stage counts "
    "them by the stage of their last mapped event, unplaced those with no mapped event. The "
    "table per customer (events, first_seen, last_seen, status, current_stage, "
    "last_touchpoint, furthest_stage_index) is written beside it as customers.csv.",
    "feedback": "The voice of the customer (only with a feedback file): source, rows, items, "
    "encoder, sentiment_model (linear; linear-fast with --fast; minilm-tuned-social with "
    "--encoder minilm: items of source social read by the fine-tuned MiniLM copies mixed with "
    "the linear model, the others by the linear model), bad_rows, report "
    "(empty_text, other_language, duplicate_ids, duplicate_texts, "
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
    touchpoint_funnel_ordered: list[FunnelStep]
    touchpoint_funnel_any_order: list[FunnelStep]
    flow: dict[str, Any]
    variants: dict[str, Any]
    stages: list[dict[str, Any]]
    customers: dict[str, Any]
    customer_table: pa.Table = dataclasses.field(repr=False)
    segments: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    feedback: FeedbackAnalysis | None = None

    def to_json(self) -> dict[str, Any]:
        """The ``analysis.json`` document (see docs/reference/analysis.md)."""
        stage_ids = [stage["id"] for stage in self.stages]
        touchpoint_ids = [tp["id"] for stage in self.stages for tp in stage["touchpoints"]]
        return {
            "format_version": FORMAT_VERSION,
            "journey": self.journey,
            "inputs": self.inputs,
            "funnel": {
                "window_s": self.window_s,
                "ordered": [_step(s, stage_ids) for s in self.funnel_ordered],
                "any_order": [_step(s, stage_ids) for s in self.funnel_any_order],
                "touchpoints": {
                    "ordered": [
                        _step(s, touchpoint_ids, "touchpoint")
                        for s in self.touchpoint_funnel_ordered
                    ],
                    "any_order": [
                        _step(s, touchpoint_ids, "touchpoint")
                        for s in self.touchpoint_funnel_any_order
                    ],
                },
            },
            "flow": self.flow,
            "variants": self.variants,
            "stages": self.stages,
            "customers": self.customers,
            "segments": [
                {
                    **segmentation,
                    "groups": [
                        {
                            **group,
                            "funnel": {
                                mode: [_step(s, stage_ids) for s in steps]
                                for mode, steps in group["funnel"].items()
                            },
                        }
                        for group in segmentation["groups"]
                    ],
                }
                for segmentation in self.segments
            ],
            **({"feedback": self.feedback.to_json()} if self.feedback else {}),
        }

    def _repr_html_(self) -> str:
        """The evidence and the funnel as a table in Jupyter (drawn by ``cjm.render``)."""
        from cjm.render.notebook import analysis_html

        return analysis_html(self.to_json())

    def write(self, folder: str | Path) -> Path:
        """Write ``analysis.json`` into ``folder`` (created if missing); return its path."""
        path = write_json(folder, "analysis.json", self.to_json(), default=_default)
        pa_csv.write_csv(self.customer_table, path.parent / "customers.csv")
        if self.feedback:
            pa_csv.write_csv(self.feedback.table(), path.parent / "feedback_items.csv")
        return path


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused (if it runs) while analysing. The analysis
    makes few reference cycles, and each full collection walks every object the imports
    made (Ibis, SQLGlot, Numba): tenths of a second holding the GIL that the parallel
    passes need. The collector runs again, as before, when the analysis ends."""
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


@_collector_paused()
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
    customers: str | Path | None = None,
    customers_id_col: str = "customer_id",
    segment_by: Sequence[str] = (),
    single_pass: bool = True,
    engine: EngineName | Engine = "duckdb",
    spark_master: str | None = None,
    feedback: Feedback | str | Path | None = None,
    feedback_columns: FeedbackColumns | None = None,
    labels: str | Path | None = None,
    encoder: EncoderName = "static",
) -> Analysis:
    """Map the events onto the journey and compute funnel, flow, variants and stages.

    ``customers`` is a table of customer attributes (persona rules test them);
    ``segment_by`` names segmentations to break the funnel and statuses down by: ``persona``,
    ``behaviour``, ``activity`` or any attribute column (see :mod:`cjm.analytics.segments`).

    ``single_pass`` sorts the log once and computes everything in vectorised passes over it
    (:mod:`cjm.analytics.single_pass`); ``False`` runs the SQL definitions instead. Both give
    the same numbers.

    ``engine``: ``duckdb`` (embedded, the default), ``spark`` (on ``spark_master``, see
    :class:`~cjm.analytics.engines.SparkEngine`), or an engine such as
    ``SparkEngine(session)`` for a Spark session you have; the results are the same. Spark
    runs the SQL definitions.

    With ``feedback`` (a file or :class:`~cjm.evidence.feedback.Feedback`), also read the
    voice of the customer, placing items by the event log where they name a customer
    (:func:`cjm.voc.understand`).
    """
    map_file = None if isinstance(journey, Journey) else Path(journey).resolve()
    if not isinstance(journey, Journey):
        journey = load_journey(journey)
    require_event_rules(journey)  # before reading a possibly large log
    rules = None
    if single_pass:  # Numba and the rules' compiler start up while DuckDB reads the log
        kernels.prepare()
        rules = sequences.prepare(journey)
    log = (
        events
        if isinstance(events, EventLog)
        else read_events(events, columns, timezone=timezone, on_bad_rows=on_bad_rows)
    )
    if customers is not None:
        read_customers(customers, log.connection, customer_col=customers_id_col)
    settings = Settings(window, top, dormant_after, churned_after, repeat_window)
    run = engine_for(engine, spark_master)
    parts = None
    if single_pass and run.name == "duckdb":
        try:
            parts = single_pass_parts(log, journey, settings, rules)
        except sequences.HashCollision:
            parts = None  # astronomically rare; the SQL definitions need no hashes
    if parts is None:
        from cjm.analytics.sql_parts import sql_parts  # loads Ibis; the single pass does without

        parts = sql_parts(log, journey, settings, run)
    analysis = _assemble(journey, map_file, log, settings, parts)
    if segment_by:
        groups = _segments(journey, log, settings, parts, segment_by, customers is not None)
        analysis = dataclasses.replace(analysis, segments=groups)
    run.release()
    if feedback is not None:
        from cjm.voc.pipeline import understand

        understood = understand(
            feedback, journey, columns=feedback_columns, events=log, labels=labels, encoder=encoder
        )
        analysis = dataclasses.replace(analysis, feedback=understood)
    return analysis


def _segments(
    journey: Journey,
    log: EventLog,
    settings: Settings,
    parts: Parts,
    segment_by: Sequence[str],
    with_customers: bool,
) -> list[dict[str, Any]]:
    """Per segmentation: its top segments with customers, events, statuses and funnels."""
    import ibis  # here, not at the top: an analysis without segments runs without Ibis

    from cjm.analytics.segments import profile, segment

    con = log.connection
    backend = ibis.duckdb.from_connection(con)
    events = backend.table(log.table)
    attributes = [
        c for c in events.columns if c not in ("customer_id", "timestamp", "event", "seq")
    ]
    profiles = profile(
        events,
        attributes,
        backend.table("customers") if with_customers else None,
        dormant_after=settings.dormant_after,
        churned_after=settings.churned_after,
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE _profiles AS {ibis.to_sql(profiles, 'duckdb')}")
    customers = parts.customer_table
    result = []
    for by in segment_by:
        chosen = segment(backend.table("_profiles"), journey, by)
        con.execute(f"CREATE OR REPLACE TEMP TABLE _segment AS {ibis.to_sql(chosen, 'duckdb')}")
        sizes = con.execute(
            "SELECT segment, count(DISTINCT customer_id) FROM _segment "
            "GROUP BY 1 ORDER BY 2 DESC, 1"
        ).fetchall()
        groups = []
        for name, size in sizes[:TOP_SEGMENTS]:
            con.execute(
                "CREATE OR REPLACE TEMP TABLE _members AS "
                "SELECT DISTINCT customer_id FROM _segment WHERE segment = ?",
                [name],
            )
            ids = con.sql("SELECT customer_id FROM _members").to_arrow_table().column(0)
            members = customers.filter(pc.is_in(customers.column("customer_id"), value_set=ids))
            ordered, any_order = parts.funnels_of(ids)
            status = members.column("status").to_pylist()
            groups.append(
                {
                    "segment": name,
                    "customers": int(size),
                    "events": int(pc.sum(members.column("events")).as_py() or 0),
                    "status": {s: status.count(s) for s in STATUSES},
                    "funnel": {"ordered": ordered, "any_order": any_order},
                }
            )
        result.append({"by": by, "segments": len(sizes), "groups": groups})
    return result


def _assemble(
    journey: Journey, map_file: Path | None, log: EventLog, settings: Settings, parts: Parts
) -> Analysis:
    unmapped_total = sum(row["events"] for row in parts.unmapped)
    return Analysis(
        journey={
            "id": journey.id,
            "name": journey.name,
            "revision": journey.revision,
            "file": str(map_file) if map_file else None,
        },
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
        touchpoint_funnel_ordered=parts.touchpoint_funnel_ordered,
        touchpoint_funnel_any_order=parts.touchpoint_funnel_any_order,
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


def _customer_summary(
    journey: Journey, table: pa.Table, dormant_after: dt.timedelta, churned_after: dt.timedelta
) -> dict[str, Any]:
    counts = _pair_counts(table.column("current_stage"), table.column("status"))
    statuses = STATUSES
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


def _pair_counts(first: pa.ChunkedArray, second: pa.ChunkedArray) -> dict[tuple[Any, Any], int]:
    """How many rows hold each pair of values (nulls too): numbered by Arrow, counted by
    numpy (Arrow's group_by would import pandas)."""
    one, two = (
        pc.dictionary_encode(c.combine_chunks(), null_encoding="encode") for c in (first, second)
    )
    width = len(two.dictionary)
    counted = np.bincount(numpy_of(one.indices) * width + numpy_of(two.indices))
    return {
        (one.dictionary[k // width].as_py(), two.dictionary[k % width].as_py()): int(n)
        for k, n in enumerate(counted)
        if n
    }


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


def _step(step: FunnelStep, ids: list[str], key: str = "stage") -> dict[str, Any]:
    record = dataclasses.asdict(step)
    record[key] = ids[step.step - 1]
    interval = record.pop("interval")
    record["ci95"] = [interval["low"], interval["high"]] if interval else None
    return record


def _default(value: object) -> object:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to analysis.json")
