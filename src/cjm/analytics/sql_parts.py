"""Every analytic through its SQL (Ibis) definition, on an engine (DuckDB or Spark).

The reference for the single pass (:func:`cjm.analytics.parts.single_pass_parts`): both
return the same :class:`~cjm.analytics.parts.Parts`, and tests compare them.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from cjm.analytics.contacts import channel_switches, contacts, repeat_contacts
from cjm.analytics.customers import customer_status
from cjm.analytics.engines import Engine
from cjm.analytics.flow import directly_follows, end_activities, start_activities
from cjm.analytics.funnel import funnel
from cjm.analytics.parts import Funnels, Parts
from cjm.analytics.settings import Settings
from cjm.analytics.touchpoints import map_touchpoints, unmapped_events
from cjm.analytics.variants import variants
from cjm.analytics.visits import back_steps, dwell, stage_visits
from cjm.evidence.events import EventLog
from cjm.model.journey import Journey


def sql_parts(log: EventLog, journey: Journey, settings: Settings, run: Engine) -> Parts:
    """Every analytic through its SQL (Ibis) definition, on the engine ``run``."""
    mapped = run.keep(log, map_touchpoints(run.events(log), journey))  # computed once
    on_map = mapped.filter(mapped.touchpoint.notnull())
    channels = {tp.id: tp.channel.value for _stage, tp in journey.touchpoints()}
    contact = contacts(on_map, channels)
    visits = stage_visits(on_map)
    switches = _records(channel_switches(contact, settings.repeat_window), "switches")
    steps, touchpoints = len(journey.stages), len(list(journey.touchpoints()))

    def funnels_of(members: pa.Array) -> Funnels:
        listed = ibis.memtable(pa.table({"customer_id": members}))
        chosen = on_map.filter(on_map.customer_id.isin(listed.customer_id))
        return funnel(chosen, steps, window=settings.window), funnel(chosen, steps, ordered=False)

    return Parts(
        unmapped=unmapped_events(mapped).to_pyarrow().to_pylist(),
        funnel_ordered=funnel(on_map, steps, window=settings.window),
        funnel_any_order=funnel(on_map, steps, ordered=False),
        touchpoint_funnel_ordered=funnel(
            on_map, touchpoints, step="touchpoint_index", window=settings.window
        ),
        touchpoint_funnel_any_order=funnel(
            on_map, touchpoints, step="touchpoint_index", ordered=False
        ),
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
        funnels_of=funnels_of,
    )


def _variants(table: ir.Table, by: str, top: int) -> dict[str, Any]:
    counted = variants(table, by)
    rows = counted.order_by([ibis.desc("customers"), "path"]).limit(top).to_pyarrow().to_pylist()
    return {"total": int(counted.count().execute()), "top": rows}


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
