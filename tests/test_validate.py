"""``cjm validate``: every problem at once, located, explained, with exact messages."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path

import pytest

from cjm.model import check_file

TODAY = dt.date(2026, 11, 23)

VALID = """\
id: checkout
name: Checkout
review_cadence: quarterly
last_validated: 2026-10-01
teams:
  - id: support
    name: Support
stages:
  - id: purchase
    name: Purchase
    touchpoints:
      - id: cart
        name: Cart
        channel: web
        owner: support
  - id: onboarding
    name: Onboarding
kpis:
  - id: conversion
    name: Conversion
    metric: conversion
    stage: purchase
    target: 0.6
  - id: activation
    name: Activation
    metric: conversion
    stage: onboarding
    target: 0.5
"""


def _write(tmp_path: Path, text: str, name: str = "map.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _lines(path: Path) -> list[str]:
    return [d.format() for d in check_file(path, today=TODAY)]


def test_a_valid_map_has_no_findings(tmp_path: Path):
    assert _lines(_write(tmp_path, VALID)) == []


def test_unknown_stage_reference_suggests_the_closest(tmp_path: Path):
    path = _write(tmp_path, VALID.replace("stage: onboarding", "stage: onbording"))
    assert _lines(path) == [
        f"{path}:27:5: error: kpis[1].stage: unknown stage 'onbording' — did you mean 'onboarding'?"
    ]


def test_unknown_owner_team_is_located_at_the_touchpoint_key(tmp_path: Path):
    path = _write(tmp_path, VALID.replace("owner: support", "owner: it"))
    assert _lines(path) == [
        f"{path}:15:9: error: stages[0].touchpoints[0].owner: unknown team 'it' — "
        "known teams: support"
    ]


def test_unknown_key_suggests_the_field_meant(tmp_path: Path):
    path = _write(
        tmp_path, VALID.replace("    name: Onboarding", "    name: Onboarding\n    custmer_goal: x")
    )
    assert _lines(path) == [
        f"{path}:18:5: error: stages[1].custmer_goal: unknown key 'custmer_goal' — "
        "did you mean 'customer_goal'?"
    ]


def test_wrong_enum_value_suggests_the_valid_one(tmp_path: Path):
    path = _write(tmp_path, VALID.replace("channel: web", "channel: webb"))
    assert _lines(path) == [
        f"{path}:14:9: error: stages[0].touchpoints[0].channel: 'webb' is not a valid "
        "channel — did you mean 'web'?"
    ]


def test_wrong_type_and_out_of_range_values(tmp_path: Path):
    text = VALID.replace("    name: Purchase", "    name: Purchase\n    emotion: 5")
    text = text.replace("target: 0.6", "target: high")
    path = _write(tmp_path, text)
    assert _lines(path) == [
        f"{path}:11:5: error: stages[0].emotion: 5 is out of range: 'emotion' must be ≤ 2",
        f"{path}:24:5: error: kpis[0].target: expected a number, got 'high' — write a number here",
    ]


def test_duplicate_ids_and_a_repeated_stage(tmp_path: Path):
    text = VALID.replace(
        "  - id: onboarding\n    name: Onboarding", "  - id: purchase\n    name: Again"
    )
    text = text.replace("id: activation", "id: conversion")
    path = _write(tmp_path, text)
    assert _lines(path) == [
        f"{path}:16:5: error: stages[1].id: stage 'purchase' appears twice in the stage order "
        "(first at stages[0]) — each stage comes once in a journey: rename or remove one of them",
        f"{path}:24:5: error: kpis[1].id: duplicate KPI id 'conversion' (first at kpis[0]) — "
        "give each KPI its own id",
        f"{path}:27:5: error: kpis[1].stage: unknown stage 'onboarding' — known stages: purchase",
    ]


def test_missing_required_keys_are_each_reported(tmp_path: Path):
    path = _write(tmp_path, "id: x\nstages:\n  - id: a\n")
    assert _lines(path) == [
        f"{path}:1:1: error: name: missing required key 'name' — add 'name:' here",
        f"{path}:3:5: error: stages[0].name: missing required key 'name' — add 'name:' here",
    ]


def test_a_bad_id_shows_a_slug_to_use(tmp_path: Path):
    path = _write(tmp_path, VALID.replace("id: checkout", "id: Check Out"))
    assert _lines(path) == [
        f"{path}:1:1: error: id: 'Check Out' is not a valid id — use lowercase letters, "
        "digits and '-', e.g. 'check-out'"
    ]


def test_type_and_reference_errors_are_reported_together(tmp_path: Path):
    text = VALID.replace("channel: web", "channel: webb").replace("owner: support", "owner: it")
    found = check_file(_write(tmp_path, text), today=TODAY)
    assert [d.where for d in found] == [
        "stages[0].touchpoints[0].channel",
        "stages[0].touchpoints[0].owner",
    ]


def test_kpi_thresholds_must_follow_the_direction(tmp_path: Path):
    path = _write(tmp_path, VALID.replace("target: 0.5", "target: 0.5\n    red: 0.7"))
    assert _lines(path) == [
        f"{path}:24:5: error: kpis[1]: red 0.7 is above target 0.5; a KPI that is better "
        "when higher needs red ≤ yellow ≤ target"
    ]


def test_touchpoint_of_another_stage_is_an_error(tmp_path: Path):
    text = VALID.replace("    stage: onboarding", "    stage: onboarding\n    touchpoint: cart")
    path = _write(tmp_path, text)
    assert _lines(path) == [
        f"{path}:28:5: error: kpis[1].touchpoint: touchpoint 'cart' belongs to stage "
        "'purchase', not 'onboarding' — set stage: purchase, or pick a touchpoint of stage "
        "'onboarding'"
    ]


def test_malformed_yaml_is_located(tmp_path: Path):
    path = _write(tmp_path, "id: x\nname: [unclosed\nstages: []\n")
    (line,) = _lines(path)
    assert line.startswith(f"{path}:3:7: error: malformed YAML:")


def test_duplicate_keys_are_malformed(tmp_path: Path):
    path = _write(tmp_path, "id: x\nid: y\nname: X\n")
    (line,) = _lines(path)
    assert line.startswith(f"{path}:2:1: error: malformed YAML:")
    assert "duplicate" in line


def test_json_maps_are_validated_with_positions(tmp_path: Path):
    data = {"id": "j", "name": "J", "stages": [{"id": "a", "name": "A", "emotion": 9}]}
    path = _write(tmp_path, json.dumps(data, indent=2), "map.json")
    assert _lines(path) == [
        f"{path}:8:7: error: stages[0].emotion: 9 is out of range: 'emotion' must be ≤ 2"
    ]


def test_a_list_at_the_top_is_not_a_map(tmp_path: Path):
    path = _write(tmp_path, "- a\n- b\n")
    assert _lines(path) == [
        f"{path}:1:1: error: the file holds a list, not a journey map — a journey map starts "
        "with keys such as 'id:', 'name:' and 'stages:'"
    ]


# Warnings: journey-management practices ------------------------------------------------------

PRACTICES = """\
id: j
name: J
review_cadence: monthly
last_validated: 2026-01-10
personas:
  - id: newcomer
    name: Newcomer
