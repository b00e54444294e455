"""A funnel's steps, as both engines report them: reached, conversion with its interval,
drop-off, and the median and p90 time from the step before."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cjm.analytics.settings import DECIMALS
from cjm.analytics.stats import Interval, wilson


@dataclass(frozen=True)
class FunnelStep:
    """One step of the funnel, with its conversion from the step before.

    ``conversion`` is the share of the previous step's customers who also reached this one
    (in ordered mode, all of this step's customers did), so it is a true proportion in both
    modes; ``drop_off`` counts the previous step's customers who did not reach this one.
    """

    step: int
    reached: int
    conversion: float | None
    interval: Interval | None
    drop_off: int | None
    median_s: float | None
    p90_s: float | None


def funnel_steps(row: dict[str, Any], steps: int) -> list[FunnelStep]:
    """The steps from one row of per-step aggregates: reached_k, both_k and q_k (the list
    of median and p90 seconds)."""
    result = []
    for k in range(1, steps + 1):
        reached = int(row[f"reached_{k}"])
        before = int(row[f"reached_{k - 1}"]) if k > 1 else None
        both = int(row[f"both_{k}"] or 0) if k > 1 else 0
        median, p90 = row.get(f"q_{k}") or (None, None)
        result.append(
            FunnelStep(
                step=k,
                reached=reached,
                conversion=both / before if before else None,
                interval=wilson(both, before) if before else None,
                drop_off=before - both if before is not None else None,
                median_s=None if median is None else round(median, DECIMALS),
                p90_s=None if p90 is None else round(p90, DECIMALS),
            )
        )
    return result
