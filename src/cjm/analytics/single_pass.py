"""The analytics again, as vectorised passes over :class:`~cjm.analytics.sequences.Sequences`.

Each function returns exactly what its SQL definition returns (same rows, same numbers: a
test runs both on the same logs), without sorting the log again: consecutive rows are
consecutive events of a customer, so a directly-follows pair is a row and the next, and a
customer's path is a polynomial hash of its codes, checked against a representative path
before it is trusted. The loops are compiled (:mod:`cjm.analytics.kernels`); what is left
here is the meaning of their numbers.

Quantiles interpolate like DuckDB's ``quantile_cont``: position ``(n - 1) q`` between the
two nearest order statistics.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from cjm.analytics import kernels
from cjm.analytics.sequences import NONE, Floats, HashCollision, Ints, Mask, Sequences
from cjm.analytics.settings import DECIMALS, QUANTILES
from cjm.analytics.steps import FunnelStep, funnel_steps


def directly_follows(seq: Sequences, column: str) -> list[dict[str, Any]]:
    """Edges with ``source``, ``target``, ``count``, ``median_s`` and ``p90_s``."""
    names = seq.names[column]
    present, bounds, seconds = kernels.pairs_grouped(
        seq.starts, *seq.coded(column), seq.us, len(names), False
    )
    median, p90 = _median_p90(seconds, bounds)
    return [
        {
            "source": names[int(key) // len(names)],
            "target": names[int(key) % len(names)],
            "count": int(bounds[g + 1] - bounds[g]),
            "median_s": median[g],
            "p90_s": p90[g],
        }
        for g, key in enumerate(present)
    ]


def boundary_activities(seq: Sequences, column: str, *, first: bool) -> list[dict[str, Any]]:
    """How many customers start (or end) with each value of ``column``."""
    codes = kernels.ends(seq.starts, *seq.coded(column), first)
    names = seq.names[column]
    counts = np.bincount(codes[codes != NONE], minlength=len(names))
    return [{"activity": names[c], "customers": int(n)} for c, n in enumerate(counts) if n]


def variants(seq: Sequences, column: str, top: int) -> dict[str, Any]:
    """``total`` distinct paths and the ``top`` ones: path, customers, share."""
    coded, names = seq.coded(column), seq.names[column]
    if not seq.rows:
        return {"total": 0, "top": []}
    paths = kernels.Numbering(max(1024, seq.customers // 2), grows=True)
    group = paths.number(kernels.path_hashes(seq.starts, *coded))  # by first appearance
    counts = paths.rows[: len(paths.found)]
    new = np.ones(len(group), dtype=bool)  # numbered in order: a new one exceeds all before
    new[1:] = group[1:] > np.maximum.accumulate(group)[:-1]
    representative = np.flatnonzero(new)  # the first customer of each
    if not kernels.same_paths(seq.starts, *coded, representative[group]):
        raise HashCollision("two different paths share a hash")
    k = min(top, len(counts))
    kth = np.partition(counts, len(counts) - k)[len(counts) - k]  # the k-th most customers
    candidates = [
        (
            [names[c] for c in seq.code_at(column, slice(seq.starts[r], seq.starts[r + 1]))],
            int(counts[g]),
        )
        for g, r in enumerate(representative)
        if counts[g] >= kth
    ]
    candidates.sort(key=lambda item: (-item[1], item[0]))
    return {
        "total": len(counts),
        "top": [
            {"path": path, "customers": n, "share": n / seq.customers}
            for path, n in candidates[:top]
        ],
    }


def funnel(
    seq: Sequences,
    steps: int,
    *,
    window_ms: int | None,
    ordered: bool,
    column: str = "stage",
    chosen: Mask | None = None,
) -> list[FunnelStep]:
    """The funnel over the codes of ``column`` (0-based steps) of the ``chosen`` customers
    (all by default), as :func:`cjm.analytics.funnel.funnel`.

    In ordered mode, an event of step k continues the chain of the latest earlier event of
    the same customer that reached step k - 1 (chain starts only move forward in time), if
    it is within the window of that chain's start.
    """
    if chosen is None:
        chosen = np.ones(seq.customers, dtype=bool)
    window = -1 if window_ms is None else window_ms
    reached, bounds, gaps = kernels.funnel(
        seq.starts, *seq.coded(column), seq.us, steps, window, ordered, chosen
    )
    between = quantiles(gaps, bounds)
    row: dict[str, Any] = {}
    for k in range(steps):
        row[f"reached_{k + 1}"] = int(reached[k])
        if k:
            row[f"both_{k + 1}"] = int(bounds[k + 1] - bounds[k])
            row[f"q_{k + 1}"] = between[k]
    return funnel_steps(row, steps)


def activity(seq: Sequences, column: str) -> dict[str, dict[str, Any]]:
    """Events and distinct customers per value of ``column``."""
    names = seq.names[column]
    events, customers = kernels.rows_and_customers(seq.starts, *seq.coded(column), len(names))
    return {
        names[c]: {column: names[c], "events": int(events[c]), "customers": int(customers[c])}
        for c in range(len(names))
        if events[c]
    }


def contacts(seq: Sequences, channel_of: dict[str, str], gap_s: int) -> Sequences:
    """One row per contact: a run of mapped rows at one touchpoint, at most ``gap_s`` apart
    (unmapped rows between them are passed over)."""
    found = seq.where(runs(seq, "touchpoint", gap_s))
    channels = sorted(set(channel_of.values()))
    channel = np.array(
        [channels.index(channel_of[tp]) for tp in seq.names["touchpoint"]], dtype=np.int32
    )
    touchpoint_of = found.lookups["touchpoint"]
    return dataclasses.replace(
        found,
        lookups={
            **found.lookups,
            "channel": np.where(touchpoint_of >= 0, channel[touchpoint_of], NONE),
        },
        names={**found.names, "channel": channels},
    )


def runs(seq: Sequences, column: str, gap_s: int | None = None) -> Mask:
    """Whether each row begins a run: the customer's first row, or one whose code of
    ``column`` differs from the row before, or (with ``gap_s``) that comes more than
    ``gap_s`` seconds after it."""
    gap = -1 if gap_s is None else gap_s
    begins: Mask = kernels.run_starts(seq.starts, *seq.coded(column), seq.us, gap)
    return begins


def repeat_contacts(contact: Sequences, window_s: int) -> dict[str, dict[str, Any]]:
    """Per touchpoint: contacts, repeats within ``window_s``, customers who repeated."""
    names = contact.names["touchpoint"]
    counted, repeats, repeaters = kernels.repeats(
        contact.starts, *contact.coded("touchpoint"), contact.us, len(names), window_s
    )
    return {
        names[c]: {
            "touchpoint": names[c],
            "contacts": int(counted[c]),
            "repeats": int(repeats[c]),
            "repeat_customers": int(repeaters[c]),
        }
        for c in range(len(names))
        if counted[c]
    }


def changes(
    seq: Sequences, column: str, within_s: int | None = None, *, backwards: bool = False
) -> list[dict[str, Any]]:
    """Rows whose ``column`` differs from the customer's previous row (within ``within_s``
    seconds; with ``backwards``, only to a lower code), counted per (from, to)."""
    names = seq.names[column]
    within = -1 if within_s is None else within_s
    counts, customers = kernels.moves(
        seq.starts, *seq.coded(column), seq.us, len(names), within, backwards
    )
    return [
        {
            "from": names[int(key) // len(names)],
            "to": names[int(key) % len(names)],
            "count": int(counts[key]),
            "customers": int(customers[key]),
        }
        for key in np.flatnonzero(counts)
    ]


def dwell(visits: Sequences) -> dict[str, dict[str, Any]]:
    """Per stage: visits, completed visits (followed by another) and their median / p90
    seconds from entering the stage to entering the next."""
    names, stage = visits.names["stage"], visits.coded("stage")
    present, bounds, seconds = kernels.pairs_grouped(
        visits.starts, *stage, visits.us, len(names), True
    )
    median, p90 = _median_p90(seconds, bounds)
    completed: dict[int, tuple[int, float | None, float | None]]
    completed = dict.fromkeys(range(len(names)), (0, None, None))
    for g, s in enumerate(present.tolist()):
        completed[s] = (int(bounds[g + 1] - bounds[g]), median[g], p90[g])
    total, _customers = kernels.rows_and_customers(visits.starts, *stage, len(names))
    return {
        names[s]: {
            "stage": names[s],
            "visits": int(total[s]),
            **dict(zip(("completed", "median_s", "p90_s"), completed[s], strict=True)),
        }
        for s in range(len(names))
        if total[s]
    }


def quantiles(values: Floats, bounds: Ints) -> list[list[float] | None]:
    """``QUANTILES`` of each group ``values[bounds[g]:bounds[g + 1]]`` (None for an empty
    group; each group is sorted in place), interpolated like DuckDB's quantile_cont and
    rounded to ``DECIMALS`` like the SQL definitions (durations are whole milliseconds, so
    this drops only interpolation noise). numpy's vectorised sort of a group takes less
    time than selecting its order statistics one by one."""
    found: list[list[float] | None] = []
    for g in range(len(bounds) - 1):
        group = values[bounds[g] : bounds[g + 1]]
        if not len(group):
            found.append(None)
            continue
        group.sort()
        picked = []
        for q in QUANTILES:
            position = (len(group) - 1) * q
            below, above = float(group[math.floor(position)]), float(group[math.ceil(position)])
            fraction = position - math.floor(position)
            exact = below if below == above else below + (above - below) * fraction
            picked.append(round(exact, DECIMALS))
        found.append(picked)
    return found


def _median_p90(values: Floats, bounds: Ints) -> tuple[list[float | None], list[float | None]]:
    found = quantiles(values, bounds)
    return [q[0] if q else None for q in found], [q[1] if q else None for q in found]
