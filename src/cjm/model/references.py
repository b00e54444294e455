"""Cross-reference checks: duplicate ids, dangling references, a stage order that repeats.

They work on plain data (the parsed file, or a model dumped to a dict) and tolerate any
shape, so ``cjm validate`` reports reference problems together with type errors.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cjm.model.diagnostics import Diagnostic, Path, did_you_mean, error, format_path

Item = tuple[Path, Mapping[str, Any]]
PLURALS = {
    "persona": "personas",
    "team": "teams",
    "stage": "stages",
    "touchpoint": "touchpoints",
    "pain point": "pain points",
    "opportunity": "opportunities",
    "KPI": "KPIs",
}


def reference_problems(data: Any) -> list[Diagnostic]:
    """Every duplicate id and dangling reference in a journey document.

    >>> data = {"stages": [{"id": "a"}], "kpis": [{"id": "k", "stage": "b"}]}
    >>> reference_problems(data)[0].message
    "unknown stage 'b'"
    """
    if not isinstance(data, Mapping):
        return []
    stages = list(_items(data, "stages"))
    touchpoints = [item for path, stage in stages for item in _items(stage, "touchpoints", path)]
    collections = {
        "persona": list(_items(data, "personas")),
        "team": list(_items(data, "teams")),
        "stage": stages,
        "touchpoint": touchpoints,
        "pain point": list(_items(data, "pain_points")),
        "opportunity": list(_items(data, "opportunities")),
        "KPI": list(_items(data, "kpis")),
    }
    problems = [p for noun, items in collections.items() for p in _duplicates(noun, items)]
    problems += _repeated_stage_names(stages)
    ids = {
        noun: {ident for _, item in items if (ident := _id(item)) is not None}
        for noun, items in collections.items()
    }
    stage_of = {_id(tp): path[1] for path, tp in touchpoints}
    stage_ids = [_id(stage) for _, stage in stages]

    def check(path: Path, item: Mapping[str, Any], key: str, noun: str) -> None:
        value = item.get(key)
        values = value if isinstance(value, list) else [value]
        for index, ref in enumerate(values):
            if isinstance(ref, str) and ref not in ids[noun]:
                where = (*path, key, index) if isinstance(value, list) else (*path, key)
                hint = did_you_mean(ref, ids[noun], PLURALS[noun])
                problems.append(error(where, f"unknown {noun} '{ref}'", hint))

    for path, tp in touchpoints:
        check(path, tp, "owner", "team")
    for path, pain in collections["pain point"]:
        check(path, pain, "stage", "stage")
        check(path, pain, "touchpoint", "touchpoint")
        check(path, pain, "persona", "persona")
        problems += _touchpoint_in_stage(path, pain, stage_of, stage_ids)
    for path, opportunity in collections["opportunity"]:
        check(path, opportunity, "owner", "team")
        check(path, opportunity, "addresses", "pain point")
        check(path, opportunity, "target_kpis", "KPI")
    for path, kpi in collections["KPI"]:
        check(path, kpi, "stage", "stage")
        check(path, kpi, "touchpoint", "touchpoint")
        problems += _touchpoint_in_stage(path, kpi, stage_of, stage_ids)
    return problems


def _items(data: Mapping[str, Any], key: str, base: Path = ()) -> Iterator[Item]:
    value = data.get(key)
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, Mapping):
                yield (*base, key, index), item


def _id(item: Mapping[str, Any]) -> str | None:
    value = item.get("id")
    return value if isinstance(value, str) else None


def _duplicates(noun: str, items: list[Item]) -> Iterator[Diagnostic]:
    first: dict[str, Path] = {}
    for path, item in items:
        ident = _id(item)
        if ident is None:
            continue
        if ident not in first:
            first[ident] = path
        elif noun == "stage":
            yield error(
                (*path, "id"),
                f"stage '{ident}' appears twice in the stage order (first at "
                f"{format_path(first[ident])})",
                "each stage comes once in a journey: rename or remove one of them",
            )
        else:
            yield error(
                (*path, "id"),
                f"duplicate {noun} id '{ident}' (first at {format_path(first[ident])})",
                f"give each {noun} its own id",
            )


def _repeated_stage_names(stages: list[Item]) -> Iterator[Diagnostic]:
    first: dict[str, Path] = {}
    for path, stage in stages:
        name = stage.get("name")
        if not isinstance(name, str):
            continue
        key = name.strip().casefold()
        if key in first:
            yield error(
                (*path, "name"),
                f"stage name '{name}' appears twice in the stage order (first at "
                f"{format_path(first[key])})",
                "each stage comes once in a journey: give the stages distinct names",
            )
        else:
            first[key] = path


def _touchpoint_in_stage(
    path: Path, item: Mapping[str, Any], stage_of: dict[str | None, Any], stage_ids: list[Any]
) -> Iterator[Diagnostic]:
    stage, touchpoint = item.get("stage"), item.get("touchpoint")
    if not (isinstance(stage, str) and isinstance(touchpoint, str)):
        return
    if touchpoint in stage_of and stage in stage_ids:
        actual = stage_ids[stage_of[touchpoint]]
        if actual != stage:
            yield error(
                (*path, "touchpoint"),
                f"touchpoint '{touchpoint}' belongs to stage '{actual}', not '{stage}'",
                f"set stage: {actual}, or pick a touchpoint of stage '{stage}'",
            )
