"""Events onto the map: each event gets the touchpoint whose rule it matches, and its stage.

A touchpoint's rule matches an event when its name is one of ``names`` or matches one of
``patterns`` (when either is given) and every ``where`` condition holds. The first touchpoint
in journey order that matches wins. Events no rule matches keep a null touchpoint and are
counted per event name, never dropped silently.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
from ibis import _

from cjm.analytics.rules import COMBINATION, glob_regex, require_event_rules
from cjm.errors import InvalidInput
from cjm.model.diagnostics import did_you_mean
from cjm.model.journey import Condition, EventRule, Journey
from cjm.model.taxonomy import Operator


def map_touchpoints(events: ir.Table, journey: Journey) -> ir.Table:
    """``events`` with ``touchpoint``, ``stage``, and their 1-based places in the map,
    ``touchpoint_index`` and ``stage_index`` (all null when unmapped)."""
    require_event_rules(journey)
    cases = [
        (rule_matches(events, touchpoint.events), touchpoint.id)
        for _stage, touchpoint in journey.touchpoints()
        if touchpoint.events is not None
    ]
    touchpoint = ibis.cases(*cases, else_=ibis.null("string"))
    stage_of = {tp.id: stage.id for stage, tp in journey.touchpoints()}
    index_of = {stage.id: number for number, stage in enumerate(journey.stages, 1)}
    mapped = events.mutate(touchpoint=touchpoint)
    mapped = mapped.mutate(stage=mapped.touchpoint.substitute(stage_of, else_=ibis.null("string")))
    place = {tp.id: number for number, (_s, tp) in enumerate(journey.touchpoints(), 1)}
    return mapped.mutate(
        touchpoint_index=mapped.touchpoint.substitute(place, else_=ibis.null("int64")).cast(
            "int64"
        ),
        stage_index=mapped.stage.substitute(index_of, else_=ibis.null("int64")).cast("int64"),
    )


def unmapped_events(mapped: ir.Table) -> ir.Table:
    """Events that match no touchpoint, counted per event name (most frequent first)."""
    missing = mapped.filter(mapped.touchpoint.isnull())
    counted = missing.group_by("event").aggregate(events=_.count())
    return counted.order_by([ibis.desc("events"), "event"])  # ties by name: the same each run


def rule_matches(events: ir.Table, rule: EventRule) -> ir.BooleanValue:
    """The boolean expression of one touchpoint's event rule."""
    named: ir.BooleanValue | None = None
    if rule.names:
        named = events.event.isin(rule.names)
    for pattern in rule.patterns:
        found = events.event.re_search(glob_regex(pattern))
        named = found if named is None else named | found
    conditions = [condition_holds(events, condition) for condition in rule.where]
    expression = named if named is not None else ibis.literal(True)
    for condition in conditions:
        expression = expression & condition
    return expression.fill_null(False)


def condition_holds(events: ir.Table, condition: Condition) -> ir.BooleanValue:
    """One ``where`` condition on an event attribute."""
    if condition.attribute not in events.columns:
        raise InvalidInput(
            f"a touchpoint rule tests the attribute '{condition.attribute}', which the event "
            "log does not have",
            hint=did_you_mean(
                condition.attribute, [c for c in events.columns if c != COMBINATION], "columns"
            ),
        )
    column = events[condition.attribute].cast("string")
    op, value = condition.op, condition.value
    if op is Operator.EXISTS:
        return column.notnull() & (column.strip() != "")
    if op is Operator.MATCHES:
        return column.re_search(glob_regex(str(value)))
    if op in (Operator.IN, Operator.NOT_IN):
        values = [_text(v) for v in (value if isinstance(value, list) else [value])]
        found = column.isin(values)
        return found if op is Operator.IN else ~found
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = events[condition.attribute].cast("string").try_cast("float64")
        return _compare(number, op, float(value))
    return _compare(column, op, _text(value))


def _compare(column: ir.Value, op: Operator, value: object) -> ir.BooleanValue:
    compare = {
        Operator.EQ: column.__eq__,
        Operator.NE: column.__ne__,
        Operator.LT: column.__lt__,
        Operator.LE: column.__le__,
        Operator.GT: column.__gt__,
        Operator.GE: column.__ge__,
    }
    return compare[op](value)


def _text(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)
