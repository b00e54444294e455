"""Flow: the directly-follows graph, and where journeys start and end.

Two events follow directly when they are consecutive events of the same customer, ordered by
timestamp (ties by input order). An edge's count is the number of such pairs, so the counts
sum to events minus customers. This is pm4py's DFG, and a test proves they are equal.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
from ibis import _

from cjm.analytics.portable import elapsed
from cjm.analytics.settings import DECIMALS, QUANTILES
from cjm.analytics.tables import journey_window


def directly_follows(events: ir.Table, by: str = "event") -> ir.Table:
    """Edges ``source → target`` with ``count`` and median / p90 seconds between them."""
    window = journey_window()
    pairs = events.mutate(
        target=events[by].lead().over(window),
        seconds=elapsed(events.timestamp.lead().over(window), events.timestamp, "millisecond")
        / 1000,
    )
    pairs = pairs.filter(pairs.target.notnull())
    edges = pairs.group_by(source=pairs[by], target=pairs.target).aggregate(
        count=_.count(), _q=pairs.seconds.quantile(QUANTILES)
    )
    return edges.mutate(
        median_s=edges._q[0].round(DECIMALS), p90_s=edges._q[1].round(DECIMALS)
    ).drop("_q")


def start_activities(events: ir.Table, by: str = "event") -> ir.Table:
    """How many customers start their journey with each activity."""
    return _boundary(events, by, first=True)


def end_activities(events: ir.Table, by: str = "event") -> ir.Table:
    """How many customers end their journey (so far) with each activity."""
    return _boundary(events, by, first=False)


def _boundary(events: ir.Table, by: str, *, first: bool) -> ir.Table:
    order = [events.timestamp, events.seq]
    if not first:
        order = [key.desc() for key in order]
    position = ibis.row_number().over(ibis.window(group_by="customer_id", order_by=order))
    edge = events.mutate(position=position).filter(_.position == 0)
    return edge.group_by(activity=edge[by]).aggregate(customers=_.count())
