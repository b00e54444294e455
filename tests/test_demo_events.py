"""Synthetic event logs for any journey map: shape, mapping, behaviour, files."""

from __future__ import annotations

import datetime as dt
import fnmatch
import itertools
import re
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

import cjm
from cjm.analytics.tables import events_table
from cjm.analytics.touchpoints import map_touchpoints, unmapped_events
from cjm.errors import InvalidInput
from cjm.evidence import read_events
from cjm.examples.events import UNMAPPED_NAMES, generate_events, write_events
from cjm.model.journey import Condition, EventRule, Journey, Stage, Touchpoint

EXAMPLES = cjm.example_names()
DESIGNED = ["repair-return", "subscription"]
CANONICAL = ("customer_id", "timestamp", "event", "channel", "session_id", "outcome", "value")
ASSISTED = {"phone", "chat", "ivr"}
SELF_SERVE = {"web", "self_service"}
DAY = dt.timedelta(days=1)


# --- a reference matcher, written independently of the generator ---------------------------


def as_text(value: Any) -> str:
    """A value as the mapping compares it: booleans as 'true' and 'false'."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def holds(condition: Condition, value: Any) -> bool:
    """One ``where`` condition on a row's value; a null never holds."""
    if value is None:
        return False
    op, target = condition.op.value, condition.value
    text = as_text(value)
    if op == "exists":
        return text.strip() != ""
    if op == "matches":
        return fnmatch.fnmatchcase(text, str(target))
    if op in ("in", "not_in"):
        assert isinstance(target, list)
        return (text in {as_text(t) for t in target}) == (op == "in")
    if isinstance(target, int | float) and not isinstance(target, bool):
        left, right = float(text), float(target)
    else:
        left, right = text, as_text(target)  # type: ignore[assignment]
    return {
        "eq": left == right,
        "ne": left != right,
        "lt": left < right,
        "le": left <= right,
        "gt": left > right,
        "ge": left >= right,
    }[op]


def rule_matches(rule: EventRule, row: dict[str, Any]) -> bool:
    """Name in ``names`` or matching a ``patterns`` glob (when given), and every condition."""
    if rule.names or rule.patterns:
        named = row["event"] in rule.names or any(
            fnmatch.fnmatchcase(row["event"], p) for p in rule.patterns
        )
        if not named:
            return False
    return all(holds(c, row.get(c.attribute)) for c in rule.where)


class Mapper:
    """Rows onto (stage index, touchpoint id): the first matching touchpoint wins."""

    def __init__(self, journey: Journey) -> None:
        self.rules = [
            (number, tp.id, tp.events)
            for number, stage in enumerate(journey.stages)
            for tp in stage.touchpoints
            if tp.events is not None
        ]
        self.attributes = sorted({c.attribute for _, _, r in self.rules for c in r.where})
        self.cache: dict[tuple[Any, ...], tuple[int, str] | None] = {}

    def __call__(self, row: dict[str, Any]) -> tuple[int, str] | None:
        key = (row["event"], *(row.get(a) for a in self.attributes))
        if key not in self.cache:
            found = ((number, tp) for number, tp, rule in self.rules if rule_matches(rule, row))
            self.cache[key] = next(found, None)
        return self.cache[key]


# --- fixtures ---------------------------------------------------------------------------------


def load(name: str) -> Journey:
    return cjm.load_journey(cjm.example_path(name))


class Log:
    """A generated log with every row mapped by the reference matcher."""

    def __init__(self, journey: Journey, table: pa.Table) -> None:
        self.journey, self.table = journey, table
        self.rows = table.to_pylist()
        mapper = Mapper(journey)
        self.places = [mapper(row) for row in self.rows]

    def stage_customers(self) -> list[set[str]]:
        found: list[set[str]] = [set() for _ in self.journey.stages]
        for row, place in zip(self.rows, self.places, strict=True):
            if place is not None:
                found[place[0]].add(row["customer_id"])
        return found

    def mapped_by_customer(self) -> dict[str, list[tuple[dt.datetime, int, str, str]]]:
        """Each customer's mapped events in time order: (time, stage, touchpoint, channel)."""
        out: dict[str, list[tuple[dt.datetime, int, str, str]]] = defaultdict(list)
        for row, place in zip(self.rows, self.places, strict=True):
            if place is not None:
                out[row["customer_id"]].append((row["timestamp"], *place, row["channel"]))
        return {c: sorted(events) for c, events in out.items()}


