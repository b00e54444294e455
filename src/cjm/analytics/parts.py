"""What an analysis computes (:class:`Parts`), and the single pass that computes it.

The SQL definitions (:func:`cjm.analytics.sql_parts.sql_parts`) return the same parts with
the same numbers (tests compare them on the demo log, real logs and generated ones);
:func:`cjm.analytics.analyze.analyze` assembles them. This module does not load Ibis.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from cjm.analytics import kernels
from cjm.analytics import single_pass as fast
from cjm.analytics.arrays import arrow_of, numpy_of, strings_of
from cjm.analytics.sequences import (
    NONE,
    CompiledRules,
    HashCollision,
    Ints,
    Sequences,
    customer_ids,
    load_sequences,
)
from cjm.analytics.settings import SESSION_GAP, STATUSES, Settings
from cjm.analytics.steps import FunnelStep
from cjm.evidence.events import EventLog
from cjm.model.journey import Journey

Funnels = tuple[list[FunnelStep], list[FunnelStep]]


@dataclass(frozen=True)
class Parts:
    """What an engine computes; the same numbers whichever engine computed them."""

    unmapped: list[dict[str, Any]]
    funnel_ordered: list[FunnelStep]
    funnel_any_order: list[FunnelStep]
    touchpoint_funnel_ordered: list[FunnelStep]
    touchpoint_funnel_any_order: list[FunnelStep]
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
    funnels_of: Callable[[pa.Array], Funnels]
    """The ordered and any-order funnels of the customers whose ids are given."""


def single_pass_parts(
    log: EventLog,
    journey: Journey,
    settings: Settings,
    rules: Future[CompiledRules] | None = None,
) -> Parts:
    """Every analytic in compiled passes over the log sorted once (same numbers as SQL).

    The passes release the GIL, so independent ones run side by side on the machine's
    cores, and DuckDB lists the customer ids meanwhile (on a cursor of its own). ``rules``:
    the touchpoint rules compiled ahead (:func:`cjm.analytics.sequences.prepare`)."""
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        ids = pool.submit(customer_ids, log.connection.cursor(), log.ids)
        seq = load_sequences(
            log.connection, journey, log.table, customers=log.customers, rules=rules, ids=log.ids
        )
        # The analytics of the map pass over unmapped rows: visits and contacts keep mapped
        # rows only.
        visits = _Shared(lambda: seq.where(fast.runs(seq, "stage")))
        channels = {tp.id: tp.channel.value for _stage, tp in journey.touchpoints()}
        gap = int(SESSION_GAP.total_seconds())
        contact = _Shared(lambda: fast.contacts(seq, channels, gap))
        parts = {
            name: pool.submit(compute)
            for name, compute in _single_pass_parts(
                journey, settings, seq, visits, contact, ids
            ).items()
        }
        done = {name: future.result() for name, future in parts.items()}
    window_ms, steps = settings.window_ms, len(journey.stages)

    def funnels_of(members: pa.Array) -> Funnels:
        listed = log.connection.from_arrow(pa.table({"customer_id": members}))
        found = listed.select("hash(customer_id) AS c").to_arrow_table()
        keys = np.asarray(numpy_of(found.column("c")), dtype=np.uint64)
        chosen = np.isin(seq.customer_keys, keys)
        return (
            fast.funnel(seq, steps, window_ms=window_ms, ordered=True, chosen=chosen),
            fast.funnel(seq, steps, window_ms=None, ordered=False, chosen=chosen),
        )

    return Parts(**done, funnels_of=funnels_of)


def _single_pass_parts(
    journey: Journey,
    settings: Settings,
    seq: Sequences,
    visits: _Shared[Sequences],
    contact: _Shared[Sequences],
    ids: Future[tuple[pa.Array, npt.NDArray[np.uint64]]],
) -> dict[str, Callable[[], Any]]:
    """How to compute each part, as a function of no arguments (run on a thread pool)."""
    window_ms = settings.window_ms
    repeat_s = int(settings.repeat_window.total_seconds())
    steps, touchpoints = len(journey.stages), len(list(journey.touchpoints()))
    events = seq.names["event"]

    def unmapped_events() -> list[dict[str, Any]]:
        # rows per combination: each combination as its own code (np.bincount of the 32-bit
        # column would first widen it to 64 bits)
        combinations = np.arange(len(seq.lookups["event"]), dtype=np.int32)
        rows, _ = kernels.rows_and_customers(seq.starts, seq.combo, combinations, len(combinations))
        unmapped = seq.lookups["touchpoint"] == NONE  # per combination
        counts = np.zeros(len(events), dtype=np.int64)
        np.add.at(counts, seq.lookups["event"][unmapped], rows[unmapped])
        found = [{"event": e, "events": int(n)} for e, n in zip(events, counts, strict=True) if n]
        return _sorted(found, "events")

    def switches() -> list[dict[str, Any]]:
        found = fast.changes(contact(), "channel", repeat_s)
        return _named_changes(found, "from_channel", "to_channel", "switches")

    def back_steps() -> list[dict[str, Any]]:
        found = fast.changes(visits(), "stage", backwards=True)
        return _named_changes(found, "from_stage", "to_stage", "back_steps")

    # The longest first, so that the workers finish close together.
    return {
        "customer_table": lambda: _customer_table(seq, settings, *ids.result()),
        "event_edges": lambda: _sorted(
            fast.directly_follows(seq, "event"), "count", settings.top * 5
        ),
        "event_variants": lambda: fast.variants(seq, "event", settings.top),
        "touchpoint_funnel_any_order": lambda: fast.funnel(
            seq, touchpoints, window_ms=None, ordered=False, column="touchpoint"
        ),
        "touchpoint_edges": lambda: _sorted(fast.directly_follows(seq, "touchpoint"), "count"),
        "channel_switches": switches,  # computes the contacts first
        "funnel_ordered": lambda: fast.funnel(seq, steps, window_ms=window_ms, ordered=True),
        "funnel_any_order": lambda: fast.funnel(seq, steps, window_ms=None, ordered=False),
        "dwell": lambda: fast.dwell(visits()),
        "stage_activity": lambda: fast.activity(seq, "stage"),
        "touchpoint_activity": lambda: fast.activity(seq, "touchpoint"),
        "touchpoint_funnel_ordered": lambda: fast.funnel(
            seq, touchpoints, window_ms=window_ms, ordered=True, column="touchpoint"
        ),
        "stage_variants": lambda: fast.variants(visits(), "stage", settings.top),
        "repeats": lambda: fast.repeat_contacts(contact(), repeat_s),
        "unmapped": unmapped_events,
        "back_steps": back_steps,
        "start": lambda: _sorted(
            fast.boundary_activities(seq, "touchpoint", first=True), "customers"
        ),
        "end": lambda: _sorted(
            fast.boundary_activities(seq, "touchpoint", first=False), "customers"
        ),
    }


T = TypeVar("T")


class _Shared(Generic[T]):
    """A value the parts share, computed once by the first that asks (the others wait)."""

    def __init__(self, compute: Callable[[], T]) -> None:
        self._compute = compute
        self._lock = threading.Lock()
        self._value: list[T] = []

    def __call__(self) -> T:
        with self._lock:
            if not self._value:
                self._value.append(self._compute())
        return self._value[0]


def _named_changes(
    rows: list[dict[str, Any]], source: str, target: str, count: str
) -> list[dict[str, Any]]:
    """:func:`~cjm.analytics.single_pass.changes` under the names the SQL definition gives."""
    named = [
        {source: r["from"], target: r["to"], count: r["count"], "customers": r["customers"]}
        for r in rows
    ]
    return _sorted(named, count)


def _customer_table(
    seq: Sequences,
    settings: Settings,
    ids: pa.Array,
    hashes: npt.NDArray[np.uint64],
) -> pa.Table:
    """The table of :func:`cjm.analytics.customers.customer_status`, from the sequences, in
    the order of the customer ``ids`` (whose ``hashes`` place them among the sequences)."""
    first_row, last_row = seq.starts[:-1], seq.starts[1:] - 1
    seconds = seq.us[last_row] // 1_000_000  # floored, like DuckDB's date_diff
    idle = seconds.max() - seconds
    limits = [settings.dormant_after.total_seconds(), settings.churned_after.total_seconds()]
    status = np.searchsorted(np.array(limits), idle, side="left")  # 0 active, 1, 2 churned
    stage = kernels.ends(seq.starts, *seq.coded("stage"), False)  # of the last mapped row
    touchpoint = kernels.ends(seq.starts, *seq.coded("touchpoint"), False)
    furthest = kernels.maxima(seq.starts, *seq.coded("stage"))
    furthest[furthest != NONE] += 1  # 1-based
    at = _places(hashes, seq.customer_keys)
    utc = pa.timestamp("us", tz="UTC")
    return pa.table(
        {
            "customer_id": ids,
            "events": arrow_of(np.diff(seq.starts)[at], pa.int64()),
            "first_seen": arrow_of(seq.us[first_row][at], utc),
            "last_seen": arrow_of(seq.us[last_row][at], utc),
            "status": _names(status[at], list(STATUSES)),
            "current_stage": _names(stage[at], seq.names["stage"]),
            "last_touchpoint": _names(touchpoint[at], seq.names["touchpoint"]),
            "furthest_stage_index": arrow_of(furthest[at], pa.int64(), furthest[at] != NONE),
        }
    )


def _places(hashes: npt.NDArray[np.uint64], keys: npt.NDArray[np.uint64]) -> Ints:
    """Where each of ``hashes`` is among ``keys``, when both hold the same values in any
    order (the customers' hashes, listed from their ids and found in the rows). Raises
    :class:`HashCollision` when they differ (two ids share a hash)."""
    if len(hashes) != len(keys):
        raise HashCollision("two customers share a hash")
    by_hash, by_key = np.argsort(hashes), np.argsort(keys)
    if not np.array_equal(hashes[by_hash], keys[by_key]):
        raise HashCollision("two customers share a hash")
    at = np.empty(len(hashes), dtype=np.int64)
    at[by_hash] = by_key
    return at


def _names(codes: npt.NDArray[np.int64], names: list[str]) -> pa.Array:
    """The name of each code (null for ``NONE``), taken by Arrow: no Python object per row."""
    return strings_of(names).take(arrow_of(codes, pa.int64(), codes != NONE))


def _sorted(rows: list[dict[str, Any]], by: str, limit: int | None = None) -> list[dict[str, Any]]:
    """``rows`` in the order the SQL definitions give them (:mod:`cjm.analytics.sql_parts`):
    ``by`` descending, then the other values."""
    ordered = sorted(rows, key=lambda row: (-row[by], *[v for k, v in row.items() if k != by]))
    return ordered if limit is None else ordered[:limit]
