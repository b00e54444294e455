"""Feedback placed at the stage its customer was in at that moment, from the event log.

An as-of join: for each feedback item with a customer, the customer's last *mapped* event at
or before the feedback's timestamp gives the stage and touchpoint. When it exists it is the
strongest signal of all, stronger than anything the text says.
"""

from __future__ import annotations

import ibis
import pyarrow as pa

from cjm.analytics.tables import events_table
from cjm.analytics.touchpoints import map_touchpoints
from cjm.evidence.events import EventLog
from cjm.evidence.feedback import FeedbackItem
from cjm.model.journey import Journey


def place_by_events(
    items: list[FeedbackItem], log: EventLog, journey: Journey
) -> dict[str, tuple[str, str]]:
    """feedback_id → (stage, touchpoint) for the items the event log can place."""
    rows = [(i.feedback_id, i.customer_id, i.timestamp) for i in items if i.customer_id]
    if not rows:
        return {}
    con = log.connection
    mapped = map_touchpoints(events_table(log), journey)
    mapped = mapped.filter(mapped.touchpoint.notnull())
    sql = ibis.to_sql(mapped, dialect="duckdb")
    con.execute(f"CREATE OR REPLACE TEMP TABLE __placed_events AS {sql}")
    feedback = pa.table(
        {
            "feedback_id": [r[0] for r in rows],
            "customer_id": [r[1] for r in rows],
            "at": pa.array([r[2] for r in rows], type=pa.timestamp("us", tz="UTC")),
        }
    )
    con.register("__feedback", feedback)
    try:
        found = con.execute(
            "SELECT f.feedback_id, e.stage, e.touchpoint FROM __feedback f "
            "ASOF JOIN __placed_events e ON f.customer_id = e.customer_id AND f.at >= e.timestamp"
        ).fetchall()
    finally:
        con.unregister("__feedback")
        con.execute("DROP TABLE IF EXISTS __placed_events")
    return {str(fid): (str(stage), str(tp)) for fid, stage, tp in found}