_LOGS: dict[str, Log] = {}


def generated(name: str) -> Log:
    """The 2,000-customer log of a bundled example, generated once per test session."""
    if name not in _LOGS:
        journey = load(name)
        _LOGS[name] = Log(journey, generate_events(journey, customers=2000))
    return _LOGS[name]


@pytest.fixture(params=EXAMPLES)
def any_log(request: pytest.FixtureRequest) -> Log:
    """The log of every bundled example: what must hold for any map."""
    return generated(request.param)


@pytest.fixture(params=DESIGNED)
def log(request: pytest.FixtureRequest) -> Log:
    """The logs of the two maps whose touchpoints allow every designed behaviour."""
    return generated(request.param)


# --- determinism and schema -------------------------------------------------------------------


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_same_seed_gives_the_same_log_and_another_seed_another(name: str):
    journey = load(name)
    first = generate_events(journey, customers=300, seed=11)
    assert first.equals(generate_events(journey, customers=300, seed=11))
    assert not first.equals(generate_events(journey, customers=300, seed=12))


def test_the_log_has_the_canonical_columns_and_types(any_log: Log):
    schema = any_log.table.schema
    assert schema.names[:7] == list(CANONICAL)
    assert schema.field("timestamp").type == pa.timestamp("us", tz="UTC")
    for name in ("customer_id", "event", "channel", "session_id", "outcome"):
        assert schema.field(name).type == pa.string(), name
    assert schema.field("value").type == pa.float64()
    touchpoints = any_log.journey.touchpoints()
    where = {c.attribute for _, tp in touchpoints if tp.events for c in tp.events.where}
    assert where <= set(schema.names)
    assert all(re.fullmatch(r"c\d{5}", row["customer_id"]) for row in any_log.rows)
    assert {row["outcome"] for row in any_log.rows} <= {"success", "failure", None}


def test_outcomes_and_money_follow_the_event_names(log: Log):
    assert {row["outcome"] for row in log.rows} == {"success", "failure", None}
    paid = [row for row in log.rows if row["value"] is not None]
    assert paid
    assert min(row["value"] for row in paid) > 0
    assert all(row["outcome"] != "failure" for row in paid)
    failed = re.compile(r"failed|declined|abandoned|disputed|cancelled")
    failures = {row["event"] for row in log.rows if row["outcome"] == "failure"}
    assert failures
    assert all(failed.search(event) for event in failures)


def test_events_stay_inside_the_window_and_every_customer_appears(any_log: Log):
    start = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    stamps = [row["timestamp"] for row in any_log.rows]
    assert start <= min(stamps)
    assert max(stamps) < start + 120 * DAY
    assert len({row["customer_id"] for row in any_log.rows}) == 2000


# --- mapping onto the map ---------------------------------------------------------------------


def test_every_event_maps_onto_a_touchpoint_or_is_a_deliberate_unmapped_one(any_log: Log):
    pairs = list(zip(any_log.rows, any_log.places, strict=True))
    unmapped = [row["event"] for row, place in pairs if place is None]
    assert set(unmapped) <= set(UNMAPPED_NAMES)
    assert 0.005 <= len(unmapped) / len(pairs) <= 0.05
    assert not {row["event"] for row, place in pairs if place} & set(UNMAPPED_NAMES)


def test_every_touchpoint_with_an_event_rule_gets_events(any_log: Log):
    touched = {place[1] for place in any_log.places if place}
    ruled = {tp.id for _, tp in any_log.journey.touchpoints() if tp.events is not None}
    assert touched == ruled


