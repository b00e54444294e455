"""The analytics again, as vectorised passes over :class:`~cjm.analytics.sequences.Sequences`.

Each function returns exactly what its SQL definition returns (same rows, same numbers: a
test runs both on the same logs), without sorting the log again: consecutive rows are
consecutive events of a customer, so a directly-follows pair is a row and the next, a
running maximum is ``np.maximum.accumulate``, and a customer's path is a polynomial hash of
its codes, checked against a representative path before it is trusted.

Quantiles interpolate like DuckDB's ``quantile_cont``: position ``(n - 1) q`` between the
two nearest order statistics.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from cjm.analytics.flow import DECIMALS, QUANTILES
from cjm.analytics.funnel import FunnelStep, funnel_steps
from cjm.analytics.sequences import NONE, Floats, HashCollision, Ints, Mask, Sequences

MS = 1000
# Distinct (customer, code) pairs are counted in a bitmap up to this size, by sorting beyond.
BITMAP_LIMIT = 2**27
# Two odd multipliers for the path hashes (any fixed odd 64-bit numbers will do).
_BASES = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F))


def directly_follows(seq: Sequences, column: str) -> list[dict[str, Any]]:
    """Edges with ``source``, ``target``, ``count``, ``median_s`` and ``p90_s``."""
    codes, names = seq.codes[column], seq.names[column]
    same = seq.follows()
    source, target = codes[:-1][same], codes[1:][same]
    ms = seq.ms
    seconds = (ms[1:] - ms[:-1])[same] / MS
    edge = source.astype(np.int64) * len(names) + target
    present, group = _dense(edge, len(names) ** 2)
    counts = np.bincount(group, minlength=len(present))
    median, p90 = grouped_quantiles(seconds, group, len(present))
    return [
        {
            "source": names[int(key) // len(names)],
            "target": names[int(key) % len(names)],
            "count": int(counts[g]),
            "median_s": median[g],
            "p90_s": p90[g],
        }
        for g, key in enumerate(present)
    ]


def boundary_activities(seq: Sequences, column: str, *, first: bool) -> list[dict[str, Any]]:
    """How many customers start (or end) with each value of ``column``."""
    rows = seq.starts[:-1] if first else seq.starts[1:] - 1
    counts = np.bincount(seq.codes[column][rows], minlength=len(seq.names[column]))
    names = seq.names[column]
    return [{"activity": names[c], "customers": int(n)} for c, n in enumerate(counts) if n]


def variants(seq: Sequences, column: str, top: int) -> dict[str, Any]:
    """``total`` distinct paths and the ``top`` ones: path, customers, share."""
    codes, names = seq.codes[column], seq.names[column]
    if not seq.rows:
        return {"total": 0, "top": []}
    lengths = np.diff(seq.starts)
    position = np.arange(seq.rows, dtype=np.int64) - seq.starts[seq.customer]
    symbols = (codes + 1).astype(np.uint64)
    hashes = []
    for base in _BASES:
        powers = np.multiply.accumulate(np.full(int(lengths.max()), base, dtype=np.uint64))
        powers = np.concatenate(([np.uint64(1)], powers[:-1]))
        hashes.append(np.add.reduceat(symbols * powers[position], seq.starts[:-1]))
    order = np.lexsort((hashes[1], hashes[0], lengths))
    changed = np.zeros(len(order), dtype=bool)
    changed[0] = True
    for key in (lengths, *hashes):
        ranked = key[order]
        changed[1:] |= ranked[1:] != ranked[:-1]
    group_of_ranked = np.cumsum(changed) - 1
    group = np.empty_like(group_of_ranked)
    group[order] = group_of_ranked
    representative = order[changed]  # the first customer of each group
    _check_paths(seq, codes, representative[group], position)
    counts = np.bincount(group)
    kth = counts[np.argsort(-counts, kind="stable")[min(top, len(counts)) - 1]]
    candidates = [
        ([names[c] for c in codes[seq.starts[r] : seq.starts[r + 1]]], int(counts[g]))
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
    seq: Sequences, steps: int, *, window_ms: int | None, ordered: bool, column: str = "stage"
) -> list[FunnelStep]:
    """The funnel over the codes of ``column`` (0-based steps), as
    :func:`cjm.analytics.funnel.funnel`.

    In ordered mode, an event of step k continues the chain of the latest earlier event of
    the same customer that reached step k - 1 (chain starts only move forward in time), if
    it is within the window of that chain's start.
    """
    stage, ms = seq.codes[column], seq.ms
    by_stage = np.argsort(stage.astype(_smallest(steps + 1)), kind="stable")
    bounds = np.searchsorted(stage[by_stage], np.arange(steps + 1))
    row: dict[str, Any] = {}
    chain_rows = chain_starts = np.zeros(0, dtype=np.int64)
    reached_before, first_before = np.zeros(seq.customers, dtype=bool), ms[:0]
    for k in range(steps):
        rows = by_stage[bounds[k] : bounds[k + 1]]  # the events of step k, in order
        starts = rows
        if k and ordered:
            rows, starts = _continue_chains(seq, ms, rows, (chain_rows, chain_starts), window_ms)
        chain_rows, chain_starts = rows, starts
        reached, first = _first_per_customer(seq, rows, ms)
        row[f"reached_{k + 1}"] = int(reached.sum())
        if k:
            both = reached & reached_before
            row[f"both_{k + 1}"] = int(both.sum())
            gaps = (first[both] - first_before[both]) / MS
            row[f"q_{k + 1}"] = quantiles(gaps) if len(gaps) else None
        reached_before, first_before = reached, first
    return funnel_steps(row, steps)


def _continue_chains(
    seq: Sequences, ms: Ints, rows: Ints, chains: tuple[Ints, Ints], window_ms: int | None
) -> tuple[Ints, Ints]:
    """The ``rows`` that continue a chain (the latest earlier chain row of the same customer,
    within the window of its start), and the starts of their chains."""
    chain_rows, chain_starts = chains
    if not len(chain_rows):
        return rows[:0], rows[:0]
    latest = np.maximum(np.searchsorted(chain_rows, rows) - 1, 0)
    found = (chain_rows[latest] < rows) & (seq.customer[chain_rows[latest]] == seq.customer[rows])
    starts = chain_starts[latest]
    if window_ms is not None:
        found &= ms[rows] - ms[starts] <= window_ms
    return rows[found], starts[found]


def activity(seq: Sequences, column: str) -> dict[str, dict[str, Any]]:
    """Events and distinct customers per value of ``column``."""
    names, codes = seq.names[column], seq.codes[column]
    events = np.bincount(codes, minlength=len(names))
    customers = distinct_customers(seq, codes, np.ones(seq.rows, dtype=bool), len(names))
    return {
        names[c]: {column: names[c], "events": int(events[c]), "customers": int(customers[c])}
        for c in range(len(names))
        if events[c]
    }


def contacts(on_map: Sequences, channel_of: dict[str, str], gap_s: int) -> Sequences:
    """One row per contact (a run at one touchpoint, rows at most ``gap_s`` apart)."""
    touchpoint, seconds = on_map.codes["touchpoint"], on_map.seconds
    start = on_map.firsts()
    start[1:] |= (touchpoint[1:] != touchpoint[:-1]) | (seconds[1:] - seconds[:-1] > gap_s)
    found = on_map.where(start)
    channels = sorted(set(channel_of.values()))
    lookup = np.array(
        [channels.index(channel_of[tp]) for tp in on_map.names["touchpoint"]], dtype=np.int32
    )
    return Sequences(
        starts=found.starts,
        us=found.us,
        codes={**found.codes, "channel": lookup[found.codes["touchpoint"]]},
        names={**found.names, "channel": channels},
        customer_keys=found.customer_keys,
    )


def repeat_contacts(contact: Sequences, window_s: int) -> dict[str, dict[str, Any]]:
    """Per touchpoint: contacts, repeats within ``window_s``, customers who repeated."""
    names, touchpoint = contact.names["touchpoint"], contact.codes["touchpoint"]
    order = np.argsort(touchpoint.astype(_smallest(len(names))), kind="stable")
    place, customer, seconds = touchpoint[order], contact.customer[order], contact.seconds[order]
    repeat = np.zeros(len(order), dtype=bool)
    repeat[1:] = (
        (place[1:] == place[:-1])
        & (customer[1:] == customer[:-1])
        & (seconds[1:] - seconds[:-1] <= window_s)
    )
    counted = np.bincount(place, minlength=len(names))
    repeats = np.bincount(place[repeat], minlength=len(names))
    repeaters = _distinct_pairs(customer[repeat], place[repeat], len(names), contact.customers)
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
    codes, names = seq.codes[column], seq.names[column]
    same = seq.follows()
    before, after = codes[:-1], codes[1:]
    moved = same & ((after < before) if backwards else (after != before))
    if within_s is not None:
        seconds = seq.seconds
        moved &= seconds[1:] - seconds[:-1] <= within_s
    pair = before[moved].astype(np.int64) * len(names) + after[moved]
    present, group = _dense(pair, len(names) ** 2)
    counts = np.bincount(group, minlength=len(present))
    customers = _distinct_pairs(seq.customer[1:][moved], group, len(present), seq.customers)
    return [
        {
            "from": names[int(key) // len(names)],
            "to": names[int(key) % len(names)],
            "count": int(counts[g]),
            "customers": int(customers[g]),
        }
        for g, key in enumerate(present)
    ]


def dwell(visits: Sequences) -> dict[str, dict[str, Any]]:
    """Per stage: visits, completed visits (followed by another) and their median / p90
    seconds from entering the stage to entering the next."""
    names, stage = visits.names["stage"], visits.codes["stage"]
    same = visits.follows()
    ms = visits.ms
    seconds = (ms[1:] - ms[:-1])[same] / MS
    completed = stage[:-1][same]
    median, p90 = grouped_quantiles(seconds, completed, len(names))
    total = np.bincount(stage, minlength=len(names))
    done = np.bincount(completed, minlength=len(names))
    return {
        names[s]: {
            "stage": names[s],
            "visits": int(total[s]),
            "completed": int(done[s]),
            "median_s": median[s],
            "p90_s": p90[s],
        }
        for s in range(len(names))
        if total[s]
    }


def quantiles(values: Floats) -> list[float]:
    """``QUANTILES`` of ``values`` (not empty), interpolated like DuckDB's quantile_cont and
    rounded to ``DECIMALS`` like the SQL definitions (durations are whole milliseconds, so
    this drops only interpolation noise)."""
    n = len(values)
    positions = [(n - 1) * q for q in QUANTILES]
    wanted = sorted({i for p in positions for i in (math.floor(p), math.ceil(p))})
    picked = np.partition(values, wanted)
    result = []
    for position in positions:
        low, high = float(picked[math.floor(position)]), float(picked[math.ceil(position)])
        exact = low if low == high else low + (high - low) * (position - math.floor(position))
        result.append(round(exact, DECIMALS))
    return result


def grouped_quantiles(
    values: Floats, group: Ints, groups: int
) -> tuple[list[float | None], list[float | None]]:
    """Median and p90 of ``values`` per group (None for an empty group)."""
    order = np.argsort(group.astype(_smallest(groups)), kind="stable")
    ranked = values[order]
    bounds = np.concatenate(([0], np.cumsum(np.bincount(group, minlength=groups))))
    median: list[float | None] = [None] * groups
    p90: list[float | None] = [None] * groups
    for g in range(groups):
        if bounds[g + 1] > bounds[g]:
            median[g], p90[g] = quantiles(ranked[bounds[g] : bounds[g + 1]])
    return median, p90


def distinct_customers(seq: Sequences, codes: Ints, keep: Mask, size: int) -> Ints:
    """Per code: how many distinct customers have a kept row with it."""
    return _distinct_pairs(seq.customer[keep], codes[keep], size, seq.customers)


def _distinct_pairs(customer: Ints, codes: Ints, size: int, customers: int) -> Ints:
    if not size:
        return np.zeros(0, dtype=np.int64)
    if customers * size <= BITMAP_LIMIT:
        seen = np.zeros(customers * size, dtype=bool)
        seen[customer * size + codes] = True
        counts: Ints = seen.reshape(customers, size).sum(axis=0, dtype=np.int64)
        return counts
    pairs = np.unique(customer * size + codes)
    return np.bincount(pairs % size, minlength=size).astype(np.int64)


def _first_per_customer(seq: Sequences, rows: Ints, ms: Ints) -> tuple[Mask, Ints]:
    """Per customer: whether one of ``rows`` (ascending) is theirs, and the first one's time."""
    customer = seq.customer[rows]
    first = np.ones(len(customer), dtype=bool)
    first[1:] = customer[1:] != customer[:-1]
    has = np.zeros(seq.customers, dtype=bool)
    has[customer[first]] = True
    times = np.zeros(seq.customers, dtype=np.int64)
    times[customer[first]] = ms[rows[first]]
    return has, times


def _dense(keys: Ints, size: int) -> tuple[Ints, Ints]:
    """The distinct ``keys`` (ascending) and each key's rank among them."""
    if size <= BITMAP_LIMIT:
        counts = np.bincount(keys, minlength=size)
        present = np.flatnonzero(counts)
        rank = np.full(size, NONE, dtype=np.int64)
        rank[present] = np.arange(len(present))
        return present, rank[keys]
    present, rank = np.unique(keys, return_inverse=True)
    return present, rank.astype(np.int64)


def _check_paths(seq: Sequences, codes: Ints, representative: Ints, position: Ints) -> None:
    """Every customer's path equals its group's representative path (hashes can collide)."""
    theirs = codes[seq.starts[representative][seq.customer] + position]
    if not np.array_equal(theirs, codes):
        raise HashCollision("two different paths share a hash")


def _smallest(size: int) -> type[np.unsignedinteger[Any]]:
    """The smallest unsigned type for codes below ``size`` (numpy radix-sorts 16 bits)."""
    return np.uint8 if size <= 2**8 else np.uint16 if size <= 2**16 else np.uint64
