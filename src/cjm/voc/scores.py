"""Survey scores and means with honest 95% intervals: CSAT, NPS, CES, sentiment.

>>> mean_interval([4, 5, 3, 4])["mean"]
4.0
>>> nps([10, 9, 8, 3])["value"]
25.0
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Any

from scipy import special  # stdtrit is stats.t.ppf, without importing all of scipy.stats

Z95 = 1.959963984540054


def mean_interval(values: Sequence[float]) -> dict[str, Any]:
    """Mean, Student-t 95% interval (None under two values) and n."""
    n = len(values)
    if not n:
        return {"mean": None, "ci95": None, "n": 0}
    mean = statistics.fmean(values)
    if n < 2:
        return {"mean": round(mean, 4), "ci95": None, "n": n}
    spread = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))  # stdev, faster
    half = float(special.stdtrit(n - 1, 0.975)) * spread / math.sqrt(n)
    return {"mean": round(mean, 4), "ci95": [round(mean - half, 4), round(mean + half, 4)], "n": n}


def nps(values: Sequence[float]) -> dict[str, Any]:
    """Net Promoter Score (-100..100) with a 95% interval and n.

    Each answer counts +1 (9-10), 0 (7-8) or -1 (0-6); NPS is 100 times their mean. The
    interval is the Wald interval of that trinomial mean, computed after adding one promoter,
    one passive and one detractor (an adjustment that keeps small samples from getting a
    zero-width interval), and clipped to -100..100.
    """
    n = len(values)
    if not n:
        return {"value": None, "ci95": None, "n": 0, "promoters": 0, "detractors": 0}
    promoters = sum(v >= 9 for v in values)
    detractors = sum(v <= 6 for v in values)
    value = 100 * (promoters - detractors) / n
    p, d, m = (promoters + 1) / (n + 3), (detractors + 1) / (n + 3), n + 3
    centre = p - d
    half = Z95 * math.sqrt(max(p + d - centre * centre, 0.0) / m)
    return {
        "value": round(value, 2),
        "ci95": [round(max(-100.0, 100 * (centre - half)), 2),
                 round(min(100.0, 100 * (centre + half)), 2)],
        "n": n,
        "promoters": promoters,
        "detractors": detractors,
    }  # fmt: skip