stages:
  - id: use
    name: Use
pain_points:
  - id: slow
    name: Slow
    stage: use
opportunities:
  - id: faster
    name: Faster
    addresses: [slow]
kpis:
  - id: csat
    name: CSAT
    metric: csat
"""


def test_practice_warnings_say_what_to_do(tmp_path: Path):
    path = _write(tmp_path, PRACTICES)
    assert _lines(path) == [
        f"{path}:4:1: warning: last_validated: the map is stale: last validated 2026-01-10, "
        "317 days ago; its review cadence is monthly (31 days) — check it against real "
        "customers, then set 'last_validated: 2026-11-23'",
        f"{path}:6:5: warning: personas[0]: persona 'newcomer' has no data rule — add 'rule:' "
        "so its customers can be found in the data",
        f"{path}:9:5: warning: stages[0]: stage 'use' has no KPI — add a KPI with "
        "'stage: use' (e.g. conversion) to measure it",
        f"{path}:12:5: warning: pain_points[0]: pain point 'slow' has no evidence — add "
        "'evidence:' (survey, ticket, event log...) so it is a fact, not an assumption",
        f"{path}:12:5: warning: pain_points[0]: pain point 'slow' has no owner area — set "
        "'owner_area:' to strategy, process, content or technology: who in the company owns "
        "the fix",
        f"{path}:16:5: warning: opportunities[0]: opportunity 'faster' has no owner and no due "
        "date — give it an owner team ('owner:') and a due date ('due:') so it gets done",
        f"{path}:20:5: warning: kpis[0]: KPI 'csat' has no target — add 'target:' (and "
        "'yellow:' and 'red:') so the JPI can judge it",
    ]


def test_a_map_never_validated_is_flagged_when_it_has_a_cadence(tmp_path: Path):
    path = _write(tmp_path, VALID.replace("last_validated: 2026-10-01\n", ""))
    assert _lines(path) == [
        f"{path}:3:1: warning: review_cadence: the map has never been validated — check it "
        "against real customers, then set 'last_validated: 2026-11-23'"
    ]


@pytest.mark.parametrize("days", [0, 92])
def test_a_map_within_its_cadence_is_not_stale(tmp_path: Path, days: int):
    validated = TODAY - dt.timedelta(days=days)
    path = _write(tmp_path, VALID.replace("2026-10-01", validated.isoformat()))
    assert _lines(path) == []


def test_a_finding_inside_a_merged_mapping_does_not_crash(tmp_path: Path):
    text = VALID.replace(
        "      - id: cart\n        name: Cart\n        channel: web\n        owner: support\n",
        "      - &tp {id: cart, name: Cart, channel: web, owner: suport}\n"
        "      - <<: *tp\n        id: cart2\n",
    )
    found = check_file(_write(tmp_path, text), today=TODAY)
    assert [(d.where, d.message) for d in found] == [
        ("stages[0].touchpoints[0].owner", "unknown team 'suport'"),
        ("stages[0].touchpoints[1].owner", "unknown team 'suport'"),
    ]
    assert all(d.line for d in found)


def test_json_files_must_be_strict_json(tmp_path: Path):
    path = _write(tmp_path, '{"id": "j", "name": "J", "stages": [],}', "map.json")
    assert _lines(path) == [
        f"{path}:1:39: error: malformed JSON: Expecting property name enclosed in double "
        "quotes — fix the JSON syntax here"
    ]


def test_an_impossible_date_is_located(tmp_path: Path):
    path = _write(tmp_path, VALID.replace("2026-10-01", "2026-02-30"))
    (line,) = _lines(path)
    assert line.startswith(f"{path}:4:1: error: last_validated: expected a date, got '2026-02-30'")


@pytest.mark.parametrize("value", ["true", ".nan", ".inf", "'0.6'"])
def test_booleans_nan_and_text_are_not_numbers(tmp_path: Path, value: str):
    path = _write(tmp_path, VALID.replace("target: 0.6", f"target: {value}"))
    (line,) = _lines(path)
    assert "kpis[0].target: expected a number" in line


def test_a_last_validated_date_in_the_future_is_flagged(tmp_path: Path):
    path = _write(tmp_path, VALID.replace("2026-10-01", "2099-01-01"))
    assert _lines(path) == [
        f"{path}:4:1: warning: last_validated: last_validated 2099-01-01 is in the future — "
        "set it to the day the map was last checked, at most 2026-11-23"
    ]
