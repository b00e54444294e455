"""Segments: which customers belong together, so that the funnel can be read per group.

Every customer gets a *profile*: events, behaviour (``first_time``, or ``returning`` when
they came back after being away longer than ``dormant_after``), activity (``power`` at or
above the 75th percentile of events per customer, ``casual`` at or below the 25th,
``regular`` between), ``former`` (churned), the attributes of the customers table when one
is given, and otherwise each event attribute's value on the customer's first event.

A segmentation assigns customers to segments: ``persona`` (the map's persona rules: every
``where`` condition on the profile holds and the behaviour matches; a customer can fit
several personas, or none), ``behaviour``, ``activity``, or any profile column.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir
from ibis import _

from cjm.analytics.portable import elapsed
from cjm.analytics.settings import CHURNED_AFTER, DORMANT_AFTER
from cjm.analytics.tables import journey_window
from cjm.analytics.touchpoints import condition_holds
from cjm.errors import InvalidInput
from cjm.model.diagnostics import did_you_mean
from cjm.model.journey import Journey, Persona
from cjm.model.taxonomy import Behaviour

BUILT_IN = ("persona", "behaviour", "activity")
NONE = "(none)"
POWER_QUANTILE, CASUAL_QUANTILE = 0.75, 0.25


def profile(
    events: ir.Table,
    attributes: list[str],
    customers: ir.Table | None = None,
    *,
    dormant_after: dt.timedelta = DORMANT_AFTER,
    churned_after: dt.timedelta = CHURNED_AFTER,
) -> ir.Table:
    """One row per customer of ``events``: see the module docstring."""
    window = journey_window()
    gap = elapsed(events.timestamp, events.timestamp.lag().over(window), "second")
    marked = events.mutate(_gap=gap)
    first = [marked.timestamp, marked.seq]
    own = [a for a in attributes if customers is None or a not in customers.columns]
    per = marked.group_by("customer_id").aggregate(
        events=_.count(),
        _longest=_._gap.max(),
        _last=_.timestamp.max(),
        **{a: marked[a].cast("string").first(order_by=first) for a in own},
    )
    power = per.events.quantile(POWER_QUANTILE).as_scalar()
    casual = per.events.quantile(CASUAL_QUANTILE).as_scalar()
    end = events.timestamp.max().as_scalar()
    per = per.mutate(
        behaviour=ibis.cases(
            (per._longest > int(dormant_after.total_seconds()), Behaviour.RETURNING.value),
            else_=Behaviour.FIRST_TIME.value,
        ),
        activity=ibis.cases(
            (per.events >= power, Behaviour.POWER.value),
            (per.events <= casual, Behaviour.CASUAL.value),
            else_="regular",
        ),
        former=elapsed(end, per._last, "second") > int(churned_after.total_seconds()),
    ).drop("_longest", "_last")
    if customers is None:
        return per
    joined = per.left_join(customers, "customer_id")
    return joined.drop([c for c in joined.columns if c.endswith("_right")])


def segment(profiles: ir.Table, journey: Journey, by: str) -> ir.Table:
    """``customer_id`` and ``segment`` rows of the segmentation ``by`` (see the docstring)."""
    if by == "persona":
        ruled = [p for p in journey.personas if p.rule is not None]
        if not ruled:
            raise InvalidInput(
                f"journey '{journey.id}' has no persona with a rule to segment by",
                hint="add 'rule: {where: [...]}' to its personas, or segment by a column",
            )
        parts = [
            profiles.filter(_persona_holds(profiles, persona)).select(
                "customer_id", segment=ibis.literal(persona.id)
            )
            for persona in ruled
        ]
        return ibis.union(*parts) if len(parts) > 1 else parts[0]
    if by not in profiles.columns or by.startswith("_"):
        raise InvalidInput(
            f"cannot segment by '{by}': no such column",
            hint=did_you_mean(by, [*BUILT_IN, *profiles.columns], "segmentations and columns"),
        )
    value = profiles[by].cast("string")
    return profiles.select("customer_id", segment=value.fill_null(NONE))


def _persona_holds(profiles: ir.Table, persona: Persona) -> ir.BooleanValue:
    assert persona.rule is not None
    holds: ir.BooleanValue = ibis.literal(True)
    for condition in persona.rule.where:
        holds = holds & condition_holds(profiles, condition).fill_null(False)
    behaviour = persona.rule.behaviour
    if behaviour in (Behaviour.FIRST_TIME, Behaviour.RETURNING):
        holds = holds & (profiles.behaviour == behaviour.value)
    elif behaviour in (Behaviour.POWER, Behaviour.CASUAL):
        holds = holds & (profiles.activity == behaviour.value)
    elif behaviour is Behaviour.FORMER:
        holds = holds & profiles.former
    return holds