def test_events_carry_the_channel_of_their_touchpoint(any_log: Log):
    channel = {tp.id: tp.channel.value for _, tp in any_log.journey.touchpoints()}
    for row, place in zip(any_log.rows, any_log.places, strict=True):
        if place:
            assert row["channel"] == channel[place[1]]


# --- behaviour --------------------------------------------------------------------------------


def test_stage_reach_never_increases_along_the_journey(any_log: Log):
    reach = any_log.stage_customers()
    assert all(reach), "every stage is reached by some customers"
    for earlier, later in itertools.pairwise(reach):
        assert later <= earlier  # who reaches a stage went through the one before
    assert len(reach[-1]) < 0.7 * len(reach[0])


def test_stages_with_a_lower_designed_emotion_lose_more_customers(log: Log):
    reach = [len(found) for found in log.stage_customers()]
    stages = log.journey.stages
    kept = {stages[k].emotion or 0: reach[k] / reach[k - 1] for k in range(1, len(stages))}
    assert kept[min(kept)] < kept[max(kept)] - 0.05


def test_customers_mostly_touch_one_to_three_touchpoints_a_stage(log: Log):
    touched: dict[tuple[str, int], set[str]] = defaultdict(set)
    for customer, events in log.mapped_by_customer().items():
        for _, stage, tp, _ in events:
            touched[(customer, stage)].add(tp)
    sizes = Counter(len(found) for found in touched.values())
    assert sum(sizes[k] for k in (1, 2, 3)) >= 0.95 * sum(sizes.values())
    assert all(sizes[k] > 0.1 * sum(sizes.values()) for k in (1, 2, 3))


def test_about_15_percent_contact_a_touchpoint_again_at_low_emotion_stages(log: Log):
    repeaters: dict[int, set[str]] = defaultdict(set)
    for customer, events in log.mapped_by_customer().items():
        last: dict[str, dt.datetime] = {}
        for stamp, stage, tp, _ in events:
            if tp in last and dt.timedelta(hours=4) <= stamp - last[tp] <= 5 * DAY:
                repeaters[stage].add(customer)
            last[tp] = stamp
    reach = log.stage_customers()
    for number, stage in enumerate(log.journey.stages):
        share = len(repeaters[number]) / len(reach[number])
        low = (stage.emotion or 0) < 0
        assert 0.08 <= share <= 0.25 if low else share <= 0.03, (stage.id, share)


def test_about_10_percent_switch_from_self_service_to_an_assisted_channel(log: Log):
    switchers = set()
    for customer, events in log.mapped_by_customer().items():
        self_served: dt.datetime | None = None
        for stamp, _, _, channel in events:
            if channel in ASSISTED and self_served and stamp - self_served <= DAY:
                switchers.add(customer)
            if channel in SELF_SERVE:
                self_served = stamp
    assert 0.07 <= len(switchers) / 2000 <= 0.15


def test_about_5_percent_step_back_to_the_previous_stage(any_log: Log):
    back = set()
    for customer, events in any_log.mapped_by_customer().items():
        entered: dict[int, dt.datetime] = {}
        for stamp, stage, _, _ in events:
            entered.setdefault(stage, stamp)
            if stage + 1 in entered and stamp > entered[stage + 1]:
                back.add(customer)
    assert 0.03 <= len(back) / 2000 <= 0.08


def test_rows_are_not_in_time_order_and_some_timestamps_tie(any_log: Log):
    keys = [(row["customer_id"], row["timestamp"]) for row in any_log.rows]
    assert keys != sorted(keys)
    by_customer: dict[str, list[dt.datetime]] = defaultdict(list)
    for customer, stamp in keys:
        by_customer[customer].append(stamp)
    unsorted = sum(stamps != sorted(stamps) for stamps in by_customer.values())
    assert unsorted >= 0.05 * len(by_customer)
    assert len(set(keys)) < len(keys)


# --- any map, speed, files ----------------------------------------------------------------------


