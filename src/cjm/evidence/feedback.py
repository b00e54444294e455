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
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_US = dt.timedelta(microseconds=1)


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
    _check_file(path, "a feedback file")
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
    rows = _columns(con, mapping, timezone)
    good, bad = _check(rows)
    if bad.total and on_bad_rows == "fail":
        raise _bad_rows_error(path, bad)
    items, report = _clean(rows, good, default_source)
    if not items:
        raise InvalidInput(
            f"{path} has no usable feedback",
            hint="it is empty, holds only a header, or every row is bad",
        )
    return Feedback(str(path), len(rows["__line"]), items, bad, report)


Columns = dict[str, list[Any]]


def _columns(con: duckdb.DuckDBPyConnection, mapping: dict[str, str], timezone: str) -> Columns:
    """The mapped columns in input order, a list each (one fetch, no dict per row);
    ``__stamp`` is the UTC time, None where it is unreadable."""
    selected = [f"{_text(column)} AS {name}" for name, column in mapping.items()]
    stamp = timestamp_sql(_text(mapping["timestamp"]), timezone)
    query = (
        f"SELECT __line, {', '.join(selected)}, epoch_us({stamp}) AS __stamp "
        "FROM raw ORDER BY __line"
    )
    table = con.sql(query).to_arrow_table()
    found = {name: table.column(name).to_pylist() for name in table.column_names}
    found["__stamp"] = [None if us is None else _EPOCH + _US * us for us in found["__stamp"]]
    return found


def _check(rows: Columns) -> tuple[list[int], BadRows]:
    """The good rows (indices), and the bad ones: each with its first problem (id, then
    timestamp, then the scores in contract order). Scores become numbers in place."""
    reasons: list[str | None] = [
        "missing feedback_id" if fid is None else "unreadable timestamp" if at is None else None
        for fid, at in zip(rows["feedback_id"], rows["__stamp"], strict=True)
    ]
    for name in ("csat", "nps", "ces", "rating"):
        rows[name] = _numbers(name, rows[name], reasons) if name in rows else []
    bad = [
        BadRow(int(line), reason, {k: rows[k][n] for k in ("feedback_id", "timestamp")})
        for n, (line, reason) in enumerate(zip(rows["__line"], reasons, strict=True))
        if reason
    ]
    return [n for n, reason in enumerate(reasons) if reason is None], _summarise(bad)


def _numbers(name: str, raw: list[str | None], reasons: list[str | None]) -> list[float | None]:
    """A score column as numbers; a row not yet bad gets this column's problem, if any."""
    low, high = SCALES.get(name, (float("-inf"), float("inf")))
    values: list[float | None] = [None] * len(raw)
    for n, text in enumerate(raw):
        if text is None or reasons[n]:
            continue
        try:
            value = values[n] = float(text)
        except ValueError:
            reasons[n] = f"{name} is not a number"
            continue
        if not low <= value <= high:
            reasons[n] = f"{name} outside {low}-{high}"
    return values


def _summarise(bad: list[BadRow]) -> BadRows:
    if not bad:
        return BadRows()
    by_reason = dict(Counter(row.reason for row in bad).most_common())
    return BadRows(len(bad), by_reason, bad[:EXAMPLES])


def _clean(
    rows: Columns, good: list[int], default_source: str
) -> tuple[list[FeedbackItem], FeedbackReport]:
    """The good rows as items, without repeats, their texts plain and their language known."""
    counts: Counter[str] = Counter()
    seen_ids: set[str] = set()
    seen_texts: set[tuple[str, str]] = set()
    ids, texts, customers = rows["feedback_id"], rows["text"], rows.get("customer_id")
    kept: list[int] = []
    plain: list[str | None] = []
    for n in good:
        if ids[n] in seen_ids:
            counts["duplicate_ids"] += 1
            continue
        seen_ids.add(ids[n])
        text = _plain(texts[n], counts)
        if text is not None and customers and customers[n] is not None:
            key = (customers[n], text.lower())
            if key in seen_texts:
                counts["duplicate_texts"] += 1
                continue
            seen_texts.add(key)
        kept.append(n)
        plain.append(text)
    languages = detect_languages(plain)
    items = _items(rows, kept, plain, languages, default_source)
    other = Counter(lang for lang in languages if lang not in (None, "en"))
    report = FeedbackReport(
        empty_text=sum(text is None for text in plain),
        other_language=dict(other.most_common()),
        duplicate_ids=counts["duplicate_ids"],
        duplicate_texts=counts["duplicate_texts"],
        html=counts["html"],
        truncated=counts["truncated"],
    )
    return items, report


_OPTIONAL = ("customer_id", "csat", "nps", "ces", "rating", "stage", "touchpoint")


def _items(
    rows: Columns,
    kept: list[int],
    texts: list[str | None],
    languages: list[str | None],
    default_source: str,
) -> list[FeedbackItem]:
    """One item per kept row, built column by column."""

    def pick(name: str) -> list[Any]:
        column = rows.get(name)
        return [column[n] for n in kept] if column else [None] * len(kept)

    sources = [(s or default_source).lower() for s in pick("source")]
    return [
        FeedbackItem(
            str(fid), text, source, at, int(line), customer, csat, nps, ces, rating, stage, tp,
            language,
        )
        for fid, text, source, at, line, language, customer, csat, nps, ces, rating, stage, tp
        in zip(
            pick("feedback_id"), texts, sources, pick("__stamp"), pick("__line"), languages,
            *(pick(name) for name in _OPTIONAL), strict=True,
        )
    ]  # fmt: skip


def _plain(text: str | None, counts: Counter[str]) -> str | None:
    """The text without markup or runs of white space, cut to ``MAX_TEXT_CHARS``."""
    if text is None:
        return None
    if "&" in text or ("<" in text and _TAG.search(text)):
        cleaned = html.unescape(_TAG.sub(" ", text))
        counts["html"] += cleaned != text
        text = cleaned
    text = " ".join(text.split())  # str.split's white space is the same as re's \s
    if len(text) > MAX_TEXT_CHARS:
        counts["truncated"] += 1
        text = text[:MAX_TEXT_CHARS]
    return text or None
