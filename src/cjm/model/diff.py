"""Semantic diff of two journeys: what changed in the map, not in the text.

>>> from cjm.model.journey import Journey, Stage
>>> a = Journey(id="j", name="J", stages=[Stage(id="use", name="Use", emotion=0)])
>>> b = a.model_copy(update={"stages": [Stage(id="use", name="Use", emotion=1)]})
>>> [str(c) for c in diff_journeys(a, b)]
["stage 'use' emotion 0 → 1"]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from cjm.model.journey import Journey

Record = dict[str, Any]
MISSING = object()


@dataclass(frozen=True)
class Change:
    """One semantic change: something added, removed, or a field changed."""

    kind: Literal["added", "removed", "changed"]
    subject: str
    field: str | None = None
    old: Any = None
    new: Any = None

    def __str__(self) -> str:
        if self.kind != "changed":
            return f"{self.subject} {self.kind}"
        field = f" {self.field}" if self.field else ""
        return f"{self.subject}{field} {_show(self.old)} → {_show(self.new)}"


def diff_journeys(old: Journey, new: Journey) -> list[Change]:
    """Every change from ``old`` to ``new``, in map order."""
    a, b = old.content(), new.content()
    changes = list(_fields("journey", _scalars(a), _scalars(b)))
    order_a, order_b = [s["id"] for s in a["stages"]], [s["id"] for s in b["stages"]]
    common = [s for s in order_a if s in order_b]
    if common != [s for s in order_b if s in order_a]:
        changes.append(Change("changed", "stage order", None, order_a, order_b))
    for noun, records, subject in _collections():
        changes += _entities(noun, records(a), records(b), subject)
    return changes


def _collections() -> list[
    tuple[str, Callable[[Record], dict[str, Record]], Callable[[Record], str]]
]:
    def by_id(key: str, drop: tuple[str, ...] = ()) -> Callable[[Record], dict[str, Record]]:
        return lambda doc: {
            item["id"]: {k: v for k, v in item.items() if k not in drop} for item in doc[key]
        }

    def touchpoints(doc: Record) -> dict[str, Record]:
        return {
            tp["id"]: {**tp, "stage": stage["id"]}
            for stage in doc["stages"]
            for tp in stage["touchpoints"]
        }

    def kpi_subject(kpi: Record) -> str:
        prefix = f"stage '{kpi['stage']}': " if kpi.get("stage") else ""
        return f"{prefix}KPI '{kpi['id']}'"

    def named(noun: str) -> Callable[[Record], str]:
        return lambda item: f"{noun} '{item['id']}'"

    return [
        ("stage", by_id("stages", ("touchpoints",)), named("stage")),
        ("touchpoint", touchpoints, named("touchpoint")),
        ("persona", by_id("personas"), named("persona")),
        ("team", by_id("teams"), named("team")),
        ("KPI", by_id("kpis"), kpi_subject),
        ("pain point", by_id("pain_points"), named("pain point")),
        ("opportunity", by_id("opportunities"), named("opportunity")),
    ]


def _entities(
    noun: str, old: dict[str, Record], new: dict[str, Record], subject: Callable[[Record], str]
) -> Iterator[Change]:
    for ident, record in old.items():
        if ident not in new:
            yield Change("removed", subject(record))
    for ident, record in new.items():
        if ident not in old:
            yield Change("added", subject(record))
        else:
            yield from _fields(subject(record), _flatten(old[ident]), _flatten(record))


def _fields(subject: str, old: Record, new: Record) -> Iterator[Change]:
    for key in [*old, *(k for k in new if k not in old)]:
        before, after = old.get(key), new.get(key)
        if before != after and not (_empty(before) and _empty(after)):
            yield Change("changed", subject, key, before, after)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, (list, dict, str)) and not value)


def _scalars(doc: Record) -> Record:
    return _flatten({k: v for k, v in doc.items() if not isinstance(v, list)})


def _flatten(record: Record, prefix: str = "") -> Record:
    flat: Record = {}
    for key, value in record.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _show(value: Any) -> str:
    if _empty(value):
        return "(none)"
    if isinstance(value, list):
        if all(isinstance(v, (str, int, float)) for v in value):
            return "[" + ", ".join(_show(v) for v in value) + "]"
        return f"{len(value)} item{'s' if len(value) != 1 else ''}"
    text = str(value)
    if " " in text or not text:
        text = repr(text) if len(text) <= 40 else repr(text[:37] + "...")
    return text
