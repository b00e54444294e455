"""Numbers as people read them on a map: percentages, durations, counts, KPI values.

>>> words("wont_fix"), words("loyalty_inhibitor")
("won't fix", 'loyalty inhibitor')
>>> percent(0.7902), duration(516341), count(61804)
('79%', '6.0 d', '61,804')
>>> kpi_value(0.2, "ratio"), kpi_value(360, "seconds"), kpi_value(2, "days")
('20%', '6.0 min', '2 d')
"""

from __future__ import annotations


def words(value: str) -> str:
    """Taxonomy value as words: ``in_progress`` → ``in progress``, ``wont_fix`` → ``won't fix``."""
    return {"wont_fix": "won't fix"}.get(value, value.replace("_", " "))


def percent(value: float | None, digits: int = 0) -> str:
    """``0.79`` as ``79%``; empty for none."""
    return "" if value is None else f"{value * 100:.{digits}f}%"


def interval(low: float, high: float) -> str:
    """A 95% interval of shares, e.g. ``78–80%``."""
    return f"{low * 100:.0f}–{high * 100:.0f}%"


def count(value: int | float | None) -> str:
    """A count with thousands separators."""
    return "" if value is None else f"{value:,.0f}"


def duration(seconds: float | None) -> str:
    """Seconds as the largest sensible unit."""
    if seconds is None:
        return ""
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.0f} s"


def kpi_value(value: float | None, unit: str | None) -> str:
    """A KPI value or target in its unit."""
    if value is None:
        return "–"
    if unit == "ratio":
        return percent(value, 0 if abs(value * 100 - round(value * 100)) < 0.05 else 1)
    if unit == "percent":
        return f"{value:g}%"
    if unit == "seconds":
        return duration(value)
    if unit in ("hours", "days"):
        return f"{value:g} {unit[0]}"
    if unit == "currency":
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:g}"
