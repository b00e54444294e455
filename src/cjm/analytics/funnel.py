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

import ibis
import ibis.expr.types as ir

from cjm.analytics.portable import elapsed
from cjm.analytics.settings import QUANTILES
from cjm.analytics.steps import FunnelStep, funnel_steps


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
