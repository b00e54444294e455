"""Contacts, repeat contacts and channel switches."""

from __future__ import annotations

from pathlib import Path

import ibis

from cjm.analytics.contacts import channel_switches, contacts, repeat_contacts
from cjm.analytics.touchpoints import map_touchpoints
from cjm.model import journey_from_text
from tests.logs import events_from_csv

MAP = """\
id: j
name: J
stages:
  - id: help
    name: Help
    touchpoints:
      - {id: portal, name: Portal, channel: self_service, events: {names: [faq]}}
      - {id: call, name: Call, channel: phone, events: {names: [call, call_step]}}
"""
EVENTS = """\
customer_id,timestamp,event
a,2024-01-01T10:00:00Z,faq
a,2024-01-01T10:01:00Z,faq
a,2024-01-01T11:00:00Z,call
a,2024-01-01T11:05:00Z,call_step
a,2024-01-03T11:00:00Z,call
a,2024-01-20T11:00:00Z,call
b,2024-01-01T10:00:00Z,call
b,2024-01-09T10:00:00Z,faq
"""


def _contacts(tmp_path: Path) -> ibis.Table:
    journey = journey_from_text(MAP)
    events = events_from_csv(tmp_path, EVENTS)
    channels = {tp.id: tp.channel.value for _, tp in journey.touchpoints()}
    return contacts(map_touchpoints(events, journey), channels)


def test_steps_of_one_call_are_one_contact_and_a_second_call_is_another(tmp_path: Path):
    rows = _contacts(tmp_path).order_by(["customer_id", "timestamp"]).to_pyarrow().to_pylist()
    assert [(r["customer_id"], r["touchpoint"]) for r in rows] == [
        ("a", "portal"),
        ("a", "call"),
        ("a", "call"),
        ("a", "call"),
        ("b", "call"),
        ("b", "portal"),
    ]


def test_repeats_count_contacts_again_within_the_window(tmp_path: Path):
    rows = {
        r["touchpoint"]: r for r in repeat_contacts(_contacts(tmp_path)).to_pyarrow().to_pylist()
    }
    assert (
        rows["call"]["contacts"],
        rows["call"]["repeats"],
        rows["call"]["repeat_customers"],
    ) == (4, 1, 1)
    assert rows["portal"]["repeats"] == 0


def test_channel_switches_within_the_window_are_counted_by_direction(tmp_path: Path):
    rows = channel_switches(_contacts(tmp_path)).to_pyarrow().to_pylist()
    assert rows == [
        {"from_channel": "self_service", "to_channel": "phone", "switches": 1, "customers": 1}
    ]
