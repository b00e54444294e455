"""The funnel: how many customers reach each step, in order within a window, or in any order.

Ordered mode has the semantics of ClickHouse's ``windowFunnel(window)``: a chain starts at an
event of step 1, each next step must come later in the customer's event order (time, then
input order), and every step must fall within ``window`` of the chain's first event
(inclusive). A customer's level is the longest chain; ``reached`` of step k counts customers
whose level is at least k, so it never increases. A test proves equality with chDB.

It is computed with window functions only, one pass per step: for each event of step k, the
latest start of a chain that reached step k-1 earlier is a running maximum, because chain
starts only move forward in time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir

from cjm.analytics.flow import DECIMALS, QUANTILES
from cjm.analytics.portable import elapsed
from cjm.analytics.stats import Interval, wilson


@dataclass(frozen=True)
class FunnelStep:
    """One step of the funnel, with its conversion from the step before.

    ``conversion`` is the share of the previous step's customers who also reached this one
    (in ordered mode, all of this step's customers did), so it is a true proportion in both
    modes; ``drop_off`` counts the previous step's customers who did not reach this one.
    """

    step: int
    reached: int
    conversion: float | None
    interval: Interval | None
    drop_off: int | None
    median_s: float | None
    p90_s: float | None


def funnel(
    events: ir.Table,
    steps: int,
    *,
    step: str = "stage_index",
    window: dt.timedelta | None = None,
    ordered: bool = True,
) -> list[FunnelStep]:
    """The funnel over the 1-based ``step`` column (``stage_index`` after mapping)."""
    starts = (
        _chain_starts(events, steps, step, window) if ordered else _any_order(events, steps, step)
    )
    per_customer = starts.group_by("customer_id").aggregate(
        **{
            f"first_{k}": ibis.cases((starts[f"s_{k}"].notnull(), starts.timestamp)).min()
            for k in range(1, steps + 1)
        }
    )
    metrics = {}
    for k in range(1, steps + 1):
        first = per_customer[f"first_{k}"]
        metrics[f"reached_{k}"] = first.count()
        if k > 1:
            both = first.notnull() & per_customer[f"first_{k - 1}"].notnull()
            metrics[f"both_{k}"] = both.sum()
            gap = elapsed(first, per_customer[f"first_{k - 1}"], "millisecond") / 1000
            metrics[f"q_{k}"] = gap.quantile(QUANTILES)
    row = per_customer.aggregate(**metrics).to_pyarrow().to_pylist()[0]
    return funnel_steps(row, steps)


def _chain_starts(events: ir.Table, steps: int, step: str, window: dt.timedelta | None) -> ir.Table:
    earlier = ibis.window(group_by="customer_id", order_by=["timestamp", "seq"], rows=(None, -1))
    table = events.mutate(s_1=ibis.cases((events[step] == 1, events.timestamp)))
    for k in range(2, steps + 1):
        previous = table[f"s_{k - 1}"].max().over(earlier)
        table = table.mutate(_previous=previous)
        allowed = table._previous.notnull() & (table[step] == k)
        if window is not None:
            limit = int(window.total_seconds() * 1000)
            allowed = allowed & (elapsed(table.timestamp, table._previous, "millisecond") <= limit)
        table = table.mutate(**{f"s_{k}": ibis.cases((allowed, table._previous))}).drop("_previous")
    return table


def _any_order(events: ir.Table, steps: int, step: str) -> ir.Table:
    return events.mutate(
        **{f"s_{k}": ibis.cases((events[step] == k, events.timestamp)) for k in range(1, steps + 1)}
    )


def funnel_steps(row: dict[str, Any], steps: int) -> list[FunnelStep]:
    """The steps from one row of per-step aggregates: reached_k, both_k and q_k (the list
    of median and p90 seconds)."""
    result = []
    for k in range(1, steps + 1):
        reached = int(row[f"reached_{k}"])
        before = int(row[f"reached_{k - 1}"]) if k > 1 else None
        both = int(row[f"both_{k}"] or 0) if k > 1 else 0
        median, p90 = row.get(f"q_{k}") or (None, None)
        result.append(
            FunnelStep(
                step=k,
                reached=reached,
                conversion=both / before if before else None,
                interval=wilson(both, before) if before else None,
                drop_off=before - both if before is not None else None,
                median_s=None if median is None else round(median, DECIMALS),
                p90_s=None if p90 is None else round(p90, DECIMALS),
            )
        )
    return result
