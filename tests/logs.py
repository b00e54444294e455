"""Tiny event logs written from CSV text, for tests of the analytics."""

from __future__ import annotations

from pathlib import Path

import ibis

from cjm.evidence import read_events


def events_from_csv(folder: Path, text: str) -> ibis.Table:
    """The canonical ``events`` table of a CSV log given as text (header included)."""
    path = folder / "events.csv"
    path.write_text(text, encoding="utf-8")
    return ibis.duckdb.from_connection(read_events(path).connection).table("events")


BROWSE_AND_BUY = """\
stages:
  - id: browse
    name: Browse
    touchpoints:
      - {id: site, name: Site, channel: web, events: {names: [view]}}
  - id: buy
    name: Buy
    touchpoints:
      - {id: pay, name: Payment, channel: web, events: {names: [pay]}}
"""
"""Two stages of one touchpoint each, for maps of tests: 'view' browses, 'pay' buys."""
