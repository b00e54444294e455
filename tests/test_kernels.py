"""The compiled loops on their own: the cases the logs rarely reach (a hash of 0, a full
table, rows out of time order) and the order statistics of groups."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cjm.analytics import kernels, single_pass
from cjm.analytics.settings import DECIMALS, QUANTILES


def test_numbering_counts_first_appearances_a_zero_hash_too():
    numbering = kernels.Numbering(3)
    first = numbering.number(np.array([5, 0, 5], dtype=np.uint64))
    second = numbering.number(np.array([7, 0], dtype=np.uint64))
    assert first.tolist() == [0, 1, 0]
    assert second.tolist() == [2, 1]
    assert numbering.found.tolist() == [5, 0, 7]
    assert numbering.rows[:3].tolist() == [2, 2, 1]


def test_numbering_says_so_when_there_are_more_values_than_expected():
    numbering = kernels.Numbering(2)
    assert numbering.number(np.arange(1, 5, dtype=np.uint64)) is None


def test_a_growing_numbering_keeps_the_numbers_it_gave():
    numbering = kernels.Numbering(2, grows=True)
    values = np.array([9, 3, 9, 0, 12, 3, *range(100, 140)], dtype=np.uint64)
    codes = numbering.number(values)
    assert codes[:6].tolist() == [0, 1, 0, 2, 3, 1]
    assert codes[6:].tolist() == list(range(4, 44))
    assert numbering.number(np.array([12, 9, 7], dtype=np.uint64)).tolist() == [3, 0, 44]
    assert numbering.found.tolist() == [9, 3, 0, 12, *range(100, 140), 7]
    assert numbering.rows[:5].tolist() == [3, 2, 1, 2, 1]


def test_runs_of_one_value_share_a_number_across_the_growth_of_the_table():
    numbering = kernels.Numbering(2, grows=True)
    codes = numbering.number(np.array([1, 1, 2, 2, 3, 3, 3, 1, 0, 0], dtype=np.uint64))
    assert codes.tolist() == [0, 0, 1, 1, 2, 2, 2, 0, 3, 3]
    assert numbering.rows[:4].tolist() == [3, 2, 3, 2]


@settings(deadline=None)  # the first example compiles the kernel (or loads it from disk)
@given(st.lists(st.integers(0, 6), max_size=60), st.lists(st.integers(0, 6), max_size=60))
def test_first_rows_are_where_the_numbers_new_to_a_batch_first_appear(
    before: list[int], batch: list[int]
):
    """The loader reads each combination's values from the rows of the customer in whose
    rows it first appears: found for the numbers a batch adds to a numbering."""
    numbering = kernels.Numbering(1, grows=True)
    numbering.number(np.array(before, dtype=np.uint64))
    known = len(numbering.found)
    codes = numbering.number(np.array(batch, dtype=np.uint64))
    found = kernels.first_rows(codes, known, len(numbering.found))
    new = [v for v in dict.fromkeys(batch) if v not in before]
    assert found.tolist() == [batch.index(v) for v in new]


def test_rows_out_of_time_order_are_sorted_within_their_customer_keeping_ties():
    starts = np.array([0, 4, 6])
    us = np.array([30, 10, 20, 10, 5, 1], dtype=np.int64)
    codes = np.array([0, 1, 2, 3, 4, 5], dtype=np.int32)
    kernels.sort_within(starts, us, codes)
    assert us.tolist() == [10, 10, 20, 30, 1, 5]
    assert codes.tolist() == [1, 3, 2, 0, 5, 4]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(0, 20), max_size=30), min_size=1, max_size=5))
def test_group_quantiles_interpolate_like_quantile_cont(groups: list[list[int]]):
    values = np.array([v for group in groups for v in group], dtype=np.float64)
    bounds = np.cumsum([0, *map(len, groups)])
    found = single_pass.quantiles(values, bounds)
    for group, quantiles in zip(groups, found, strict=True):
        if not group:
            assert quantiles is None
            continue
        expected = np.quantile(np.array(group, dtype=np.float64), QUANTILES, method="linear")
        assert quantiles == pytest.approx(expected.tolist(), abs=10**-DECIMALS)


def test_starting_the_kernels_leaves_scipy_linalg_unloaded_and_numba_whole():
    """Numba checks for a BLAS when it loads its array functions, which imports all of
    scipy.linalg; the kernels skip that check, and Numba's BLAS functions still work."""
    code = (
        "import sys, numpy as np\n"
        "from cjm.analytics import kernels\n"
        "kernels.prepare().join()\n"
        "print('scipy.linalg' in sys.modules)\n"
        "import numba\n"
        "dot = numba.njit(lambda a, b: np.dot(a, b))\n"
        "print(dot(np.arange(3.0), np.arange(3.0)), numba.np.arraymath._HAVE_BLAS)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    assert done.stdout.split() == ["False", "5.0", "True"]
