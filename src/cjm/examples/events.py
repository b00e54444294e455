"""Synthetic event logs for any journey map, for demos, tests and benchmarks.

:func:`generate_events` walks simulated customers through the map's stages in order and writes
the events its touchpoint rules expect, in the canonical schema (``customer_id``,
``timestamp``, ``event``, ``channel``, ``session_id``, ``outcome``, ``value``) plus one column
per attribute that a touchpoint's ``where`` conditions test, filled on that touchpoint's rows
with values that satisfy them (null elsewhere). Customers drop off at every stage, more where
the designed emotion is low; touch 1-3 touchpoints a stage; contact a touchpoint again at
low-emotion stages; switch from web or self-service to phone, chat or IVR; step back to the
previous stage; and send about 2% events no touchpoint maps. Rows are not in time order and
some timestamps tie, as in real exports. The same seed always gives the same log.

>>> import cjm
>>> log = generate_events(cjm.load_journey(cjm.example_path("subscription")), customers=50)
>>> log.column_names[:7]
['customer_id', 'timestamp', 'event', 'channel', 'session_id', 'outcome', 'value']
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fnmatch
import operator
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from cjm.errors import InvalidInput
from cjm.model.journey import Condition, EventRule, Journey, Touchpoint
from cjm.model.taxonomy import Channel, Operator

Value = str | int | float | bool
Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
Trip = tuple[Ints, Floats, Ints]  # per customer: touchpoints in order, their offsets, how many

START = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
UNMAPPED_NAMES = ("page_view_misc", "heartbeat", "app_foregrounded", "session_keepalive")
DAY, HOUR = 86_400.0, 3_600.0
UNMAPPED_SHARE, REPEAT_SHARE, SWITCH_SHARE, BACKSTEP_SHARE = 0.02, 0.15, 0.10, 0.05
_SELF_SERVE, _ASSISTED, _STRAY = ("web", "self_service"), ("phone", "chat", "ivr"), ("web", "app")
_NO_SESSION = ("email", "sms", "mail", "partner", "other")
_FAILURE = {"failed", "failure", "declined", "abandoned", "cancelled", "disputed", "rejected"}
_SUCCESS = {"succeeded", "success", "completed", "created", "approved", "paid", "submitted"}
_SUCCESS |= {"renewed", "saved", "matched", "resolved", "granted", "held", "attended"}
_MONEY = ("subscription_created", "renewed", "paid", "purchase", "order_placed", "quote_approved")
_AMOUNT_HINTS = ("amount", "price", "cost", "value", "revenue", "total", "seconds", "minutes")
_WORDS = {  # what a '*' in a pattern becomes, by a hint in the pattern
    "chat": "started message_sent ended", "sms": "sent delivered clicked",
    "email": "sent opened clicked", "import": "started completed failed",
    "courier": "booked in_transit completed", "blog": "post_viewed cta_clicked shared",
    "onboarding": "welcome day3 day7", "": "viewed clicked completed",
}  # fmt: skip
_NOUNS = ("page", "plan", "account")  # what a leading '*' becomes


@dataclass(frozen=True)
class _Spot:
    """A touchpoint the generator emits: its stage, event names and attribute values."""

    stage: int
    names: tuple[str, ...]
    values: dict[str, list[Value]]  # attribute -> values that satisfy the rule; has 'channel'


@dataclass(frozen=True)
class _Plan:
    """The map as arrays: spots (the last one unmapped) grouped by stage, in journey order."""

    spots: list[_Spot]
    stage_spots: list[Ints]  # spot ids of each stage that has any
    emotions: Floats  # designed emotion of those stages (0 when not given)
    self_serve: Bools  # spots on the web or self-service
    helpers: list[Ints]  # spot ids on the phone, chat or IVR, per stage


@dataclass(frozen=True)
class _Visits:
    """Visits: who, to which spot, when (seconds after the start), and written out late."""

    customer: Ints
    spot: Ints
    time: Floats
    late: Bools

    @classmethod
    def of(cls, customer: Ints, spot: Ints, time: Floats, late: bool) -> _Visits:
        return cls(customer, spot, time, np.full(customer.size, late))

    @classmethod
    def concat(cls, parts: list[_Visits]) -> _Visits:
        fields = ("customer", "spot", "time", "late")
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f in fields))


def generate_events(
    journey: Journey,
    *,
    customers: int = 2000,
    seed: int = 7,
    start: dt.datetime = START,
    days: int = 120,
) -> pa.Table:
    """A deterministic synthetic event log for ``journey`` in the canonical schema.

    Customers start in the first half of the ``days`` after ``start`` (UTC when naive);
    events after the window are cut off. The same ``seed`` always gives the same table.
    """
    if customers < 1 or days < 1:
        raise InvalidInput("customers and days must be at least 1", hint="e.g. customers=2000")
    rng = np.random.default_rng(seed)
    plan = _plan(journey)
    walked, entered = _walk(plan, customers, days, rng)
    mapped = _Visits.concat([walked, _backsteps(entered, plan, customers, rng)])
    visits = _Visits.concat([mapped, _unmapped(mapped, plan, rng)])
    start = start if start.tzinfo else start.replace(tzinfo=dt.UTC)
    return _table(visits, plan, customers, start, days, rng)


def generate_customers(journey: Journey, *, customers: int = 2000, seed: int = 7) -> pa.Table:
    """A customers table for the customers of :func:`generate_events` (same ids): each is
    drawn to fit the attribute conditions of one persona rule of the map, or of none, so
    that persona segments find them. The same ``seed`` always gives the same table."""
    rng = np.random.default_rng(seed + 1)
    rules = [p.rule.where for p in journey.personas if p.rule is not None and p.rule.where]
    attributes = sorted({c.attribute for where in rules for c in where})
    fitting = [
        {a: _satisfying(a, [c for c in where if c.attribute == a]) for a in attributes}
        for where in rules
    ]
    anything = {a: [v for fits in fitting for v in fits[a]] for a in attributes}
    persona = rng.integers(0, len(rules) + 1, customers)  # len(rules): none of them
    columns: dict[str, list[str | None]] = {a: [] for a in attributes}
    for number in range(customers):
        for attribute in attributes:
            constrained = persona[number] < len(rules) and any(
                c.attribute == attribute for c in rules[persona[number]]
            )
            options = fitting[persona[number]][attribute] if constrained else anything[attribute]
            pick = int(rng.integers(len(options) + (0 if constrained else 1)))
            columns[attribute].append(_text(options[pick]) if pick < len(options) else None)
    ids = _labels("c", np.arange(customers), max(5, len(str(customers))))
    return pa.table(
        {"customer_id": ids, **{a: pa.array(v, pa.string()) for a, v in columns.items()}}
    )


def write_events(table: pa.Table, path: str | Path) -> Path:
    """Write an event log as .parquet, .csv or .jsonl by extension (timestamps ISO with 'Z')."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        pq.write_table(table, path)
        return path
    if suffix not in (".csv", ".jsonl"):
        raise InvalidInput(f"cannot write {path}", hint="name it .parquet, .csv or .jsonl")
    for number, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type):
            column = table.column(number).cast(pa.timestamp("us", tz="UTC"))
            with contextlib.suppress(pa.ArrowInvalid):  # whole seconds: no fraction
                column = column.cast(pa.timestamp("s", tz="UTC"))
            iso = pc.strftime(column, format="%Y-%m-%dT%H:%M:%SZ")
            table = table.set_column(number, field.name, iso)
    options = "FORMAT csv, HEADER" if suffix == ".csv" else "FORMAT json"
    target = str(path).replace("'", "''")
    with duckdb.connect() as con:
        con.register("generated", table)
        con.execute(f"COPY generated TO '{target}' ({options})")
    return path


