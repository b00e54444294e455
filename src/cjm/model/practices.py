"""Warnings: journey-management practices from the seeds that a valid map does not follow.

A map without KPIs cannot be judged, a pain point without evidence is an assumption, an
opportunity without an owner and a due date does not happen, and a map not validated within
its review cadence has gone stale. ``cjm validate --strict`` turns these into errors.
"""

from __future__ import annotations

import datetime as dt

from cjm.model.diagnostics import Diagnostic, warning
from cjm.model.journey import Journey


def practice_warnings(journey: Journey, *, today: dt.date) -> list[Diagnostic]:
    """Every practice the map does not follow, each with what to do."""
    found = _staleness(journey, today)
    measured = {kpi.stage for kpi in journey.kpis}
    for index, stage in enumerate(journey.stages):
        if stage.id not in measured:
            found.append(
                warning(
                    ("stages", index),
                    f"stage '{stage.id}' has no KPI",
                    f"add a KPI with 'stage: {stage.id}' (e.g. conversion) to measure it",
                )
            )
    for index, kpi in enumerate(journey.kpis):
        if kpi.target is None:
            found.append(
                warning(
                    ("kpis", index),
                    f"KPI '{kpi.id}' has no target",
                    "add 'target:' (and 'yellow:' and 'red:') so the JPI can judge it",
                )
            )
    for index, pain in enumerate(journey.pain_points):
        if not pain.evidence:
            found.append(
                warning(
                    ("pain_points", index),
                    f"pain point '{pain.id}' has no evidence",
                    "add 'evidence:' (survey, ticket, event log...) so it is a fact, "
                    "not an assumption",
                )
            )
        if pain.owner_area is None:
            found.append(
                warning(
                    ("pain_points", index),
                    f"pain point '{pain.id}' has no owner area",
                    "set 'owner_area:' to strategy, process, content or technology: "
                    "who in the company owns the fix",
                )
            )
    for index, opportunity in enumerate(journey.opportunities):
        missing = {
            "owner": ("an owner team", "owner:"),
            "due date": ("a due date", "due:"),
        }
        if opportunity.owner is not None:
            del missing["owner"]
        if opportunity.due is not None:
            del missing["due date"]
        if missing:
            asks = " and ".join(f"{what} ('{key}')" for what, key in missing.values())
            found.append(
                warning(
                    ("opportunities", index),
                    f"opportunity '{opportunity.id}' has no {' and no '.join(missing)}",
                    f"give it {asks} so it gets done",
                )
            )
    for index, persona in enumerate(journey.personas):
        if persona.rule is None:
            found.append(
                warning(
                    ("personas", index),
                    f"persona '{persona.id}' has no data rule",
                    "add 'rule:' so its customers can be found in the data",
                )
            )
    return found


def _staleness(journey: Journey, today: dt.date) -> list[Diagnostic]:
    cadence = journey.review_cadence
    if cadence is None:
        return []
    if journey.last_validated is None:
        return [
            warning(
                ("review_cadence",),
                "the map has never been validated",
                f"check it against real customers, then set 'last_validated: {today}'",
            )
        ]
    age = (today - journey.last_validated).days
    if age < 0:
        return [
            warning(
                ("last_validated",),
                f"last_validated {journey.last_validated} is in the future",
                f"set it to the day the map was last checked, at most {today}",
            )
        ]
    if age <= cadence.days:
        return []
    return [
        warning(
            ("last_validated",),
            f"the map is stale: last validated {journey.last_validated}, {age} days ago; "
            f"its review cadence is {cadence.value} ({cadence.days} days)",
            f"check it against real customers, then set 'last_validated: {today}'",
        )
    ]
