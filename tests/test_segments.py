"""Segments: personas from the map's rules, behaviour, activity and attribute columns."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from cjm.analytics.analyze import analyze
from cjm.errors import InvalidInput
from tests.logs import BROWSE_AND_BUY

MAP = (
    """\
id: shop
name: Shop
personas:
  - id: big-spender
    name: Big spender
    rule:
      where: [{attribute: plan, op: eq, value: pro}]
  - id: loyal-pro
    name: Loyal pro
    rule:
      where: [{attribute: seats, op: ge, value: 5}]
      behaviour: returning
"""
    + BROWSE_AND_BUY
)
# a: views, comes back after 40 days and pays; b: views and pays the same day;
# c: views only; d: views twice, pays, and views 5 more times (the most active)
EVENTS = """\
customer_id,timestamp,event,region
a,2024-01-01T10:00:00Z,view,north
a,2024-02-10T10:00:00Z,view,south
a,2024-02-10T10:05:00Z,pay,south
b,2024-03-01T09:00:00Z,view,south
b,2024-03-01T09:30:00Z,pay,south
c,2024-03-02T09:00:00Z,view,
d,2024-03-03T09:00:00Z,view,north
d,2024-03-03T09:10:00Z,view,north
d,2024-03-03T09:20:00Z,pay,north
d,2024-03-04T09:00:00Z,view,north
d,2024-03-05T09:00:00Z,view,north
d,2024-03-06T09:00:00Z,view,north
d,2024-03-07T09:00:00Z,view,north
d,2024-03-08T09:00:00Z,view,north
"""
CUSTOMERS = """\
customer_id,plan,seats
a,pro,10
b,pro,1
c,free,1
d,free,8
"""


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {"map": tmp_path / "map.yaml", "events": tmp_path / "e.csv"}
    paths["customers"] = tmp_path / "customers.csv"
    for key, text in (("map", MAP), ("events", EVENTS), ("customers", CUSTOMERS)):
        paths[key].write_text(text, encoding="utf-8")
    return paths


def groups(files: dict[str, Path], by: str, **options: Any) -> dict[str, dict[str, Any]]:
    result = analyze(
        files["map"],
        files["events"],
        segment_by=[by],
        dormant_after=dt.timedelta(days=30),
        **options,
    ).to_json()
    (segmentation,) = result["segments"]
    return {group["segment"]: group for group in segmentation["groups"]}


def reached(group: dict[str, Any]) -> list[int]:
    return [step["reached"] for step in group["funnel"]["ordered"]]


def test_personas_come_from_the_rules_conditions_and_behaviour(files: dict[str, Path]):
    found = groups(files, "persona", customers=files["customers"])
    # big-spender: plan pro (a, b); loyal-pro: seats >= 5 and returning (a only: d never left)
    assert {name: g["customers"] for name, g in found.items()} == {"big-spender": 2, "loyal-pro": 1}
    assert reached(found["big-spender"]) == [2, 2]
    assert found["loyal-pro"]["events"] == 3


def test_behaviour_tells_returning_customers_from_first_time_ones(files: dict[str, Path]):
    found = groups(files, "behaviour")
    assert {name: g["customers"] for name, g in found.items()} == {"first_time": 3, "returning": 1}


def test_activity_splits_customers_by_events_quantiles(files: dict[str, Path]):
    # events per customer: a 3, b 2, c 1, d 8 -> p25 = 1.75, p75 = 4.25
    found = groups(files, "activity")
    assert {name: g["customers"] for name, g in found.items()} == {
        "casual": 1,
        "power": 1,
        "regular": 2,
    }
    assert found["power"]["events"] == 8


def test_an_event_attribute_segments_by_the_first_events_value(files: dict[str, Path]):
    found = groups(files, "region")
    assert {name: g["customers"] for name, g in found.items()} == {
        "north": 2,
        "south": 1,
        "(none)": 1,
    }
    # a last seen on 10 February, d on 8 March (the end of the log): both within 30 days
    assert found["north"]["status"] == {"active": 2, "dormant": 0, "churned": 0}


def test_an_unknown_segmentation_is_refused_with_a_hint(files: dict[str, Path]):
    with pytest.raises(InvalidInput, match="cannot segment by 'regoin'") as caught:
        groups(files, "regoin")
    assert "region" in str(caught.value.hint)


def test_a_customers_table_listing_someone_twice_is_refused(files: dict[str, Path]):
    files["customers"].write_text(CUSTOMERS + "b,pro,3\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"lists customer 'b' more than once \(lines 3, 6\)"):
        groups(files, "persona", customers=files["customers"])


def test_a_customers_table_without_the_id_column_is_refused(files: dict[str, Path]):
    files["customers"].write_text("id,plan\na,pro\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="has no column 'customer_id'") as caught:
        groups(files, "persona", customers=files["customers"])
    assert "id, plan" in str(caught.value.hint)
    assert groups(files, "plan", customers=files["customers"], customers_id_col="id")


def test_cli_breaks_the_funnel_down_by_segment(cli, files: dict[str, Path], tmp_path: Path):
    result = cli(
        "analyze",
        str(files["map"]),
        "--events",
        str(files["events"]),
        "--customers",
        str(files["customers"]),
        "--segment-by",
        "persona",
        "--segment-by",
        "plan",
        "--out",
        str(tmp_path / "out"),
    )
    assert result.code == 0, result.err
    assert "By persona" in result.out
    written = json.loads((tmp_path / "out" / "analysis.json").read_text(encoding="utf-8"))
    assert [s["by"] for s in written["segments"]] == ["persona", "plan"]
    assert {g["segment"] for g in written["segments"][1]["groups"]} == {"pro", "free"}
