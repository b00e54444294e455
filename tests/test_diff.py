"""Semantic diff: what changed in the map, said the way a CX team says it."""

from __future__ import annotations

from cjm.model import journey_from_text
from cjm.model.diff import diff_journeys

BEFORE = """\
id: j
name: Journey
teams:
  - {id: it, name: IT}
  - {id: support, name: Support}
stages:
  - id: onboarding
    name: Onboarding
    emotion: 0
    touchpoints:
      - {id: ivr, name: IVR, channel: ivr, owner: it}
  - id: use
    name: Use
kpis:
  - {id: activation, name: Activation, metric: conversion, stage: onboarding, target: 0.6}
  - {id: nps, name: NPS, metric: nps, target: 30}
"""


def _changes(after: str) -> list[str]:
    return [str(c) for c in diff_journeys(journey_from_text(BEFORE), journey_from_text(after))]


def test_identical_maps_have_no_changes():
    assert _changes(BEFORE) == []


def test_the_issue_example_reads_as_written():
    after = BEFORE.replace("target: 0.6", "target: 0.7").replace("owner: it", "owner: support")
    after += "pain_points:\n  - {id: repeat-calls, name: Repeat calls, stage: onboarding}\n"
    assert _changes(after) == [
        "touchpoint 'ivr' owner it → support",
        "stage 'onboarding': KPI 'activation' target 0.6 → 0.7",
        "pain point 'repeat-calls' added",
    ]


def test_journey_fields_stage_order_and_removals():
    after = BEFORE.replace("name: Journey", "name: Our journey\npurpose: Less churn")
    after = after.replace(
        "  - id: onboarding\n    name: Onboarding\n    emotion: 0\n    touchpoints:\n"
        "      - {id: ivr, name: IVR, channel: ivr, owner: it}\n  - id: use\n    name: Use\n",
        "  - id: use\n    name: Use\n  - id: onboarding\n    name: Onboarding\n    emotion: 0\n",
    )
    after = after.replace("  - {id: nps, name: NPS, metric: nps, target: 30}\n", "")
    assert _changes(after) == [
        "journey name Journey → 'Our journey'",
        "journey purpose (none) → 'Less churn'",
        "stage order [onboarding, use] → [use, onboarding]",
        "touchpoint 'ivr' removed",
        "KPI 'nps' removed",
    ]


def test_a_touchpoint_moved_to_another_stage_says_so():
    after = BEFORE.replace(
        "    touchpoints:\n      - {id: ivr, name: IVR, channel: ivr, owner: it}\n", ""
    ).replace(
        "    name: Use\n",
        "    name: Use\n    touchpoints:\n      - {id: ivr, name: IVR, channel: ivr, owner: it}\n",
    )
    assert _changes(after) == ["touchpoint 'ivr' stage onboarding → use"]


def test_nested_fields_and_lists_are_named_by_their_path():
    after = BEFORE.replace(
        "owner: it}", "owner: it, events: {names: [ivr_call], where: [{attribute: x, op: exists}]}}"
    )
    assert _changes(after) == [
        "touchpoint 'ivr' events.names (none) → [ivr_call]",
        "touchpoint 'ivr' events.where (none) → 1 item",
    ]
