"""Every customer's events, sorted once, as numpy arrays.

The SQL definitions sort the log again for each analytic (every window function partitions
and orders by customer and time). Here DuckDB reads the log once and hands over integer
columns only: a hash of the customer, the time in microseconds and a hash of what the
touchpoint rules look at (the event name and the attributes their conditions test); the
rows are put in order by customer, time and input order once, by a counting sort (or kept
as they come when each customer's rows are already together and in time order). The rules
themselves run on the few distinct combinations, through the same
:func:`~cjm.analytics.touchpoints.map_touchpoints`.

Customers' hashes are checked, not trusted: when two customers share one, placing the
distinct ids (:func:`customer_ids`) among the sequences says so, and the caller then uses
the SQL definitions instead. Combinations are told apart by their 64-bit hash alone: the
rows are numbered by it as they arrive, and the rules read the values of the combinations
of the few customers in whose rows each first appears. Checking every row's values against
its combination's would cost a second pass over them (at 10M events a ``SELECT DISTINCT``
over the event and the tested attributes took about a CPU-second, a fifth of the whole
analysis); two of ``n`` distinct combinations share a hash with a probability of about
``n² / 2⁶⁵`` (3·10⁻¹⁴ for a thousand), and two of those customers' combinations that do are
caught.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from cjm import cache
from cjm.analytics import kernels
from cjm.analytics.arrays import numpy_of
from cjm.analytics.rules import COMBINATION
from cjm.evidence.events import quote_name
from cjm.model.journey import Journey

Ints = npt.NDArray[np.signedinteger[Any]]  # codes are int32, rows and times int64
Floats = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]
NONE = -1  # the code of a missing value (an event no touchpoint rule matched)


@dataclass(frozen=True)
class Sequences:
    """Rows grouped by customer (the customers in no particular order), each customer's in
    time order, then input order.

    ``starts`` holds where each customer's rows begin (and, last, the row count); ``combo``
    numbers what the touchpoint rules saw in each row, and ``lookups`` maps a column name to
    the code of each combination, indexing ``names[column]`` (``NONE`` where missing): a
    row's code is ``lookups[column][combo[row]]``, found by the kernels as they go (no
    column of codes is made); ``customer_keys`` identifies each customer (its hash).
    """

    starts: Ints
    us: Ints
    combo: Ints
    lookups: dict[str, Ints]
    names: dict[str, list[str]]
    customer_keys: npt.NDArray[np.uint64]

    def coded(self, column: str) -> tuple[Ints, Ints]:
        """What the kernels take to find each row's code of ``column``."""
        return self.combo, self.lookups[column]

    def code_at(self, column: str, rows: Any) -> Ints:
        """The codes of ``column`` of the ``rows`` (indices, a mask or a slice)."""
        found: Ints = self.lookups[column][self.combo[rows]]
        return found

    @property
    def rows(self) -> int:
        return len(self.us)

    @property
    def customers(self) -> int:
        return len(self.starts) - 1

    def where(self, keep: Mask) -> Sequences:
        """The rows where ``keep`` holds; customers left with no rows disappear."""
        starts, present, us, combo = kernels.kept(self.starts, keep, self.us, self.combo)
        return Sequences(
            starts=starts,
            us=us,
            combo=combo,
            lookups=self.lookups,
            names=self.names,
            customer_keys=self.customer_keys[present],
        )


class HashCollision(Exception):
    """Two distinct values share a hash: use the SQL definitions for this log."""


