"""The loops of the single pass, compiled with Numba.

Each kernel walks the rows once, in the order of :class:`~cjm.analytics.sequences.Sequences`
(customer by customer, each customer's rows in time order), keeping a little state per
customer; where numpy would need a sort, a temporary per step or a bitmap, a loop needs a
counter. Compiled code is cached on disk (``cache=True``): only the first run on a machine
pays for the compilation. Numba itself is imported, and its code generator started, when a
kernel is first used, or ahead of time by :func:`prepare` while DuckDB reads the log.

A row's code (its event, touchpoint or stage) is ``lookup[combo[i]]``: the row's combination
of what the touchpoint rules saw, and the code of each combination, which is small enough to
stay in cache (no column of codes is made). Rows without a code (``NONE``, negative: events
no touchpoint rule matched) are passed over, as if they were not there, by the kernels that
take the whole log (the funnel, pairs, counts, runs, ends and maxima); the others take rows
that all have one (contacts, visits, or event codes, which every row has).

Arrays in, arrays out: the meaning of the numbers stays in :mod:`cjm.analytics.single_pass`.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np

F = TypeVar("F", bound=Callable[..., Any])
EMPTY = np.uint64(0)  # the number column of an empty slot of a hash table
# Times come in microseconds and are floored to milliseconds or seconds where they are used,
# like DuckDB's epoch_ms and date_diff (a division by a constant: cheaper than an array).
MS, S = 1000, 1_000_000
NONE = -1  # the code of a row the touchpoint rules did not map (as in sequences.NONE)
_KERNELS: dict[str, Callable[..., Any]] = {}
_COMPILED = threading.Event()
_COMPILING = threading.Lock()


def kernel(function: F) -> F:
    """Make ``function`` a kernel: compiled in nopython mode, cached on disk, releasing the
    GIL, once any kernel is first used (see :func:`compile_kernels`)."""
    _KERNELS[function.__name__] = function

    @functools.wraps(function)
    def first_use(*args: Any) -> Any:
        compile_kernels()
        return globals()[function.__name__](*args)

    return cast(F, first_use)


def compile_kernels() -> None:
    """Bind every kernel of this module to its compiled form (Numba compiles each on its
    first call, from the disk cache when it can), so that kernels calling kernels find
    them compiled."""
    with _COMPILING:
        if _COMPILED.is_set():
            return
        import numba  # here, not above: a second of start-up that :func:`prepare` can hide

        _load_array_support()
        for name, function in _KERNELS.items():
            globals()[name] = numba.njit(cache=True, nogil=True)(function)
        _COMPILED.set()


def _load_array_support() -> None:
    """Import Numba's array functions without the check for a BLAS it makes on import,
    which imports all of ``scipy.linalg`` (about 0.3 CPU-seconds, and a BLAS whose idle
    threads spin) for functions the kernels do not use. The check is set to what it finds
    in cjm's environment, which has SciPy: Numba's BLAS-backed functions import it when
    first compiled, as they do anyway. With a Numba whose modules differ, nothing is
    changed."""
    import importlib.util
    import sys

    if "numba.np.arraymath" in sys.modules or importlib.util.find_spec("scipy") is None:
        return
    try:
        import numba.np.linalg as linalg

        ensure_blas = linalg.ensure_blas
    except (ImportError, AttributeError):
        return

    def later() -> None:
        raise ImportError("checked when first needed")

    linalg.ensure_blas = later
    try:
        import numba.np.arraymath as arraymath
    finally:
        linalg.ensure_blas = ensure_blas
    if vars(arraymath).get("ensure_blas") is later and "_HAVE_BLAS" in vars(arraymath):
        vars(arraymath).update(ensure_blas=ensure_blas, _HAVE_BLAS=True)


def prepare() -> threading.Thread:
    """Import Numba and start its code generator on a thread of its own, which overlaps
    with DuckDB reading the log (it does so without holding the GIL)."""
    thread = threading.Thread(target=_warm_up, name="cjm-kernels", daemon=True)
    thread.start()
    return thread


def _warm_up() -> None:
    first_rows(np.zeros(1, dtype=np.int32), 0, 1)  # starts the code generator


class Numbering:
    """Numbers 64-bit hashes 0, 1, ... by first appearance, batch after batch, in an open
    addressing table sized for the ``expected`` number of distinct ones (each slot holds a
    hash and its number side by side: one cache line per look-up). When more come, the table
    ``grows`` (doubling, the numbers kept) or, if it may not, :meth:`number` says so."""

    def __init__(self, expected: int, *, grows: bool = False) -> None:
        self.grows = grows
        self.slots = np.zeros((_slots_for(expected), 2), dtype=np.uint64)  # hash, number + 1
        self.hashes = np.empty(expected + 1, dtype=np.uint64)
        self.rows = np.zeros(expected + 1, dtype=np.int64)  # per number: its rows so far
        self.state = np.zeros(1, dtype=np.int64)  # how many are numbered so far

    def number(self, hashes: Any) -> Any:
        """The number of each of ``hashes``; None once there are more than expected (and the
        table may not grow)."""
        codes = np.empty(len(hashes), dtype=np.int32)
        done = 0
        while True:
            done = _number(hashes, done, self.slots, self.hashes, self.rows, self.state, codes)
            if done == len(hashes):
                return codes
            if not self.grows:
                return None
            self._grow()

    def _grow(self) -> None:
        capacity = 2 * len(self.hashes)
        numbered = int(self.state[0])
        self.hashes = np.concatenate([self.hashes, np.empty(capacity - numbered, np.uint64)])
        self.rows = np.concatenate([self.rows, np.zeros(capacity - len(self.rows), np.int64)])
        self.slots = np.zeros((_slots_for(capacity), 2), dtype=np.uint64)
        _rehash(self.hashes[:numbered], self.slots)

    @property
    def found(self) -> Any:
        """The hashes numbered so far, in the order of their numbers."""
        return self.hashes[: self.state[0]]


def _slots_for(expected: int) -> int:
    """A power of two at least twice ``expected`` (short probe runs)."""
    return 1 << max(4, (2 * expected + 2).bit_length())


@kernel
def _number(
    hashes: Any, start: int, slots: Any, found: Any, rows: Any, state: Any, codes: Any
) -> int:
    """Number ``hashes`` from ``start`` on; where it stopped (``len(hashes)`` when done,
    earlier when ``found`` is full). A value equal to the one before takes its number
    without a look-up (a customer's rows often come together)."""
    mask = np.uint64(len(slots) - 1)
    for i in range(start, len(hashes)):
        value = hashes[i]
        if i > start and value == hashes[i - 1]:
            codes[i] = codes[i - 1]
            rows[codes[i]] += 1
            continue
        slot = (value * np.uint64(0x9E3779B97F4A7C15)) & mask
        while slots[slot, 1] != EMPTY and slots[slot, 0] != value:
            slot = (slot + np.uint64(1)) & mask
        if slots[slot, 1] == EMPTY:
            if state[0] == len(found):
                return i
            slots[slot, 0] = value
            slots[slot, 1] = state[0] + 1
            found[state[0]] = value
            state[0] += 1
        number = np.int64(slots[slot, 1]) - 1
        codes[i] = number
        rows[number] += 1
    return len(hashes)


@kernel
def _rehash(found: Any, slots: Any) -> None:
    """Put the numbered ``found`` hashes (distinct) into the empty table ``slots``."""
    mask = np.uint64(len(slots) - 1)
    for number in range(len(found)):
        value = found[number]
        slot = (value * np.uint64(0x9E3779B97F4A7C15)) & mask
        while slots[slot, 1] != EMPTY:
            slot = (slot + np.uint64(1)) & mask
        slots[slot, 0] = value
        slots[slot, 1] = number + 1


@kernel
def customer_runs(c: Any, us: Any, offset: int, starts: Any, keys: Any, state: Any) -> bool:
    """Where each run of consecutive rows of one customer begins, over a batch of rows that
    continues those before it (its first row is the ``offset``-th): the run's first row
    into ``starts`` and its customer ``c`` into ``keys``, ``state`` holding the runs so far
    and the time ``us`` of the row before. False as soon as a customer's rows go back in
    time or there are more runs than ``keys`` holds."""
    runs = state[0]
    for i in range(len(c)):
        if runs == 0 or c[i] != keys[runs - 1]:
            if runs == len(keys):
                return False
            starts[runs] = offset + i
            keys[runs] = c[i]
            runs += 1
        elif us[i] < state[1]:
            return False
        state[1] = us[i]
    state[0] = runs
    return True


@kernel
def place(
    customer: Any,
    customers: Any,
    us: Any,
    combo: Any,
    combos: Any,
    filled: Any,
    us_out: Any,
    out: Any,
) -> None:
    """The counting sort's second pass over a batch: each row's time and combination (as
    ``combos`` numbers it) go to the next free place of its customer (as ``customers``
    numbers it; ``filled`` is where each one is at)."""
    for i in range(len(customer)):
        c = customers[customer[i]]
        at = filled[c]
        us_out[at] = us[i]
        out[at] = combos[combo[i]]
        filled[c] = at + 1


@kernel
def first_rows(codes: Any, low: int, high: int) -> Any:
    """Where each of the numbers ``low`` to ``high`` first appears in ``codes``, numbers
    given by first appearance (so each first appears after the one before it)."""
    found = np.empty(high - low, dtype=np.int64)
    wanted = low
    for i in range(len(codes)):
        if wanted == high:
            break
        if codes[i] == wanted:
            found[wanted - low] = i
            wanted += 1
    return found


@kernel
def sort_within(starts: Any, us: Any, codes: Any) -> None:
    """Sort each customer's rows by time, keeping the input order of equal times (most are
    in order already: checking costs one comparison per row)."""
    for c in range(len(starts) - 1):
        low, high = starts[c], starts[c + 1]
        for j in range(low + 1, high):
            if us[j] < us[j - 1]:
                order = np.argsort(us[low:high], kind="mergesort")
                us[low:high] = us[low:high][order]
                codes[low:high] = codes[low:high][order]
                break


@kernel
def kept(starts: Any, keep: Any, us: Any, combo: Any) -> Any:
    """The rows where ``keep`` holds (their times and combinations), where each customer's
    kept rows begin, and which customers keep any (the others are dropped)."""
    rows = 0
    for i in range(len(keep)):
        rows += keep[i]
    present = np.zeros(len(starts) - 1, dtype=np.bool_)
    kept_starts = np.zeros(len(starts), dtype=np.int64)
    kept_us = np.empty(rows, dtype=us.dtype)  # counted first: no copy to trim them
    kept_combo = np.empty(rows, dtype=combo.dtype)
    found = rows = 0
    for c in range(len(starts) - 1):
        for i in range(starts[c], starts[c + 1]):
            if keep[i]:
                kept_us[rows] = us[i]
                kept_combo[rows] = combo[i]
                rows += 1
        if rows > kept_starts[found]:
            present[c] = True
            found += 1
            kept_starts[found] = rows
    return kept_starts[: found + 1], present, kept_us, kept_combo


@kernel
def _firsts(
    low: int,
    high: int,
    combo: Any,
    lookup: Any,
    us: Any,
    window_ms: int,
    ordered: bool,
    chain: Any,
    first: Any,
    touched: Any,
) -> int:
    """One customer's rows ``low`` to ``high``: per step, the time of the first row that
    reached it into ``first`` (``chain`` is scratch space; both hold -1 on entry). Lists the
    steps reached in ``touched`` and returns how many (only those need resetting)."""
    reached = 0
    for i in range(low, high):
        step = lookup[combo[i]]
        if step < 0:
            continue
        start = i
        if step > 0 and ordered:
            start = chain[step - 1]
            if start < 0 or (window_ms >= 0 and us[i] // MS - us[start] // MS > window_ms):
                continue
        chain[step] = start
        if first[step] < 0:
            first[step] = us[i] // MS
            touched[reached] = step
            reached += 1
    return reached


@kernel
def funnel(
    starts: Any,
    combo: Any,
    lookup: Any,
    us: Any,
    steps: int,
    window_ms: int,
    ordered: bool,
    chosen: Any,
) -> Any:
    """Per step: the chosen customers who reached it, those who reached it and the step
    before, and those customers' seconds between the first times they reached each (as
    ``gaps[bounds[k]:bounds[k + 1]]``). Ordered, a row of step k continues the chain of the
    latest earlier row that reached step k - 1, within ``window_ms`` of that chain's start
    (no window when < 0)."""
    reached = np.zeros(steps, dtype=np.int64)
    bounds = np.zeros(steps + 1, dtype=np.int64)
    chain = np.full(steps, -1, dtype=np.int64)  # the start row of the latest chain per step
    first = np.full(steps, -1, dtype=np.int64)
    touched = np.empty(steps, dtype=np.int64)
    # Each gap joins two first rows of one customer: there are fewer than rows.
    found = np.empty(len(combo), dtype=np.float64)
    step_of = np.empty(len(combo), dtype=np.int32)
    n = 0
    for c in range(len(starts) - 1):
        if chosen[c]:
            steps_reached = _firsts(
                starts[c],
                starts[c + 1],
                combo,
                lookup,
                us,
                window_ms,
                ordered,
                chain,
                first,
                touched,
            )
            for t in range(steps_reached):
                k = touched[t]
                reached[k] += 1
                if k and first[k - 1] >= 0:
                    bounds[k + 1] += 1
                    found[n] = (first[k] - first[k - 1]) / 1000
                    step_of[n] = k
                    n += 1
            for t in range(steps_reached):
                chain[touched[t]] = -1
                first[touched[t]] = -1
    for k in range(steps):
        bounds[k + 1] += bounds[k]
    filled = bounds[:-1].copy()
    gaps = np.empty(n, dtype=np.float64)
    for i in range(n):  # grouped by step, in customer order
        gaps[filled[step_of[i]]] = found[i]
        filled[step_of[i]] += 1
    return reached, bounds, gaps


@kernel
def pairs_grouped(starts: Any, combo: Any, lookup: Any, us: Any, size: int, sources: bool) -> Any:
    """Consecutive rows of a customer as pairs ``from * size + to`` (or, with ``sources``,
    as ``from`` only), grouped: the key of each group, its bounds and the seconds between
    the rows (from their milliseconds), group by group (each group's in row order)."""
    counts = np.zeros(size * size, dtype=np.int64)
    _pairs(starts, combo, lookup, us, size, sources, counts, counts[:0], np.empty(0))
    present = np.flatnonzero(counts)
    rank = np.full(size * size, -1, dtype=np.int64)
    bounds = np.zeros(len(present) + 1, dtype=np.int64)
    for g in range(len(present)):
        rank[present[g]] = g
        bounds[g + 1] = bounds[g] + counts[present[g]]
    durations = np.empty(bounds[-1], dtype=np.float64)
    _pairs(starts, combo, lookup, us, size, sources, rank, bounds[:-1].copy(), durations)
    return present, bounds, durations


@kernel
def _pairs(
    starts: Any,
    combo: Any,
    lookup: Any,
    us: Any,
    size: int,
    sources: bool,
    by_key: Any,
    filled: Any,
    durations: Any,
) -> None:
    """Walk the pairs of :func:`pairs_grouped`: count them per key into ``by_key``, or,
    when there are ``durations`` to fill, put each pair's seconds at the next place of its
    group (``by_key`` then ranks the keys, ``filled`` is where each group is at)."""
    counting = len(durations) == 0
    for c in range(len(starts) - 1):
        before = -1
        for i in range(starts[c], starts[c + 1]):
            target = lookup[combo[i]]
            if target < 0:
                continue
            if before >= 0:
                source = lookup[combo[before]]
                key = source if sources else source * size + target
                if counting:
                    by_key[key] += 1
                else:
                    g = by_key[key]
                    durations[filled[g]] = (us[i] // MS - us[before] // MS) / 1000
                    filled[g] += 1
            before = i


@kernel
def rows_and_customers(starts: Any, combo: Any, lookup: Any, size: int) -> Any:
    """Per code (0 to size - 1): how many rows have it, and how many customers."""
    rows = np.zeros(size, dtype=np.int64)
    customers = np.zeros(size, dtype=np.int64)
    seen = np.full(size, -1, dtype=np.int64)
    for c in range(len(starts) - 1):
        for i in range(starts[c], starts[c + 1]):
            code = lookup[combo[i]]
            if code < 0:
                continue
            rows[code] += 1
            if seen[code] != c:
                seen[code] = c
                customers[code] += 1
    return rows, customers


@kernel
def maxima(starts: Any, combo: Any, lookup: Any) -> Any:
    """Per customer: the highest code of its rows (``NONE`` when none has one)."""
    found = np.full(len(starts) - 1, NONE, dtype=np.int64)
    for c in range(len(starts) - 1):
        for i in range(starts[c], starts[c + 1]):
            found[c] = max(found[c], lookup[combo[i]])
    return found


@kernel
def ends(starts: Any, combo: Any, lookup: Any, first: bool) -> Any:
    """Per customer: the code of its first (or last) row that has one (``NONE`` when none
    has)."""
    found = np.full(len(starts) - 1, NONE, dtype=np.int64)
    for c in range(len(starts) - 1):
        low, high = starts[c], starts[c + 1]
        for j in range(high - low):
            code = lookup[combo[low + j if first else high - 1 - j]]
            if code >= 0:
                found[c] = code
                break
    return found


@kernel
def run_starts(starts: Any, combo: Any, lookup: Any, us: Any, gap_s: int) -> Any:
    """Whether each row begins a run: the customer's first row with a code, or one whose
    code differs from that of the row with a code before, or that comes more than ``gap_s``
    seconds after it (when ``gap_s`` >= 0). Rows without a code begin none."""
    begins = np.zeros(len(combo), dtype=np.bool_)
    for c in range(len(starts) - 1):
        before = -1
        for i in range(starts[c], starts[c + 1]):
            code = lookup[combo[i]]
            if code < 0:
                continue
            if before < 0 or code != lookup[combo[before]]:
                begins[i] = True
            elif gap_s >= 0:
                begins[i] = us[i] // S - us[before] // S > gap_s
            before = i
    return begins


@kernel
def repeats(starts: Any, combo: Any, lookup: Any, us: Any, size: int, window_s: int) -> Any:
    """Per code: rows, rows within ``window_s`` seconds of the customer's previous row of
    the same code (repeats), and customers with a repeat."""
    rows = np.zeros(size, dtype=np.int64)
    again = np.zeros(size, dtype=np.int64)
    customers = np.zeros(size, dtype=np.int64)
    seen = np.full(size, -1, dtype=np.int64)  # the last customer with a row of the code
    repeated = np.full(size, -1, dtype=np.int64)  # the last customer with a repeat of it
    last = np.zeros(size, dtype=np.int64)  # the time of that customer's latest row of it
    for c in range(len(starts) - 1):
        for i in range(starts[c], starts[c + 1]):
            code = lookup[combo[i]]
            rows[code] += 1
            if seen[code] == c and us[i] // S - last[code] <= window_s:
                again[code] += 1
                if repeated[code] != c:
                    repeated[code] = c
                    customers[code] += 1
            seen[code] = c
            last[code] = us[i] // S
    return rows, again, customers


@kernel
def moves(
    starts: Any, combo: Any, lookup: Any, us: Any, size: int, within_s: int, back: bool
) -> Any:
    """Per (from, to) pair of codes, as ``from * size + to``: how often a customer's row has
    another code than the row before (a lower one when ``back``), at most ``within_s``
    seconds later (any time when < 0), and how many customers did so."""
    counts = np.zeros(size * size, dtype=np.int64)
    customers = np.zeros(size * size, dtype=np.int64)
    seen = np.full(size * size, -1, dtype=np.int64)
    for c in range(len(starts) - 1):
        for i in range(starts[c] + 1, starts[c + 1]):
            before, after = lookup[combo[i - 1]], lookup[combo[i]]
            if after == before or (back and after > before):
                continue
            if within_s >= 0 and us[i] // S - us[i - 1] // S > within_s:
                continue
            pair = before * size + after
            counts[pair] += 1
            if seen[pair] != c:
                seen[pair] = c
                customers[pair] += 1
    return counts, customers


@kernel
def path_hashes(starts: Any, combo: Any, lookup: Any) -> Any:
    """A 64-bit polynomial hash of each customer's sequence of codes, its length mixed in."""
    hashes = np.empty(len(starts) - 1, dtype=np.uint64)
    base = np.uint64(0x9E3779B97F4A7C15)
    for c in range(len(starts) - 1):
        value = np.uint64(starts[c + 1] - starts[c]) * np.uint64(0xC2B2AE3D27D4EB4F)
        for i in range(starts[c], starts[c + 1]):
            value = value * base + np.uint64(lookup[combo[i]] + 2)
        hashes[c] = value
    return hashes


@kernel
def same_paths(starts: Any, combo: Any, lookup: Any, representative: Any) -> bool:
    """Whether every customer's codes equal those of its ``representative`` customer."""
    for c in range(len(starts) - 1):
        r = representative[c]
        if r == c:
            continue
        if starts[c + 1] - starts[c] != starts[r + 1] - starts[r]:
            return False
        for j in range(starts[c + 1] - starts[c]):
            if lookup[combo[starts[c] + j]] != lookup[combo[starts[r] + j]]:
                return False
    return True