# --- the map: which events and attribute values each touchpoint gets ------------------------


def _plan(journey: Journey) -> _Plan:
    spots = [
        spot
        for number, stage in enumerate(journey.stages)
        for touchpoint in stage.touchpoints
        if (spot := _spot(journey, number, touchpoint)) is not None
    ]
    if not spots:
        raise InvalidInput(
            f"journey '{journey.id}' maps no events: none of its touchpoints has an 'events' rule",
            hint="add 'events: {names: [...]}' to the touchpoints",
        )
    stray = [
        n for n in UNMAPPED_NAMES if not any(_first(journey, n, {"channel": c}) for c in _STRAY)
    ]
    spots.append(_Spot(-1, tuple(stray or ["zz_unmapped_ping"]), {"channel": list(_STRAY)}))
    stages = sorted({s.stage for s in spots[:-1]})
    grouped = [np.flatnonzero([s.stage == stage for s in spots]) for stage in stages]
    channel = np.array([str(s.values["channel"][0]) for s in spots])
    assisted = np.isin(channel, _ASSISTED)
    emotions = np.array([journey.stages[s].emotion or 0 for s in stages], dtype=np.float64)
    helpers = [g[assisted[g]] for g in grouped]
    return _Plan(spots, grouped, emotions, np.isin(channel, _SELF_SERVE), helpers)


