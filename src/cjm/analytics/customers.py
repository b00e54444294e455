"""Where each customer is now: current stage, last touchpoint, and active / dormant / churned.

Status is judged against the end of the log (or ``as_of``): a customer seen within
``dormant_after`` is active, within ``churned_after`` dormant, otherwise churned.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir
from ibis import _

from cjm.analytics.portable import elapsed
from cjm.analytics.settings import CHURNED_AFTER, DORMANT_AFTER


def customer_status(
    mapped: ir.Table,
    *,
    as_of: dt.datetime | None = None,
    dormant_after: dt.timedelta = DORMANT_AFTER,
    churned_after: dt.timedelta = CHURNED_AFTER,
) -> ir.Table:
    """One row per customer: events, first and last seen, furthest and current stage, status."""
    latest_first = ibis.window(
        group_by="customer_id", order_by=[mapped.timestamp.desc(), mapped.seq.desc()]
    )
    on_map = mapped.filter(mapped.touchpoint.notnull())
    last_mapped = (
        on_map.mutate(position=ibis.row_number().over(latest_first))
        .filter(_.position == 0)
        .select("customer_id", current_stage="stage", last_touchpoint="touchpoint")
    )
    furthest = on_map.group_by("customer_id").aggregate(furthest_stage_index=_.stage_index.max())
    seen = mapped.group_by("customer_id").aggregate(
        events=_.count(), first_seen=_.timestamp.min(), last_seen=_.timestamp.max()
    )
    end = ibis.literal(as_of) if as_of is not None else mapped.timestamp.max().as_scalar()
    idle = elapsed(end, seen.last_seen, "second")
    status = ibis.cases(
        (idle <= int(dormant_after.total_seconds()), "active"),
        (idle <= int(churned_after.total_seconds()), "dormant"),
        else_="churned",
    )
    joined = seen.mutate(status=status).left_join(last_mapped, "customer_id")
    joined = joined.drop([c for c in joined.columns if c.endswith("_right")])
    joined = joined.left_join(furthest, "customer_id")
    return joined.drop([c for c in joined.columns if c.endswith("_right")]).order_by("customer_id")
