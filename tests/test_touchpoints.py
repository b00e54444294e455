"""Events onto the map: names, glob patterns, attribute conditions, first match wins."""

from __future__ import annotations

from pathlib import Path

import ibis
import pytest

from cjm.analytics.rules import glob_regex
from cjm.analytics.touchpoints import map_touchpoints, unmapped_events
from cjm.errors import InvalidInput
from cjm.model import journey_from_text
from tests.logs import events_from_csv

MAP = """\
id: j
name: J
stages:
  - id: buy
    name: Buy
    touchpoints:
      - {id: cart, name: Cart, channel: web, events: {names: [add_to_cart]}}
      - {id: checkout, name: Checkout, channel: web, events: {patterns: ['checkout_*']}}
  - id: help
    name: Help
    touchpoints:
      - id: phone
        name: Phone
        channel: phone
        events:
          names: [contact]
          where: [{attribute: channel, op: in, value: [phone, ivr]}]
      - id: chat
        name: Chat
        channel: chat
        events:
          names: [contact]
          where: [{attribute: wait_s, op: lt, value: 60}]
      - {id: any-contact, name: Other contact, channel: other, events: {names: [contact]}}
"""
ROWS = """\
c1,2024-01-01T00:00:00Z,add_to_cart,web,
c1,2024-01-01T00:01:00Z,checkout_start,web,
c1,2024-01-01T00:02:00Z,checkout_done,web,
c1,2024-01-02T00:00:00Z,contact,phone,
c2,2024-01-01T00:00:00Z,contact,chat,30
c2,2024-01-01T00:05:00Z,contact,chat,300
c2,2024-01-01T00:06:00Z,heartbeat,app,
c2,2024-01-01T00:07:00Z,heartbeat,app,
c3,2024-01-01T00:00:00Z,xcheckout_y,web,
"""


@pytest.fixture
def mapped(tmp_path: Path) -> ibis.Table:
    events = events_from_csv(tmp_path, "customer_id,timestamp,event,channel,wait_s\n" + ROWS)
    return map_touchpoints(events, journey_from_text(MAP))


def test_each_event_gets_the_first_matching_touchpoint_and_its_stage(mapped: ibis.Table):
    rows = mapped.order_by(["customer_id", "seq"]).select(
        "event", "touchpoint", "stage", "stage_index"
    )
    assert [tuple(r.values()) for r in rows.to_pyarrow().to_pylist()] == [
        ("add_to_cart", "cart", "buy", 1),
        ("checkout_start", "checkout", "buy", 1),
        ("checkout_done", "checkout", "buy", 1),
        ("contact", "phone", "help", 2),
        ("contact", "chat", "help", 2),
        ("contact", "any-contact", "help", 2),
        ("heartbeat", None, None, None),
        ("heartbeat", None, None, None),
        ("xcheckout_y", None, None, None),
    ]


def test_unmapped_events_are_counted_by_name(mapped: ibis.Table):
    counted = unmapped_events(mapped).execute()
    assert list(counted.itertuples(index=False, name=None)) == [
        ("heartbeat", 2),
        ("xcheckout_y", 1),
    ]


def test_a_rule_on_a_missing_attribute_names_the_columns(tmp_path: Path):
    events = events_from_csv(tmp_path, "customer_id,timestamp,event\nc1,2024-01-01,contact\n")
    with pytest.raises(InvalidInput, match="tests the attribute 'channel', which the event log"):
        map_touchpoints(events, journey_from_text(MAP))


@pytest.mark.parametrize(
    ("pattern", "regex"),
    [("checkout_*", "^checkout_.*$"), ("a?c", "^a.c$"), ("x.y+", "^x\\.y\\+$")],
)
def test_globs_become_anchored_portable_regexes(pattern: str, regex: str):
    assert glob_regex(pattern) == regex