def _spot(journey: Journey, stage: int, touchpoint: Touchpoint) -> _Spot | None:
    """The touchpoint's names and values that map back onto it (first match wins)."""
    if (rule := touchpoint.events) is None:
        return None
    values = _values(touchpoint, rule)
    row = {attribute: options[0] for attribute, options in values.items()}
    names = [n for n in _names(touchpoint, rule) if _first(journey, n, row) == touchpoint.id]
    if not names:
        return None
    for attribute, options in values.items():
        fits = [
            v for v in options if _first(journey, names[0], row | {attribute: v}) == touchpoint.id
        ]
        values[attribute] = fits or options[:1]
    return _Spot(stage, tuple(names), values)


def _first(journey: Journey, name: str, row: dict[str, Value]) -> str | None:
    """The id of the first touchpoint whose rule matches the event, as the mapping does."""
    row = {"event": name, "outcome": _outcome(name) or "", **row}
    for _stage, touchpoint in journey.touchpoints():
        if touchpoint.events is not None and _rule_holds(touchpoint.events, name, row):
            return touchpoint.id
    return None


def _rule_holds(rule: EventRule, name: str, row: dict[str, Value]) -> bool:
    named = name in rule.names or any(fnmatch.fnmatchcase(name, p) for p in rule.patterns)
    if (rule.names or rule.patterns) and not named:
        return False
    return all(_holds(c, row.get(c.attribute)) for c in rule.where)


def _holds(condition: Condition, value: Value | None) -> bool:
    op, target = condition.op, condition.value
    if value is None:
        return False
    text = _text(value)
    if op is Operator.EXISTS:
        return text.strip() != ""
    if op is Operator.MATCHES:
        return fnmatch.fnmatchcase(text, str(target))
    if op in (Operator.IN, Operator.NOT_IN):
        options = target if isinstance(target, list) else [target]
        return (text in {_text(v) for v in options if v is not None}) == (op is Operator.IN)
    if isinstance(target, int | float) and not isinstance(target, bool):
        try:
            return bool(getattr(operator, op.value)(float(text), float(target)))
        except ValueError:
            return False
    if target is None or isinstance(target, list):
        return False
    return bool(getattr(operator, op.value)(text, _text(target)))


def _names(touchpoint: Touchpoint, rule: EventRule) -> list[str]:
    names = list(rule.names) + [n for p in rule.patterns for n in _expand(p)]
    slug = touchpoint.id.replace("-", "_")
    return list(dict.fromkeys(names)) or [f"{slug}_started", f"{slug}_completed"]


