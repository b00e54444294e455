"""The journey model: an invalid map cannot exist in memory; taxonomies carry their meaning."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from cjm.model import (
    KPI,
    Condition,
    EventRule,
    Journey,
    PainPoint,
    PersonaRule,
    Stage,
    Touchpoint,
    journey_schema,
    new_journey,
)
from cjm.model.taxonomy import (
    AwarenessStage,
    Channel,
    Direction,
    DiscoveryStage,
    Metric,
    OwnerArea,
    PriorityClass,
    StageSet,
    Taxonomy,
)


def _journey(**extra: object) -> Journey:
    stages = [
        Stage(
            id="use",
            name="Use",
            touchpoints=[Touchpoint(id="web", name="Web", channel=Channel.WEB)],
        )
    ]
    return Journey(id="j", name="J", stages=stages, **extra)


def test_a_dangling_reference_cannot_be_constructed():
    with pytest.raises(
        ValidationError, match=re.escape("pain_points[0].stage: unknown stage 'buy'")
    ):
        _journey(pain_points=[PainPoint(id="p", name="P", stage="buy")])


def test_assignment_is_validated():
    stage = Stage(id="use", name="Use")
    with pytest.raises(ValidationError):
        stage.emotion = 3  # type: ignore[assignment]


def test_unknown_keys_are_refused():
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        Stage.model_validate({"id": "use", "name": "Use", "colour": "red"})


def test_kpi_direction_defaults_to_the_metric():
    assert KPI(id="k", name="K", metric=Metric.DROP_OFF).better is Direction.LOWER
    assert KPI(id="k", name="K", metric=Metric.CSAT).better is Direction.HIGHER
    kpi = KPI(id="k", name="K", metric=Metric.CSAT, direction=Direction.LOWER)
    assert kpi.better is Direction.LOWER


def test_lower_is_better_thresholds_run_upwards():
    KPI(id="k", name="K", metric=Metric.DROP_OFF, target=0.2, yellow=0.3, red=0.4)
    with pytest.raises(ValidationError, match=re.escape("yellow 0.1 is below target 0.2")):
        KPI(id="k", name="K", metric=Metric.DROP_OFF, target=0.2, yellow=0.1)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"attribute": "plan", "op": "in", "value": "pro"}, "needs a list of values"),
        ({"attribute": "plan", "op": "eq", "value": ["a"]}, "takes one value, not a list"),
        ({"attribute": "plan", "op": "exists", "value": 1}, "takes no value"),
        ({"attribute": "plan", "op": "gt"}, "operator 'gt' needs a 'value'"),
    ],
)
def test_conditions_fit_their_operator(fields: dict[str, object], message: str):
    with pytest.raises(ValidationError, match=message):
        Condition.model_validate(fields)


def test_empty_rules_are_refused():
    with pytest.raises(ValidationError, match="needs at least one of 'names', 'patterns'"):
        EventRule()
    with pytest.raises(ValidationError, match="needs 'where' conditions or a 'behaviour'"):
        PersonaRule()


def test_stock_stage_sets_are_the_seeds():
    assert DiscoveryStage.values() == [
        "discovery",
        "consideration",
        "purchase",
        "use",
        "adopt",
        "advocate",
    ]
    assert AwarenessStage.values() == [
        "awareness",
        "consideration",
        "purchase",
        "onboarding",
        "retention",
        "advocacy",
    ]


def test_every_taxonomy_value_has_a_description():
    missing = [
        f"{enum.__name__}.{member.value}"
        for enum in Taxonomy.__subclasses__()
        for member in enum
        if not member.description
    ]
    assert missing == []
    assert PriorityClass.DISSATISFIER.rank < PriorityClass.LOYALTY_INHIBITOR.rank
    assert OwnerArea.CONTENT.description.endswith("the content team owns it.")


def test_schema_carries_enum_descriptions_for_editors():
    schema = journey_schema()
    channel = schema["$defs"]["Channel"]
    assert channel["enum"][:2] == ["web", "app"]
    assert channel["enumDescriptions"][0] == "Website pages and web flows."
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False


@pytest.mark.parametrize("stage_set", list(StageSet))
def test_init_templates_are_valid_maps(stage_set: StageSet):
    journey = new_journey("Pro Plan: Onboarding!", stage_set)
    assert journey.id == "pro-plan-onboarding"
    assert len(journey.stages) == (3 if stage_set is StageSet.CUSTOM else 6)
    assert Journey.model_validate(journey.model_dump()) == journey