def load_sequences(
    con: duckdb.DuckDBPyConnection,
    journey: Journey,
    table: str,
    *,
    customers: int | None = None,
    rules: Future[CompiledRules] | None = None,
    ids: str | None = None,
) -> Sequences:
    """Sort ``table`` once and map its events onto ``journey``; see the module docstring.
    ``customers``, if known, sizes the hash tables; ``rules`` may come from :func:`prepare`;
    ``ids``, a table of the distinct customer ids (``EventLog.ids``), saves hashing every
    row's customer again to find those whose combinations the rules read.

    Raises :class:`HashCollision` when two combinations the rules read share a hash. Two
    customers sharing one would be numbered as one: compare :attr:`Sequences.customers` with
    the number of distinct ids (:func:`customer_ids`) to rule it out.
    """
    columns = [str(row[0]) for row in con.execute(f"DESCRIBE {table}").fetchall()]
    if _tested_attributes(journey) - set(columns):  # refused by name, with the log's columns
        _rules_sql(journey, columns)
    tested = _tested_columns(journey)
    keys = ", ".join(quote_name(c) for c in tested)
    combos = kernels.Numbering(64, grows=True)  # every chunk's, by first appearance
    with ThreadPoolExecutor(max_workers=1) as pool:  # the rules compile while rows arrive
        compiled = rules if rules is not None else pool.submit(compile_rules, journey)
        ((total,),) = con.execute(f"SELECT count(*) FROM {table}").fetchall()
        ranges = _hash_ranges(max(1, -(-int(total) // CHUNK_ROWS)))
        expected = -(-(customers or int(total) // 8) // len(ranges))
        chunks: list[_Chunk] = []
        read: list[Future[_Combinations]] = []

        def read_rules(held: npt.NDArray[np.uint64]) -> None:  # while the rows are placed
            holders = np.unique(np.concatenate([*(chunk.holders for chunk in chunks), held]))
            found = combos.found.copy()
            read.append(
                pool.submit(
                    _combinations, con.cursor(), journey, table, compiled, found, holders, ids
                )
            )

        for k, bounds in enumerate(ranges):
            last = k == len(ranges) - 1
            chunks.append(
                _chunk(con, table, keys, bounds, combos, expected, read_rules if last else None)
            )
        mapped = read[0].result()
    later = zip(chunks[1:], _offsets(chunks)[1:], strict=True)
    return Sequences(
        starts=_joined([chunks[0].starts, *(c.starts[1:] + at for c, at in later)]),
        us=_joined([chunk.us for chunk in chunks]),
        combo=_joined([chunk.combo for chunk in chunks]),
        lookups=mapped.lookups,
        names=mapped.names,
        customer_keys=_joined([chunk.keys for chunk in chunks]),
    )


@dataclass(frozen=True)
class _Combinations:
    """The combinations of event and tested attributes, mapped onto the journey."""

    lookups: dict[str, Ints]  # per column, the code of each combination
    names: dict[str, list[str]]  # per column, what its codes stand for


def _combinations(
    con: duckdb.DuckDBPyConnection,
    journey: Journey,
    table: str,
    rules: Future[CompiledRules],
    hashes: npt.NDArray[np.uint64],
    holders: npt.NDArray[np.uint64],
    ids: str | None,
) -> _Combinations:
    """Run the compiled touchpoint ``rules`` on the combinations of the columns they test
    whose ``hashes`` number the rows, read from the rows of the customers whose hashes are
    ``holders`` (those in whose rows each first appears), or from every row when there are
    more than ``HOLDERS`` of them."""
    tested, sql = rules.result()
    keys = ", ".join(quote_name(c) for c in tested)
    as_text = ", ".join(f"CAST({quote_name(c)} AS VARCHAR) AS {quote_name(c)}" for c in tested)
    where, params = "", {}
    if len(holders) <= HOLDERS:  # a list of ids is a filter the scan applies itself
        listed = ids or f"(SELECT DISTINCT customer_id FROM {table})"
        held = con.execute(
            f"SELECT customer_id FROM {listed} WHERE hash(customer_id) = ANY(?)",
            [holders.tolist()],
        ).fetchall()
        where, params = " WHERE customer_id = ANY($held)", {"held": [row[0] for row in held]}
    rows = con.sql(
        f"WITH _c AS (SELECT {as_text}, hash({keys}) AS {COMBINATION} FROM "
        f"(SELECT DISTINCT {keys} FROM {table}{where})) " + sql,
        params=params or None,
    ).to_arrow_table()
    combo_hash = numpy_of(rows.column(COMBINATION))
    if len(np.unique(combo_hash)) != len(combo_hash):
        raise HashCollision("two event and attribute combinations share a hash")
    at = {value: row for row, value in enumerate(combo_hash.tolist())}
    try:
        order = np.array([at[value] for value in hashes.tolist()], dtype=np.int64)
    except KeyError:
        raise HashCollision("a combination was not found again among its customer's rows") from None
    touchpoint_ids = [tp.id for _s, tp in journey.touchpoints()]
    stage_ids = [stage.id for stage in journey.stages]
    events = rows.column("event").to_pylist()
    event_names = sorted(set(events))
    stage_index = numpy_of(rows.column("stage"))  # 1-based; 0 for none
    return _Combinations(
        lookups={
            "event": _codes(events, event_names)[order],
            "touchpoint": _codes(rows.column("touchpoint").to_pylist(), touchpoint_ids)[order],
            "stage": (stage_index - 1).astype(np.int32)[order],  # 0 - 1 is NONE
        },
        names={"event": event_names, "touchpoint": touchpoint_ids, "stage": stage_ids},
    )


def _rules_sql(journey: Journey, columns: list[str]) -> str:
    """The touchpoint rules as SQL over a table ``_c`` of the text ``columns`` and the hash
    that identifies each combination. Imports Ibis: only on a miss of the cache."""
    import ibis

    from cjm.analytics.touchpoints import map_touchpoints

    combos = ibis.table({**dict.fromkeys(columns, "string"), COMBINATION: "uint64"}, name="_c")
    mapped = map_touchpoints(combos, journey)
    stage = mapped.stage_index.fill_null(0)
    mapped = mapped.select(COMBINATION, "event", "touchpoint", stage=stage)
    return str(ibis.to_sql(mapped, dialect="duckdb"))


# Up to this many customers, the rules read the combinations from their rows only; with more
# (rules that test an attribute of many values), from every row.
HOLDERS = 1000
CompiledRules = tuple[list[str], str]  # the columns the rules test, and their SQL
# cjm's modules that turn the rules into SQL (with this one): their sources key the cache
RULES_SOURCES = (
    "cjm.analytics.touchpoints",
    "cjm.analytics.rules",
    "cjm.model.journey",
    "cjm.model.taxonomy",
)


def compile_rules(journey: Journey) -> CompiledRules:
    """The touchpoint rules as SQL over the event and the attributes they test, kept in the
    disk cache (:mod:`cjm.cache`) for the next analysis of the same map."""
    tested = _tested_columns(journey)
    made_of = [
        journey.model_dump_json(),  # the tested columns too
        *(metadata.version(package) for package in ("ibis-framework", "sqlglot")),
        cache.sources(__name__, *RULES_SOURCES),
    ]
    return tested, cache.remembered("rules", made_of, lambda: _rules_sql(journey, tested))


def prepare(journey: Journey) -> Future[CompiledRules]:
    """Compile the touchpoint rules on a thread of its own, ahead of :func:`load_sequences`
    (compiling pays for Ibis's and SQLGlot's start-up, about a fifth of a second, which this
    overlaps with DuckDB reading the log)."""
    compiled: Future[CompiledRules] = Future()

    def run() -> None:
        try:
            compiled.set_result(compile_rules(journey))
        except Exception as exc:  # given to load_sequences, which raises it
            compiled.set_exception(exc)

    threading.Thread(target=run, name="cjm-rules", daemon=True).start()
    return compiled


def _tested_columns(journey: Journey) -> list[str]:
    return ["event", *sorted(_tested_attributes(journey))]


def _tested_attributes(journey: Journey) -> set[str]:
    return {c.attribute for _s, tp in journey.touchpoints() if tp.events for c in tp.events.where}


# The log is fetched in chunks of customers (by hash range) of about this many rows, so that
# the fetched columns and the sort never hold more than one chunk at a time. Each chunk scans
# the whole file: measured here, 50M events in one chunk take 20 s at a 4.6 GB peak, in two
# 28 s at 4.1 GB; 100M events in two take 50 s at a 7.4 GB peak.
CHUNK_ROWS = 64_000_000


def _hash_ranges(parts: int) -> list[tuple[int, int]]:
    """``parts`` ranges covering every 64-bit hash, in order."""
    bounds = [round(2**64 * k / parts) for k in range(parts + 1)]
    return list(itertools.pairwise(bounds))


@dataclass(frozen=True)
class _Chunk:
    """The rows of the customers of one hash range, in :class:`Sequences` order."""

    starts: Ints
    us: Ints
    combo: Ints  # each row's event and tested attributes: their number among all combinations
    keys: npt.NDArray[np.uint64]  # each customer's hash
    holders: npt.NDArray[np.uint64]  # the customers in whose rows a combination first appears


def _chunk(
    con: duckdb.DuckDBPyConnection,
    table: str,
    keys: str,
    bounds: tuple[int, int],
    combos: kernels.Numbering,
    expected: int,
    on_numbered: Callable[[npt.NDArray[np.uint64]], None] | None = None,
) -> _Chunk:
    """The rows of the customers whose hash is in ``bounds`` (all of them when ``bounds`` is
    every hash). DuckDB hands over integer columns in input order (its documented order
    preservation: a scan, a projection and a filter keep the rows' order); the customers and
    the combinations are numbered in hash tables and the rows put in order by a counting
    sort (:mod:`cjm.analytics.kernels`), many times faster than sorting in SQL. The rows are
    cut into one lane of consecutive rows per core: each lane numbers its customers (in a
    table sized for the ``expected`` customers, who keep the order in which they first
    appear) and combinations on its own thread, the numberings are merged (the combinations
    into ``combos``, shared by every chunk), and each lane places its rows after those of
    the lanes before it (so ties keep their input order). Rows already grouped by customer
    are kept as they come (:func:`_grouped`). Once every row's combination is numbered,
    ``on_numbered`` is told the customers in whose rows those new to ``combos`` first appear."""
    low, high = bounds
    every = bounds == (0, 2**64)
    where = "" if every else f" WHERE c >= {low}::UHUGEINT AND c < {high}::UHUGEINT"
    fetched = con.sql(
        f"SELECT * FROM (SELECT hash(customer_id) AS c, epoch_us(timestamp) AS us, "
        f"hash({keys}) AS h FROM {table}){where}"
    ).to_arrow_table()  # zero-copy into numpy, many times faster than fetchnumpy
    batches = [
        {name: numpy_of(batch.column(name)) for name in ("c", "us", "h")}
        for batch in fetched.to_batches()
    ]
    grouped = _grouped(batches, combos, 2 * expected) if batches else None
    if grouped is not None:
        if on_numbered:
            on_numbered(grouped.holders)
        return grouped
    lanes = _lanes(batches, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=len(lanes)) as pool:
        counted = list(pool.map(lambda lane: _number_lane(lane, expected), lanes))
        customers, renumbered, before = _merge([lane.customers for lane in counted])
        starts = np.concatenate(([0], np.cumsum(before[-1])))  # in order of first appearance
        us = np.empty(fetched.num_rows, dtype=np.int64)
        codes = np.empty(fetched.num_rows, dtype=np.int32)
        combos_of = [combos.number(lane.combos.found) for lane in counted]  # in input order
        holders = np.concatenate([lane.holders for lane in counted])
        if on_numbered:
            on_numbered(holders)
        placed = [  # each lane's rows go after those of the lanes before it
            pool.submit(_place, lane, of, customers_of, combos_of, starts[:-1] + ahead, us, codes)
            for lane, of, customers_of, combos_of, ahead in zip(
                lanes, counted, renumbered, combos_of, before[:-1], strict=True
            )
        ]
        for future in placed:
            future.result()
        middle = int(np.searchsorted(starts, starts[-1] // 2))
        halves = [starts[: middle + 1], starts[middle:]]
        list(pool.map(lambda part: kernels.sort_within(part, us, codes), halves))
    return _Chunk(starts=starts, us=us, combo=codes, keys=customers.found, holders=holders)


Batch = dict[str, npt.NDArray[Any]]


def _grouped(batches: list[Batch], combos: kernels.Numbering, most: int) -> _Chunk | None:
    """The rows as they come, when each customer's rows are already together and in time
    order (as in XES files, and logs exported customer by customer): then no sort is needed
    and the customers stay in input order. None when they are not, or when there are more
    than ``most`` runs of rows of one customer."""
    starts = np.empty(most + 1, dtype=np.int64)
    keys = np.empty(most, dtype=np.uint64)
    state = np.zeros(2, dtype=np.int64)  # runs so far, the time of the row before
    offset = 0
    for batch in batches:
        if not kernels.customer_runs(batch["c"], batch["us"], offset, starts, keys, state):
            return None
        offset += len(batch["c"])
    runs = int(state[0])
    customers = kernels.Numbering(max(1, runs))
    customers.number(keys[:runs])
    if len(customers.found) < runs:  # a customer's rows are in several places
        return None
    starts[runs] = offset
    codes, holders = zip(*(_numbered(combos, batch) for batch in batches), strict=True)
    return _Chunk(
        starts=starts[: runs + 1].copy(),
        us=np.concatenate([batch["us"] for batch in batches]),  # a copy: writable, like a sort's
        combo=np.concatenate(codes),
        keys=keys[:runs].copy(),
        holders=np.concatenate(holders),
    )


def _numbered(combos: kernels.Numbering, batch: Batch) -> tuple[Ints, npt.NDArray[np.uint64]]:
    """The number of each row's combination in ``combos`` (which grows), and the customers
    in whose rows the combinations new to it first appear."""
    known = len(combos.found)
    codes: Ints = combos.number(batch["h"])
    return codes, batch["c"][kernels.first_rows(codes, known, len(combos.found))]


def _lanes(batches: list[Batch], lanes: int) -> list[list[Batch]]:
    """The rows of ``batches`` in ``lanes`` runs of consecutive rows, as even as can be
    (consecutive: a lane's rows all come before the next lane's in the input)."""
    ends = list(itertools.accumulate(len(batch["c"]) for batch in batches))
    cuts = [ends[-1] * k // lanes if ends else 0 for k in range(lanes + 1)]
    found = [
        [
            {name: column[max(low - start, 0) : high - start] for name, column in batch.items()}
            for batch, start, end in zip(batches, [0, *ends[:-1]], ends, strict=True)
            if start < high and end > low
        ]
        for low, high in itertools.pairwise(cuts)
    ]
    return [lane for lane in found if lane] or [[]]


@dataclass(frozen=True)
class _Lane:
    """A lane's customers and combinations, numbered by first appearance."""

    customers: kernels.Numbering
    numbers: list[Ints]  # per batch, each row's customer
    combos: kernels.Numbering
    codes: list[Ints]  # per batch, each row's combination
    holders: npt.NDArray[np.uint64]  # the customers in whose rows a combination first appears


def _number_lane(lane: list[Batch], customers: int) -> _Lane:
    """Number the lane's customers (in a table sized for the ``customers`` expected in the
    chunk) and combinations."""
    numbering = kernels.Numbering(max(1024, customers), grows=True)
    combos = kernels.Numbering(64, grows=True)
    numbered = [_numbered(combos, batch) for batch in lane]
    return _Lane(
        customers=numbering,
        numbers=[numbering.number(batch["c"]) for batch in lane],
        combos=combos,
        codes=[codes for codes, _ in numbered],
        holders=np.concatenate([held for _, held in numbered] or [np.empty(0, np.uint64)]),
    )


def _merge(
    counted: list[kernels.Numbering],
) -> tuple[kernels.Numbering, list[Ints], list[Ints]]:
    """One numbering of every lane's customers (the first lane's, extended), each lane's
    numbers in it, and per lane the rows of each customer in the lanes before it (the last
    entry: in all of them)."""
    merged = counted[0]
    remaps = [np.arange(len(merged.found), dtype=np.int32)]
    lane_rows = [merged.rows[: len(merged.found)].copy()]
    for numbering in counted[1:]:
        remaps.append(merged.number(numbering.found))  # new customers are appended
        lane_rows.append(numbering.rows[: len(numbering.found)])
    ahead = np.zeros(len(merged.found), dtype=np.int64)
    before = [ahead.copy()]
    for remap, counts in zip(remaps, lane_rows, strict=True):
        ahead[remap] += counts  # a numbering's customers are distinct: no index repeats
        before.append(ahead.copy())
    return merged, remaps, before


def _place(
    lane: list[Batch],
    numbered: _Lane,
    customers: Ints,
    combos: Ints,
    filled: Ints,
    us: Ints,
    codes: Ints,
) -> None:
    """Put the lane's rows at their customers' places (from ``filled`` on), customers and
    combinations as ``customers`` and ``combos`` number the lane's own numbers."""
    for batch, number, combo in zip(lane, numbered.numbers, numbered.codes, strict=True):
        kernels.place(number, customers, batch["us"], combo, combos, filled, us, codes)


def _joined(parts: list[npt.NDArray[Any]]) -> npt.NDArray[Any]:
    """The arrays one after the other (the one itself, not a copy, when alone)."""
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def _offsets(chunks: list[_Chunk]) -> list[int]:
    """Where each chunk's rows begin among all of them."""
    return [0, *itertools.accumulate(len(chunk.us) for chunk in chunks)][:-1]


def customer_ids(
    con: duckdb.DuckDBPyConnection, ids: str
) -> tuple[pa.Array, npt.NDArray[np.uint64]]:
    """The customer ids listed in the table ``ids`` (distinct) in ascending order, and each
    one's hash (which places it among the customers of :class:`Sequences`)."""
    found = con.sql(
        f"SELECT customer_id, hash(customer_id) AS c FROM {ids} ORDER BY customer_id"
    ).to_arrow_table()
    hashes = numpy_of(found.column("c"))
    return found.column("customer_id").combine_chunks(), np.asarray(hashes, dtype=np.uint64)


def _codes(values: Sequence[str | None], names: list[str]) -> Ints:
    index = {name: number for number, name in enumerate(names)}
    return np.array([NONE if v is None else index[v] for v in values], dtype=np.int32)
