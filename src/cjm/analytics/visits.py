"""Stage visits: back-steps between stages and how long customers stay in each stage.

A *visit* is a run of a customer's consecutive mapped events in one stage. A *back-step* is
a visit to an earlier stage of the map than the visit before it (a customer who reached
checkout and went back to browsing). *Dwell time* is the time from entering a stage to
entering the next one; the customer's last visit has not ended, so it counts as a visit but
not as a completed one.
"""

from __future__ import annotations

import ibis.expr.types as ir
from ibis import _

from cjm.analytics.portable import elapsed
from cjm.analytics.settings import DECIMALS, QUANTILES
from cjm.analytics.tables import journey_window


def stage_visits(on_map: ir.Table) -> ir.Table:
    """One row per visit to a stage (its first event): consecutive events in one stage
    collapse."""
    previous = on_map.stage.lag().over(journey_window())
    marked = on_map.mutate(_previous=previous)
    return marked.filter(marked._previous.isnull() | (marked._previous != marked.stage)).drop(
        "_previous"
    )


def back_steps(visits: ir.Table) -> ir.Table:
    """Per (from stage, to stage): back-steps and how many customers made them."""
    order = journey_window()
    marked = visits.mutate(
        _from=visits.stage.lag().over(order), _from_index=visits.stage_index.lag().over(order)
    )
    back = marked.filter(marked._from_index > marked.stage_index)
    return back.group_by(from_stage=back._from, to_stage=back.stage).aggregate(
        back_steps=_.count(), customers=back.customer_id.nunique()
    )


def dwell(visits: ir.Table) -> ir.Table:
    """Per stage: visits, completed visits, median and p90 seconds until the next stage."""
    following = visits.timestamp.lead().over(journey_window())
    seconds = elapsed(following, visits.timestamp, "millisecond") / 1000
    timed = visits.mutate(_seconds=seconds)
    per_stage = timed.group_by("stage").aggregate(
        visits=_.count(), completed=_._seconds.count(), _q=_._seconds.quantile(QUANTILES)
    )
    return per_stage.mutate(
        median_s=per_stage._q[0].round(DECIMALS), p90_s=per_stage._q[1].round(DECIMALS)
    ).drop("_q")
