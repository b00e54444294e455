"""The bundled example maps: clean, complete teaching material that survives a round trip."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from cjm.analytics.analyze import analyze
from cjm.evidence import ColumnMap
from cjm.examples import example_names, example_path
from cjm.model import check_file, load_journey
from cjm.model.files import read_document
from cjm.model.io import dump_journey, journey_from_document
from cjm.model.journey import (
    KPI,
    Condition,
    EventRule,
    Evidence,
    Journey,
    Opportunity,
    PainPoint,
    Persona,
    PersonaRule,
    Scope,
    Stage,
    Team,
    Touchpoint,
)
from cjm.model.taxonomy import (
    AwarenessStage,
    Horizon,
    Interaction,
    OpportunityType,
    OwnerArea,
    PainKind,
    PriorityClass,
)

TODAY = dt.date(2026, 11, 23)
MODELS = [
    Journey,
    Scope,
    Persona,
    PersonaRule,
    Condition,
    Team,
    Stage,
    Touchpoint,
    EventRule,
    PainPoint,
    Evidence,
    Opportunity,
    KPI,
]
MANAGED = {Journey: {"revision"}}
TEACHING = [
    "repair-return",
    "subscription",
]  # the two that show every field in use  # fields cjm writes itself; an example leaves them out


def _fields_used(node: Any, used: dict[type[BaseModel], set[str]]) -> None:
    """Collect, per model class, every field set on any instance reachable from ``node``."""
    if isinstance(node, BaseModel):
        used[type(node)] |= node.model_fields_set
        for name in type(node).model_fields:
            _fields_used(getattr(node, name), used)
    elif isinstance(node, list):
        for item in node:
            _fields_used(item, used)


@pytest.mark.parametrize("name", example_names())
def test_example_has_no_errors_or_warnings(name: str):
    diagnostics = check_file(example_path(name), today=TODAY)
    assert [d.format() for d in diagnostics] == []


@pytest.mark.parametrize("name", TEACHING)
def test_teaching_example_uses_every_field_of_every_model(name: str):
    used: dict[type[BaseModel], set[str]] = defaultdict(set)
    _fields_used(load_journey(example_path(name)), used)
    missing = {
        model.__name__: sorted(set(model.model_fields) - MANAGED.get(model, set()) - used[model])
        for model in MODELS
    }
    missing = {model: fields for model, fields in missing.items() if fields}
    assert not missing, f"{name} leaves out these fields: {missing}"


@pytest.mark.parametrize("name", example_names())
def test_example_does_not_carry_a_revision(name: str):
    assert "revision" not in load_journey(example_path(name)).model_fields_set


@pytest.mark.parametrize("name", example_names())
def test_example_round_trips_byte_identical(name: str):
    document = read_document(example_path(name))
    journey = journey_from_document(document)
    assert dump_journey(journey, "yaml", like=document) == document.text


def test_subscription_example_uses_the_awareness_stock_stages():
    journey = load_journey(example_path("subscription"))
    assert [stage.id for stage in journey.stages] == AwarenessStage.values()


def test_examples_together_cover_every_dissection_and_portfolio_value():
    journeys = [load_journey(example_path(name)) for name in example_names()]
    pains = [pain for journey in journeys for pain in journey.pain_points]
    opportunities = [item for journey in journeys for item in journey.opportunities]
    seen = {
        PriorityClass: {pain.priority for pain in pains},
        OwnerArea: {pain.owner_area for pain in pains},
        PainKind: {pain.kind for pain in pains},
        Interaction: {pain.interaction for pain in pains},
        OpportunityType: {item.type for item in opportunities},
        Horizon: {item.horizon for item in opportunities},
    }
    missing = {
        taxonomy.__name__: sorted(set(taxonomy.values()) - {str(v) for v in values if v})
        for taxonomy, values in seen.items()
    }
    assert {taxonomy: values for taxonomy, values in missing.items() if values} == {}


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("name", "log", "events"),
    [("help-desk", "helpdesk.xes.gz", 21_348), ("loan-application", "bpic2012.xes.gz", 262_200)],
)
def test_real_process_maps_place_every_event_of_their_log(
    name: str, log: str, events: int, shared_data: Path
):
    columns = ColumnMap(
        customer="case:concept:name", event="concept:name", timestamp="time:timestamp"
    )
    result = analyze(example_path(name), shared_data / "event_logs" / log, columns=columns)
    assert (result.inputs["rows"], result.inputs["mapped_events"]) == (events, events)
    reached = [step.reached for step in result.funnel_ordered]
    assert reached == sorted(reached, reverse=True)
    assert all(0 <= (s.conversion or 0) <= 1 for s in result.funnel_any_order)