def custom_journey() -> Journey:
    rule = EventRule.model_validate
    return Journey(
        id="custom",
        name="Custom",
        stages=[
            Stage(
                id="look",
                name="Look",
                touchpoints=[
                    Touchpoint(
                        id="site",
                        name="Site",
                        channel="web",
                        events=rule({"patterns": ["?_step_*", "*_seen"]}),
                    ),
                    Touchpoint(id="silent", name="Silent", channel="other"),
                ],
            ),
            Stage(
                id="ask",
                name="Ask",
                emotion=-2,
                touchpoints=[
                    Touchpoint(
                        id="callback",
                        name="Callback",
                        channel="web",
                        events=rule(
                            {
                                "names": ["callback_requested"],
                                "where": [
                                    {"attribute": "channel", "op": "in", "value": ["phone"]},
                                    {"attribute": "ticket", "op": "matches", "value": "T-*"},
                                    {"attribute": "score", "op": "lt", "value": 2.5},
                                    {"attribute": "tier", "op": "not_in", "value": ["free"]},
                                ],
                            }
                        ),
                    ),
                    Touchpoint(
                        id="vip",
                        name="VIP",
                        channel="chat",
                        events=rule({"where": [{"attribute": "vip", "op": "eq", "value": True}]}),
                    ),
                ],
            ),
        ],
    )


def test_any_journey_map_gets_events_that_satisfy_its_rules():
    journey = custom_journey()
    log = Log(journey, generate_events(journey, customers=400, seed=3))
    assert {place[1] for place in log.places if place} == {"site", "callback", "vip"}
    assert all(
        place or row["event"] in UNMAPPED_NAMES
        for row, place in zip(log.rows, log.places, strict=True)
    )
    callbacks = [
        row
        for row, place in zip(log.rows, log.places, strict=True)
        if place and place[1] == "callback"
    ]
    assert {row["channel"] for row in callbacks} == {"phone"}
    assert all(row["score"] < 2.5 and row["ticket"].startswith("T-") for row in callbacks)


@pytest.mark.parametrize("name", EXAMPLES)
def test_cjm_maps_the_log_as_the_reference_matcher_does(tmp_path: Path, name: str):
    log = generated(name)
    events = read_events(write_events(log.table, tmp_path / "events.parquet"))
    mapped = map_touchpoints(events_table(events), log.journey)
    unmapped = unmapped_events(mapped).execute()
    ours = [(row["event"], place) for row, place in zip(log.rows, log.places, strict=True)]
    assert dict(zip(unmapped["event"], unmapped["events"], strict=True)) == Counter(
        event for event, place in ours if place is None
    )
    touched = mapped.touchpoint.value_counts().execute().dropna()
    assert dict(zip(touched["touchpoint"], touched["touchpoint_count"], strict=True)) == Counter(
        place[1] for _, place in ours if place
    )


def test_two_thousand_customers_take_well_under_a_second():
    for name in EXAMPLES:
        journey = load(name)
        generate_events(journey, customers=50)  # warm up
        started = time.perf_counter()
        generate_events(journey, customers=2000)
        assert time.perf_counter() - started < 1.0


def _read_back(path: Path) -> list[tuple[Any, ...]]:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    return con.execute(
        "SELECT customer_id, CAST(timestamp AS TIMESTAMPTZ), event, channel, session_id, "
        f"outcome, CAST(value AS DOUBLE) FROM '{path}'"
    ).fetchall()


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".jsonl"])
def test_write_events_round_trips_through_duckdb(tmp_path: Path, suffix: str):
    table = generate_events(load("subscription"), customers=100)
    path = write_events(table, tmp_path / f"events{suffix}")
    expected = [tuple(row.values())[:7] for row in table.to_pylist()]
    assert _read_back(path) == expected


def test_csv_timestamps_are_iso_8601_with_z(tmp_path: Path):
    path = write_events(generate_events(load("repair-return"), customers=20), tmp_path / "e.csv")
    first = path.read_text(encoding="utf-8").splitlines()[1].split(",")[1]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", first)


def test_write_events_refuses_an_unknown_extension(tmp_path: Path):
    table = generate_events(load("subscription"), customers=5)
    with pytest.raises(InvalidInput):
        write_events(table, tmp_path / "events.xlsx")