def _expand(pattern: str) -> list[str]:
    """Names matching a glob: each ``*`` becomes a plausible word and each ``?`` a letter."""
    words = next(w for hint, w in _WORDS.items() if hint in pattern).split()
    glob = pattern.replace("?", "x")
    names = [
        (noun + glob[1:] if glob.startswith("*") else glob).replace("*", word)
        for noun, word in zip(_NOUNS, words, strict=False)
    ]
    return list(dict.fromkeys(names))


def _values(touchpoint: Touchpoint, rule: EventRule) -> dict[str, list[Value]]:
    conditions: dict[str, list[Condition]] = {"channel": []}
    for condition in rule.where:
        conditions.setdefault(condition.attribute, []).append(condition)
    own = touchpoint.channel.value
    values = {a: _satisfying(a, found) for a, found in conditions.items()}
    fits = all(_holds(c, own) for c in conditions["channel"])
    values["channel"] = [own] if fits else _satisfying("channel", conditions["channel"], True)
    return values


def _satisfying(attribute: str, conditions: list[Condition], channel: bool = False) -> list[Value]:
    pool = [v for c in conditions for v in _proposals(attribute, c)]
    pool += Channel.values() if channel else []
    unique = list({(type(v), v): v for v in pool}.values())
    return [v for v in unique if all(_holds(c, v) for c in conditions)] or pool[:1]


def _proposals(attribute: str, condition: Condition) -> list[Value]:
    """Candidate values for one condition (filtered later against all of them)."""
    op, value = condition.op, condition.value
    if value is None:  # exists
        stem = attribute.removesuffix("_id")
        return [45, 130, 310] if _amount_like(attribute) else [f"{stem}-{k}" for k in (101, 214)]
    if isinstance(value, list):
        return list(value) if op is Operator.IN else _others(value)
    if op in (Operator.EQ, Operator.NE):
        return [value] if op is Operator.EQ else _others([value])
    if op is Operator.MATCHES:
        return list(_expand(str(value)))
    up = op in (Operator.GT, Operator.GE)
    if isinstance(value, bool | str):
        return [_text(value) + "z"] if up else [_text(value), "0"]
    steps = (35, 120, 480, 950) if _amount_like(attribute) else (1, 2)
    near: list[Value] = [value] if op in (Operator.GE, Operator.LE) else []
    return near + [value + s if up else value - s for s in steps]


def _others(excluded: list[Value]) -> list[Value]:
    numbers = [v for v in excluded if isinstance(v, int | float) and not isinstance(v, bool)]
    if numbers and len(numbers) == len(excluded):
        return [max(numbers) + 1, max(numbers) + 2]
    return [w for w in ("general", "standard", "other") if w not in map(_text, excluded)]


def _amount_like(attribute: str) -> bool:
    return any(hint in attribute.lower() for hint in _AMOUNT_HINTS)


def _outcome(name: str) -> str | None:
    words = set(re.split(r"[^a-z0-9]+", name.lower()))
    return "failure" if words & _FAILURE else "success" if words & _SUCCESS else None


def _text(value: Value) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


# --- the walk: who visits which touchpoint when --------------------------------------------


def _walk(plan: _Plan, n: int, days: int, rng: np.random.Generator) -> tuple[_Visits, Floats]:
    """Customers walking the stages in order with drop-off; when each entered each stage."""
    keep = np.clip(0.8 + 0.06 * plan.emotions[1:], 0.5, 0.97)  # low emotion: more drop-off
    depth = 1 + np.cumprod(rng.random((n, keep.size)) < keep, axis=1).sum(axis=1)
    crowds = [np.flatnonzero(depth > number) for number in range(len(plan.stage_spots))]
    trips = [_itinerary(plan, k, who.size, rng) for k, who in enumerate(crowds)]
    switch_at = _switchers(plan, crowds, trips, n, rng)
    clock = rng.uniform(0.0, 0.45 * days * DAY, n)
    entered = np.full((len(crowds), n), np.nan)
    gap = 0.3 * days * DAY / len(crowds)
    parts: list[_Visits] = []
    for number, (who, trip) in enumerate(zip(crowds, trips, strict=True)):
        entered[number, who] = clock[who]
        visits, last = _stage(plan, number, who, clock[who], trip, switch_at[who] == number, rng)
        parts += visits
        clock[who] += last + DAY + rng.exponential(gap, who.size)
    return _Visits.concat(parts), entered


