"""Feedback (the voice of the customer) from CSV or JSON Lines, checked and cleaned.

The contract: ``feedback_id``, ``text``, ``source`` (survey, ticket, review, social, chat,
interview...), ``timestamp``; optional ``customer_id``, ``csat`` (1-5), ``nps`` (0-10),
``ces`` (1-7), ``rating``, ``stage`` and ``touchpoint``. A :class:`FeedbackColumns` maps the
user's column names onto these once, here at the boundary.

Rows without an id or a readable timestamp, or with a score outside its scale, are *bad
rows* (refused by default, or left out and counted with ``on_bad_rows="skip"``). What is
usable but needs care is kept and counted in :class:`FeedbackReport`: empty texts (their scores
still count), texts in another language (kept, not classified), repeated ids and repeated
texts of one customer (left out), HTML (reduced to its text), and very long texts (cut to
``MAX_TEXT_CHARS`` for the text models).

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "fb.csv"
>>> _ = path.write_text("feedback_id,text,source,timestamp,nps\\n"
...     "1,<p>Great &amp; fast</p>,survey,2026-01-05,10\\n2,,survey,2026-01-06,3\\n")
>>> feedback = read_feedback(path)
>>> [item.text for item in feedback.items], feedback.report.html, feedback.report.empty_text
(['Great & fast', None], 1, 1)
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import Counter
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import duckdb

from cjm.errors import InvalidInput
from cjm.evidence.columns import resolve_columns
from cjm.evidence.events import (
    EXAMPLES,
    BadRow,
    BadRowPolicy,
    BadRows,
    _bad_rows_error,
    _check_file,
    _check_timezone,
    _connect,
    _source,
    _text,
    _types,
    _unreadable,
    detect_format,
    timestamp_sql,
)
from cjm.evidence.language import detect_languages

MAX_TEXT_CHARS = 5_000
SCALES = {"csat": (1, 5), "nps": (0, 10), "ces": (1, 7)}
_TAG = re.compile(r"<(?:[a-zA-Z/!][^>]*)>")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class FeedbackColumns:
    """Which input column holds each field of the feedback contract.

    Optional fields default to a column of the canonical name when the input has one.

    >>> FeedbackColumns(text="comment").text
    'comment'
    """

    feedback_id: str = "feedback_id"
    text: str = "text"
    source: str | None = None
    timestamp: str = "timestamp"
    customer_id: str | None = None
    csat: str | None = None
    nps: str | None = None
    ces: str | None = None
    rating: str | None = None
    stage: str | None = None
    touchpoint: str | None = None

    def resolve(self, available: list[str], source: str) -> dict[str, str]:
        """Canonical name → input column; a named column that is missing is an error."""
        chosen = {f.name: getattr(self, f.name) for f in fields(self)}
        flags = {"feedback_id": "--id-col", "customer_id": "--customer-col"}
        return resolve_columns(chosen, available, source, flags)


@dataclass(frozen=True)
class FeedbackItem:
    """One piece of feedback in canonical form. ``text`` is None when it was empty."""

    feedback_id: str
    text: str | None
    source: str
    timestamp: dt.datetime
    line: int
    customer_id: str | None = None
    csat: float | None = None
    nps: float | None = None
    ces: float | None = None
    rating: float | None = None
    stage: str | None = None
    touchpoint: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class FeedbackReport:
    """What needed care while reading: counted, never silent."""

    empty_text: int = 0
    other_language: dict[str, int] = field(default_factory=dict)
    duplicate_ids: int = 0
    duplicate_texts: int = 0
    html: int = 0
    truncated: int = 0


@dataclass(frozen=True)
class Feedback:
    """Feedback items read from one file, with what was left out and why."""

    source: str
    rows: int
    items: list[FeedbackItem]
    bad: BadRows
    report: FeedbackReport

    def texts(self) -> list[str]:
        """The texts the models read: non-empty and in English."""
        return [i.text for i in self.items if i.text is not None and i.language == "en"]


def read_feedback(
    path: str | Path,
    columns: FeedbackColumns | None = None,
    *,
    timezone: str = "UTC",
    on_bad_rows: BadRowPolicy = "fail",
    default_source: str = "survey",
) -> Feedback:
    """Read a feedback file; see the module docstring for the rules.

    ``default_source`` names the source when the file has no source column.
    """
    path = Path(path)
    _check_file(path)
    fmt = detect_format(path)
    if fmt not in ("csv", "jsonl"):
        raise InvalidInput(
            f"{path}: feedback is read from CSV or JSON Lines, not {fmt.upper()}",
            hint="export it as .csv or .jsonl",
        )
    con = _connect()
    _check_timezone(con, timezone)
    try:
        con.execute(f"CREATE OR REPLACE TABLE raw AS SELECT * FROM {_source(con, path, fmt)}")
    except duckdb.Error as exc:  # a malformed row deep in the file
        raise _unreadable(path, fmt, exc) from None
    available = [c for c in _types(con, "raw") if c != "__line"]
    mapping = (columns or FeedbackColumns()).resolve(available, str(path))
    rows = _rows(con, mapping, timezone)
    items, bad = _parse(rows, default_source)
    if bad.total and on_bad_rows == "fail":
        raise _bad_rows_error(path, bad)
    items, report = _clean(items)
    if not items:
        raise InvalidInput(
            f"{path} has no usable feedback",
            hint="it is empty, holds only a header, or every row is bad",
        )
    return Feedback(str(path), len(rows), items, bad, report)


def _rows(
    con: duckdb.DuckDBPyConnection, mapping: dict[str, str], timezone: str
) -> list[dict[str, Any]]:
    selected = [f"{_text(column)} AS {name}" for name, column in mapping.items()]
    stamp = timestamp_sql(_text(mapping["timestamp"]), timezone)
    query = f"SELECT __line, {', '.join(selected)}, {stamp} AS __stamp FROM raw ORDER BY __line"
    cursor = con.execute(query)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _parse(rows: list[dict[str, Any]], default_source: str) -> tuple[list[FeedbackItem], BadRows]:
    items: list[FeedbackItem] = []
    bad: list[BadRow] = []
    for row in rows:
        reason, scores = _problem(row)
        if reason:
            values = {k: row.get(k) for k in ("feedback_id", "timestamp")}
            bad.append(BadRow(int(row["__line"]), reason, values))
            continue
        items.append(
            FeedbackItem(
                feedback_id=str(row["feedback_id"]),
                text=row["text"],
                source=(row.get("source") or default_source).lower(),
                timestamp=row["__stamp"],
                line=int(row["__line"]),
                customer_id=row.get("customer_id"),
                csat=scores["csat"],
                nps=scores["nps"],
                ces=scores["ces"],
                rating=scores["rating"],
                stage=row.get("stage"),
                touchpoint=row.get("touchpoint"),
            )
        )
    return items, _summarise(bad)


def _problem(row: dict[str, Any]) -> tuple[str | None, dict[str, float | None]]:
    """Why a row is bad (or None), and its scores as numbers."""
    if row["feedback_id"] is None:
        return "missing feedback_id", {}
    if row["__stamp"] is None:
        return "unreadable timestamp", {}
    scores: dict[str, float | None] = {}
    for name in ("csat", "nps", "ces", "rating"):
        raw = row.get(name)
        try:
            scores[name] = None if raw is None else float(raw)
        except ValueError:
            return f"{name} is not a number", {}
        low, high = SCALES.get(name, (float("-inf"), float("inf")))
        value = scores[name]
        if value is not None and not low <= value <= high:
            return f"{name} outside {low}-{high}", {}
    return None, scores


def _summarise(bad: list[BadRow]) -> BadRows:
    if not bad:
        return BadRows()
    by_reason = dict(Counter(row.reason for row in bad).most_common())
    return BadRows(len(bad), by_reason, bad[:EXAMPLES])


def _clean(items: list[FeedbackItem]) -> tuple[list[FeedbackItem], FeedbackReport]:
    counts: Counter[str] = Counter()
    seen_ids: set[str] = set()
    seen_texts: set[tuple[str | None, str]] = set()
    kept: list[tuple[FeedbackItem, str | None]] = []
    for item in items:
        if item.feedback_id in seen_ids:
            counts["duplicate_ids"] += 1
            continue
        seen_ids.add(item.feedback_id)
        text = _plain(item.text, counts)
        if text is not None and item.customer_id is not None:
            key = (item.customer_id, text.lower())
            if key in seen_texts:
                counts["duplicate_texts"] += 1
                continue
            seen_texts.add(key)
        kept.append((item, text))
    languages = detect_languages([text for _, text in kept])
    clean = [
        _with(item, text=text, language=language)
        for (item, text), language in zip(kept, languages, strict=True)
    ]
    other = Counter(lang for lang in languages if lang not in (None, "en"))
    report = FeedbackReport(
        empty_text=sum(i.text is None for i in clean),
        other_language=dict(other.most_common()),
        duplicate_ids=counts["duplicate_ids"],
        duplicate_texts=counts["duplicate_texts"],
        html=counts["html"],
        truncated=counts["truncated"],
    )
    return clean, report


def _plain(text: str | None, counts: Counter[str]) -> str | None:
    """The text without markup or runs of white space, cut to ``MAX_TEXT_CHARS``."""
    if text is None:
        return None
    if _TAG.search(text) or "&" in text:
        cleaned = html.unescape(_TAG.sub(" ", text))
        counts["html"] += cleaned != text
        text = cleaned
    text = _SPACE.sub(" ", text).strip()
    if len(text) > MAX_TEXT_CHARS:
        counts["truncated"] += 1
        text = text[:MAX_TEXT_CHARS]
    return text or None


def _with(item: FeedbackItem, **changes: Any) -> FeedbackItem:
    return FeedbackItem(**{**item.__dict__, **changes})
