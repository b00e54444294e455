"""Invariants over generated maps and garbage: round trips are lossless, validate never crashes."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import uuid
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from cjm.model import Journey, check_file, load_journey, save_journey
from cjm.model.taxonomy import (
    Behaviour,
    Channel,
    EvidenceSource,
    Horizon,
    Metric,
    OpportunityType,
    OwnerArea,
    PriorityClass,
    ReviewCadence,
    ScopeKind,
)
from cjm.store import Store

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
slugs = st.from_regex(r"[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,4})?", fullmatch=True)
texts = (
    st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=24)
    .map(str.strip)
    .filter(bool)
)
dates = st.dates(dt.date(2000, 1, 1), dt.date(2035, 12, 31))
scores = st.integers(1, 5)
numbers = st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: round(x, 4))


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


@st.composite
def journeys(draw: st.DrawFn) -> Journey:
    """Valid journeys: every reference points at something that exists."""
    ids = iter(draw(st.lists(slugs, min_size=40, max_size=40, unique=True)))
    teams = [
        {"id": next(ids), "name": draw(texts), "area": draw(_maybe(st.sampled_from(OwnerArea)))}
        for _ in range(draw(st.integers(0, 3)))
    ]
    team_ids = [t["id"] for t in teams]
    stages = []
    for _ in range(draw(st.integers(1, 4))):
        touchpoints = [
            {
                "id": next(ids),
                "name": draw(texts),
                "channel": draw(st.sampled_from(Channel)),
                "owner": draw(_maybe(st.sampled_from(team_ids))) if team_ids else None,
                "events": draw(
                    _maybe(
                        st.fixed_dictionaries({"names": st.lists(texts, min_size=1, max_size=3)})
                    )
                ),
            }
            for _ in range(draw(st.integers(0, 3)))
        ]
        stages.append(
            {
                "id": next(ids),
                "name": next(ids),
                "customer_goal": draw(_maybe(texts)),
                "actions": draw(st.lists(texts, max_size=3)),
                "emotion": draw(_maybe(st.integers(-2, 2))),
                "touchpoints": touchpoints,
            }
        )
    stage_ids = [s["id"] for s in stages]
    personas = [
        {
            "id": next(ids),
            "name": draw(texts),
            "rule": draw(_maybe(st.fixed_dictionaries({"behaviour": st.sampled_from(Behaviour)}))),
        }
        for _ in range(draw(st.integers(0, 2)))
    ]
    pains = [
        {
            "id": next(ids),
            "name": draw(texts),
            "stage": draw(st.sampled_from(stage_ids)),
            "priority": draw(_maybe(st.sampled_from(PriorityClass))),
            "evidence": draw(
                st.lists(
                    st.fixed_dictionaries(
                        {"source": st.sampled_from(EvidenceSource), "summary": texts, "date": dates}
                    ),
                    max_size=2,
                )
            ),
        }
        for _ in range(draw(st.integers(0, 3)))
    ]
    kpis = []
    for _ in range(draw(st.integers(0, 3))):
        red, yellow, target = sorted(draw(st.lists(numbers, min_size=3, max_size=3)))
        kpis.append(
            {
                "id": next(ids),
                "name": draw(texts),
                "metric": draw(st.sampled_from([Metric.CONVERSION, Metric.CSAT, Metric.NPS])),
                "stage": draw(_maybe(st.sampled_from(stage_ids))),
                "target": target,
                "yellow": yellow,
                "red": red,
                "weight": draw(st.floats(0.1, 10).map(lambda x: round(x, 2))),
            }
        )
    opportunities = [
        {
            "id": next(ids),
            "name": draw(texts),
            "type": draw(_maybe(st.sampled_from(OpportunityType))),
            "horizon": draw(_maybe(st.sampled_from(Horizon))),
            "impact": draw(_maybe(scores)),
            "due": draw(_maybe(dates)),
            "owner": draw(_maybe(st.sampled_from(team_ids))) if team_ids else None,
            "addresses": draw(st.lists(st.sampled_from([p["id"] for p in pains]), unique=True))
            if pains
            else [],
            "target_kpis": draw(st.lists(st.sampled_from([k["id"] for k in kpis]), unique=True))
            if kpis
            else [],
        }
        for _ in range(draw(st.integers(0, 2)))
    ]
    data = {
        "id": next(ids),
        "name": draw(texts),
        "description": draw(_maybe(texts)),
        "scope": draw(_maybe(st.fixed_dictionaries({"kind": st.sampled_from(ScopeKind)}))),
        "review_cadence": draw(_maybe(st.sampled_from(ReviewCadence))),
        "last_validated": draw(_maybe(dates)),
        "teams": teams,
        "personas": personas,
        "stages": stages,
        "pain_points": pains,
        "kpis": kpis,
        "opportunities": opportunities,
    }
    return Journey.model_validate(_drop_none(data))


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


@SETTINGS
@given(journey=journeys(), suffix=st.sampled_from(["yaml", "json"]))
def test_any_valid_map_survives_save_and_load(journey: Journey, suffix: str):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"map.{suffix}"
        save_journey(journey, path)
        assert load_journey(path) == journey


@SETTINGS
@given(journey=journeys())
def test_any_valid_map_survives_push_and_pull(journey: Journey):
    journey = journey.model_copy(update={"id": f"j-{uuid.uuid4().hex[:12]}"})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "map.yaml"
        save_journey(journey, path)
        with Store(f"sqlite:///{Path(folder) / 'store.db'}") as store:
            result = store.push(path, "generated", author="hypothesis")
            pulled = store.revision(journey.id).journey
    assert pulled == journey.model_copy(update={"revision": result.revision.number})


@settings(max_examples=150, deadline=None)
@given(raw=st.binary(max_size=400))
def test_random_bytes_never_crash_validate(raw: bytes):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.yaml"
        path.write_bytes(raw)
        found = check_file(path)
    assert all(d.message for d in found)


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts | dates,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "name",
                    "stages",
                    "touchpoints",
                    "kpis",
                    "stage",
                    "emotion",
                    "channel",
                    "owner",
                    "teams",
                    "target",
                    "x",
                ]
            )
            | texts,
            children,
            max_size=5,
        )
    ),
    max_leaves=30,
)


@settings(max_examples=150, deadline=None)
@given(value=yaml_values)
def test_random_yaml_never_crashes_validate(value: Any):
    stream = io.StringIO()
    YAML().dump(value, stream)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.yaml"
        path.write_text(stream.getvalue(), encoding="utf-8")
        found = check_file(path)
    assert all(d.message for d in found)