def _itinerary(plan: _Plan, number: int, size: int, rng: np.random.Generator) -> Trip:
    """For each customer of a stage: 1-3 of its touchpoints in visiting order, with offsets."""
    spot_ids = plan.stage_spots[number]
    most = min(3, spot_ids.size)
    weight = 1.0 / (1.0 + 0.3 * np.arange(spot_ids.size))  # the first touchpoints are busiest
    order = np.argsort(rng.exponential(1.0, (size, spot_ids.size)) / weight, axis=1)
    picked = spot_ids[order[:, :most]]
    steps = rng.exponential(0.4 * DAY, (size, most))
    steps[:, 0] = 0.0
    # an assisted contact comes a day after self-service: switches are designed, not chance
    after_self = np.logical_or.accumulate(plan.self_serve[picked], axis=1)[:, :-1]
    steps[:, 1:] += DAY * (after_self & np.isin(picked[:, 1:], plan.helpers[number]))
    return picked, np.cumsum(steps, axis=1), rng.integers(1, most + 1, size)


def _switch_options(plan: _Plan, number: int, trip: Trip) -> tuple[Bools, Bools]:
    """Which visits are self-service, and which of the stage's helpers each customer saw."""
    picked, _, count = trip
    valid = np.arange(picked.shape[1]) < count[:, None]
    seen = ((picked[:, :, None] == plan.helpers[number]) & valid[:, :, None]).any(axis=1)
    return plan.self_serve[picked] & valid, seen


def _switchers(
    plan: _Plan, crowds: list[Ints], trips: list[Trip], n: int, rng: np.random.Generator
) -> Ints:
    """The stage where each customer switches channel (-1: never), for ~10% of customers."""
    able = [
        (s.any(axis=1) & ~seen.all(axis=1))
        for s, seen in (_switch_options(plan, k, trip) for k, trip in enumerate(trips))
    ]
    who = np.concatenate([c[a] for c, a in zip(crowds, able, strict=True)])
    stage = np.concatenate([np.full(a.sum(), k) for k, a in enumerate(able)])
    shuffled = rng.permutation(who.size)
    one = shuffled[np.unique(who[shuffled], return_index=True)[1]]  # a random stage each
    chosen = rng.choice(one, min(one.size, round(SWITCH_SHARE * n)), replace=False)
    switch_at = np.full(n, -1)
    switch_at[who[chosen]] = stage[chosen]
    return switch_at


def _stage(
    plan: _Plan,
    number: int,
    who: Ints,
    at: Floats,
    trip: Trip,
    switching: Bools,
    rng: np.random.Generator,
) -> tuple[list[_Visits], Floats]:
    """A stage's visits, its repeat contacts and channel switches; when each customer is done."""
    picked, offsets, count = trip
    rows, cols = np.nonzero(np.arange(picked.shape[1]) < count[:, None])
    visits = [_Visits.of(who[rows], picked[rows, cols], at[rows] + offsets[rows, cols], False)]
    last = offsets[np.arange(who.size), count - 1]
    # repeat contacts: at low-emotion stages, the last touchpoint again within a few days
    again = np.flatnonzero(rng.random(who.size) < REPEAT_SHARE * (plan.emotions[number] < 0))
    later = offsets[again, count[again] - 1] + rng.uniform(0.25, 4.0, again.size) * DAY
    extras = [(again, picked[again, count[again] - 1], later)]
    # channel switches: a helper the customer has not seen yet, within a day of self-service
    self_serve, seen = _switch_options(plan, number, trip)
    switch = np.flatnonzero(switching)
    helper = (
        (rng.random(seen[switch].shape) + seen[switch]).argmin(axis=1) if switch.size else switch
    )
    first = offsets[switch, self_serve[switch].argmax(axis=1)]
    later = first + rng.uniform(300.0, 20 * HOUR, switch.size)
    extras.append((switch, plan.helpers[number][helper], later))
    for extra, spots, offset in extras:
        visits.append(_Visits.of(who[extra], spots, at[extra] + offset, True))
        np.maximum.at(last, extra, offset)
    return visits, last


def _backsteps(entered: Floats, plan: _Plan, n: int, rng: np.random.Generator) -> _Visits:
    """Some customers visit a touchpoint of the previous stage after reaching the next one."""
    reached = np.count_nonzero(~np.isnan(entered), axis=0)
    eligible = np.flatnonzero(reached >= 2)
    who = rng.choice(eligible, min(eligible.size, round(BACKSTEP_SHARE * n)), replace=False)
    stage = 1 + (rng.random(who.size) * (reached[who] - 1)).astype(np.int64)
    sizes = np.array([g.size for g in plan.stage_spots])
    pick = np.cumsum(sizes)[stage - 1] - sizes[stage - 1]
    pick += (rng.random(who.size) * sizes[stage - 1]).astype(np.int64)
    later = entered[stage, who] + rng.uniform(0.1, 2.0, who.size) * DAY
    return _Visits.of(who, np.concatenate(plan.stage_spots)[pick], later, True)


def _unmapped(visits: _Visits, plan: _Plan, rng: np.random.Generator) -> _Visits:
    """Single events no touchpoint maps (heartbeats, stray page views) near random visits."""
    sizes = np.array([len(s.names) for s in plan.spots])
    expected = np.sum(1 + np.minimum(3, sizes[visits.spot])) / 2  # mapped events, on average
    size = round(UNMAPPED_SHARE / (1 - UNMAPPED_SHARE) * float(expected))
    base = rng.integers(0, visits.customer.size, size)
    later = visits.time[base] + rng.uniform(0.0, 3 * HOUR, size)
    stray = np.full(size, len(plan.spots) - 1)
    return _Visits(visits.customer[base], stray, later, visits.late[base])


# --- the table: the events of each visit, their attributes, and the row order ----------------


def _events(
    visits: _Visits, spots: list[_Spot], rng: np.random.Generator
) -> tuple[Ints, Ints, Floats]:
    """Per event: its visit, its name's number, and its time (whole seconds)."""
    sizes = np.array([len(s.names) for s in spots])
    size = sizes[visits.spot]
    keys = rng.random((size.size, size.max()))
    keys[:, 0] *= 0.3  # the first name, often the start of the flow, is the likeliest
    keys[np.arange(size.max()) >= size[:, None]] = 2.0
    count = np.where(visits.spot == len(spots) - 1, 1, rng.integers(1, np.minimum(3, size) + 1))
    rows, cols = np.nonzero(np.argsort(np.argsort(keys, axis=1), axis=1) < count[:, None])
    gaps = np.minimum(rng.exponential(150.0, rows.size), 1200.0)
    gaps[rng.random(rows.size) < 0.06] = 0.0  # ties
    first = np.r_[True, rows[1:] != rows[:-1]]
    gaps[first] = 0.0
    total = np.cumsum(gaps)
    offsets = total - total[np.maximum.accumulate(np.where(first, np.arange(rows.size), 0))]
    names = np.cumsum(sizes)[visits.spot[rows]] - sizes[visits.spot[rows]] + cols
    return rows, names, np.floor(visits.time[rows] + offsets)


def _table(
    visits: _Visits, plan: _Plan, n: int, start: dt.datetime, days: int, rng: np.random.Generator
) -> pa.Table:
    visit, name, time = _events(visits, plan.spots, rng)
    columns = _attributes(plan.spots, visits.spot, rng)
    order = _row_order(visits, visit, time, days, rng)
    visit, name, time = visit[order], name[order], time[order]
    names = [event for spot in plan.spots for event in spot.names]
    money = np.array(
        [_outcome(e) != "failure" and any(m in e.lower() for m in _MONEY) for e in names]
    )
    amounts = np.round(rng.lognormal(np.log(39.0), 0.7, name.size), 2)
    micros = round(start.timestamp() * 1e6) + (time * 1e6).astype(np.int64)
    columns = {a: values.take(pa.array(visit)) for a, values in columns.items()}
    sessions = _labels("s", rng.permutation(visits.spot.size)[visit], 7)
    interactive = pa.array(~np.isin(columns["channel"].to_numpy(zero_copy_only=False), _NO_SESSION))
    base = {
        "customer_id": _labels("c", visits.customer[visit], max(5, len(str(n)))),
        "timestamp": pa.array(micros, pa.timestamp("us", tz="UTC")),
        "event": pa.array(names).take(pa.array(name)),
        "channel": columns.pop("channel"),
        "session_id": pc.if_else(interactive, sessions, pa.scalar(None, pa.string())),
        "outcome": pa.array([_outcome(e) for e in names], pa.string()).take(pa.array(name)),
        "value": pa.array(amounts, mask=~money[name]),
    }
    for key in set(columns) & set(base):  # a rule on a canonical column overrides it
        override = columns.pop(key).cast(base[key].type)
        base[key] = pc.if_else(pc.is_valid(override), override, base[key])
    return pa.table(base | columns)


def _row_order(
    visits: _Visits, visit: Ints, time: Floats, days: int, rng: np.random.Generator
) -> Ints:
    """Rows in the window by customer and time, late arrivals last, a few pairs swapped."""
    inside = np.flatnonzero(time < days * DAY)
    customer, late = visits.customer[visit[inside]], visits.late[visit[inside]]
    order = inside[np.lexsort((time[inside], customer, late))]
    swap = 2 * rng.choice(order.size // 2, round(0.015 * order.size), replace=False)
    order[swap], order[swap + 1] = order[swap + 1], order[swap].copy()
    return order


def _attributes(spots: list[_Spot], spot: Ints, rng: np.random.Generator) -> dict[str, pa.Array]:
    """Per visit, a value of each attribute its touchpoint's rule tests (null elsewhere)."""
    columns = {}
    for attribute in dict.fromkeys(a for s in spots for a in s.values):
        options = [s.values.get(attribute, []) for s in spots]
        vocabulary = list({(type(v), v): v for o in options for v in o}.values())
        code = {(type(v), v): i for i, v in enumerate(vocabulary)}
        sizes = np.array([len(o) for o in options])
        table = np.full((len(spots), sizes.max()), -1)
        for row, found in enumerate(options):
            table[row, : len(found)] = [code[(type(v), v)] for v in found]
        pick = table[spot, (rng.random(spot.size) * sizes[spot]).astype(np.int64)]
        indices = pa.array(pick, pa.int32(), mask=pick < 0)
        array = pa.DictionaryArray.from_arrays(indices, _vocabulary(vocabulary))
        columns[attribute] = array.dictionary_decode()
    return columns


def _vocabulary(values: list[Value]) -> pa.Array:
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    if all(isinstance(v, bool) for v in values):
        return pa.array(values, pa.bool_())
    if numbers:
        whole = all(isinstance(v, int) for v in values)
        return pa.array(values, pa.int64() if whole else pa.float64())
    return pa.array([_text(v) for v in values], pa.string())


def _labels(prefix: str, numbers: Ints, width: int) -> pa.Array:
    padded = pc.utf8_lpad(pa.array(numbers).cast(pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(prefix, padded, "")
