"""Event logs into the canonical schema, read by DuckDB straight from the file.

CSV, Parquet, JSON Lines and XES become one table, ``events``: ``customer_id`` (text),
``timestamp`` (UTC), ``event`` (text), ``seq`` (the row's place in the input, which breaks
timestamp ties), the optional canonical columns that were mapped, and every other column as
an attribute. Rows without a customer, an event name or a readable timestamp are *bad rows*:
counted by reason, with line numbers, and either refused (the default) or left out.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import duckdb

from cjm.errors import InvalidInput
from cjm.evidence.columns import NUMERIC, ColumnMap

Format = Literal["csv", "parquet", "jsonl", "xes"]
BadRowPolicy = Literal["fail", "skip"]
MAX_LINE_BYTES = 64 * 2**20
EXAMPLES = 5
IDS = "event_customers"  # the table of the distinct customer ids of ``events``
_SUFFIXES: dict[str, Format] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".xes": "xes",
}


@dataclass(frozen=True)
class BadRow:
    """One row that could not be used, with its line (data row number for Parquet)."""

    line: int
    reason: str
    values: dict[str, str | None]


@dataclass(frozen=True)
class BadRows:
    """How many rows were bad, why, and a few examples."""

    total: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)
    examples: list[BadRow] = field(default_factory=list)


@dataclass
class EventLog:
    """An event log in canonical form inside a DuckDB connection (table ``events``)."""

    connection: duckdb.DuckDBPyConnection
    source: str
    rows: int
    customers: int
    start: dt.datetime | None
    end: dt.datetime | None
    bad: BadRows
    attributes: list[str]
    table: str = "events"
    ids: str = IDS  # the distinct customer ids of ``table``, in a table


def detect_format(path: Path) -> Format:
    """The format by extension (``.gz`` is looked through)."""
    name = path.name.lower().removesuffix(".gz")
    suffix = Path(name).suffix
    if suffix not in _SUFFIXES:
        raise InvalidInput(
            f"cannot tell the format of {path} from its extension",
            hint="name it .csv, .parquet, .jsonl or .xes (optionally .gz)",
        )
    return _SUFFIXES[suffix]


def read_events(
    path: str | Path,
    columns: ColumnMap | None = None,
    *,
    timezone: str = "UTC",
    on_bad_rows: BadRowPolicy = "fail",
    connection: duckdb.DuckDBPyConnection | None = None,
) -> EventLog:
    """Read an event log into canonical form; see the module docstring for the rules.

    ``timezone`` says how to read timestamps written without an offset; every timestamp is
    stored in UTC. Epoch numbers are read as seconds, or milliseconds when 1e11 or more.
    """
    path = Path(path)
    _check_file(path)
    columns = columns or ColumnMap()
    con = connection or _connect()
    _check_timezone(con, timezone)
    fmt = detect_format(path)
    source = _source(con, path, fmt)
    types = {c: t for c, t in _types(con, source).items() if c != "__line"}
    mapping = columns.resolve(list(types), str(path))
    # Parquet is read where it lies, through a view (columnar, typed, out of core); the other
    # formats are parsed once into a table.
    kind = "VIEW" if fmt == "parquet" else "TABLE"
    sql = functools.partial(_canonical_sql, mapping, list(types), timezone, types, source)
    canonical = sql()
    try:
        _drop(con, "events")
        if kind == "VIEW":
            # The raw texts first: when none needs trimming (nor is empty), they are the
            # canonical ones and no scan of this log trims them; otherwise all is read again.
            con.execute(f"CREATE VIEW events AS {sql(clean=False)}")
            clean = _never_null(con, path, mapping, types)  # no bad row can come of it
            reasons, (rows, customers, start, end) = _summary(con, bad_possible=not clean)
            if _untrimmed(con):
                con.execute(f"CREATE OR REPLACE VIEW events AS {canonical}")
                reasons, (rows, customers, start, end) = _summary(con)
            else:
                canonical = sql(clean=False)
        else:
            con.execute(f"CREATE TABLE events AS {canonical}")
            reasons, (rows, customers, start, end) = _summary(con)
        bad = _bad_rows(con, source, mapping, reasons)
    except duckdb.Error as exc:  # a malformed row deep in the file
        raise _unreadable(path, fmt, exc) from None
    if bad.total and on_bad_rows == "fail":
        raise _bad_rows_error(path, bad)
    if kind == "VIEW":
        keep = f" WHERE NOT ({_BAD})" if bad.total else ""
        con.execute(f"CREATE OR REPLACE VIEW events AS SELECT * FROM ({canonical}){keep}")
    elif bad.total:
        con.execute(f"DELETE FROM events WHERE {_BAD}")
    if source == "raw":  # XES, parsed into a table of its own first
        con.execute("DROP TABLE raw")
    if not rows:
        raise InvalidInput(
            f"{path} has no usable events",
            hint="it is empty, holds only a header, or every row is bad",
        )
    attributes = [c for c in _columns(con, "events") if c not in _canonical(mapping)]
    return EventLog(con, str(path), rows, customers, start, end, bad, attributes)


# DuckDB may use this share of the machine's memory before spilling to disk; the rest is
# left to the analytics' arrays (by default DuckDB would take 80% for itself).
MEMORY_SHARE = 0.3


def _connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    con.execute(f"SET memory_limit = '{max(1, int(memory * MEMORY_SHARE / 2**20))}MB'")
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")  # the CLI reports progress itself
    con.execute(f"SET temp_directory = '{tempfile.gettempdir()}/cjm-duckdb'")
    return con


def _check_file(path: Path, what: str = "an event log") -> None:
    """Refuse a folder, a missing file or an empty one; ``what`` names what the file should be."""
    if path.is_dir():
        raise InvalidInput(f"{path} is a folder, not {what}", hint="give a file")
    if not path.exists():
        raise InvalidInput(f"no such file: {path}", hint="check the path")
    if path.stat().st_size == 0:
        raise InvalidInput(f"{path} is empty", hint=f"give {what} with a header and rows")


def _check_timezone(con: duckdb.DuckDBPyConnection, timezone: str) -> None:
    try:
        con.execute(
            "SELECT CAST(timezone(?, TIMESTAMP '2000-01-01') AS VARCHAR)", [timezone]
        ).fetchall()
    except duckdb.Error:
        raise InvalidInput(
            f"unknown time zone '{timezone}'",
            hint="use an IANA name such as 'Europe/Amsterdam' or 'UTC'",
        ) from None


def file_scan(path: Path, fmt: Format, options: str = "") -> str:
    """DuckDB's reader of a CSV (all columns as text, in file order), Parquet or JSON Lines
    file, with extra reader ``options`` (``, key=value``)."""
    quoted = str(path).replace("'", "''")
    return {
        "csv": f"read_csv('{quoted}', all_varchar=true, header=true, "
        f"max_line_size={MAX_LINE_BYTES}, parallel=false{options})",
        "parquet": f"read_parquet('{quoted}'{options})",
        "jsonl": f"read_json('{quoted}', format='newline_delimited'{options})",
        "xes": "",
    }[fmt]


def _source(con: duckdb.DuckDBPyConnection, path: Path, fmt: Format) -> str:
    """A relation over the file's rows with ``__line``: the line (CSV, counting the header)
    or the row number (other formats), which is also the input order."""
    try:
        if fmt == "xes":
            from cjm.evidence.xes import load_xes  # here: lxml loads only for XES files

            load_xes(path, con, "raw")
            return "raw"
        if fmt == "parquet" and "file_row_number" not in _types(con, file_scan(path, fmt)):
            # the reader numbers the rows itself, in parallel; a window would be serial
            numbered = "* EXCLUDE (file_row_number), file_row_number + 1 AS __line"
            source = f"(SELECT {numbered} FROM {file_scan(path, fmt, ', file_row_number=true')})"
        else:
            first = 1 if fmt == "csv" else 0
            numbered = f"*, row_number() OVER () + {first} AS __line"
            source = f"(SELECT {numbered} FROM {file_scan(path, fmt)})"
        con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()  # fails early, clearly
    except (duckdb.Error, OSError) as exc:
        raise _unreadable(path, fmt, exc) from None
    return source


def _unreadable(path: Path, fmt: Format, exc: Exception) -> InvalidInput:
    detail = str(exc).strip().splitlines()[0]
    return InvalidInput(
        f"cannot read {path} as {fmt.upper()}: {detail}",
        hint="check the file's format and encoding (UTF-8)",
    )


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return list(_types(con, table))


def _types(con: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    described = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    return {str(row[0]): str(row[1]) for row in described}


def _canonical(mapping: dict[str, str]) -> set[str]:
    return {*mapping, "seq"}


def quote_name(name: str) -> str:
    """A SQL identifier for ``name``, whatever characters it holds."""
    return '"' + name.replace('"', '""') + '"'


def _text(column: str, clean: bool = True) -> str:
    """A column as text; ``clean``, trimmed and with empty texts as NULL."""
    raw = f"CAST({quote_name(column)} AS VARCHAR)"
    return f"NULLIF(TRIM({raw}), '')" if clean else raw


# a time of day followed by a zone: "10:00Z", "10:00:00.5+02:00", "10:00 -0500"
_OFFSET = "[0-9]:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?\\s*(Z|[+-][0-9]{2}(:?[0-9]{2})?)$"


def timestamp_sql(text: str, timezone: str) -> str:
    """SQL reading a text timestamp: ISO with or without offset, or epoch s / ms."""
    zone = timezone.replace("'", "''")
    return f"""CASE
        WHEN regexp_full_match({text}, '-?[0-9]+(\\.[0-9]+)?') THEN TRY(to_timestamp(
            CASE WHEN abs(CAST({text} AS DOUBLE)) >= 1e11 THEN CAST({text} AS DOUBLE) / 1000
                 ELSE CAST({text} AS DOUBLE) END))
        WHEN regexp_matches({text}, '{_OFFSET}') THEN TRY_CAST({text} AS TIMESTAMPTZ)
        ELSE TRY(timezone('{zone}', TRY_CAST({text} AS TIMESTAMP)))
    END"""


def _timestamp(column: str, kind: str, timezone: str) -> str:
    """The UTC timestamp of a column: typed columns directly, text through the parser."""
    zone = timezone.replace("'", "''")
    if kind.startswith("TIMESTAMP WITH TIME ZONE"):
        return quote_name(column)
    if kind.startswith("TIMESTAMP") or kind == "DATE":
        return f"timezone('{zone}', CAST({quote_name(column)} AS TIMESTAMP))"
    return timestamp_sql(_text(column), timezone)


def _canonical_sql(
    mapping: dict[str, str],
    available: list[str],
    timezone: str,
    types: dict[str, str],
    source: str,
    *,
    clean: bool = True,
) -> str:
    """The canonical columns of ``source``. Mapped text columns are trimmed, with empty texts
    as NULL; the customer and the event too, unless not ``clean``."""
    stamp = _timestamp(mapping["timestamp"], types[mapping["timestamp"]], timezone)
    selected = [
        f"{_text(mapping['customer_id'], clean)} AS customer_id",
        f"{stamp} AS timestamp",
        f"{_text(mapping['event'], clean)} AS event",
        "__line AS seq",
    ]
    for name, column in mapping.items():
        if name in ("customer_id", "event", "timestamp"):
            continue
        kind = "DOUBLE" if name in NUMERIC else "VARCHAR"
        selected.append(f"TRY_CAST({_text(column)} AS {kind}) AS {name}")
    used = set(mapping.values())
    selected += [
        f"CAST({quote_name(c)} AS VARCHAR) AS {quote_name(c)}"
        for c in available
        if c not in used and c not in _canonical(mapping)
    ]
    return f"SELECT {', '.join(selected)} FROM {source}"


def _drop(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drop the table or view ``name`` if there is one."""
    found = con.execute(
        "SELECT table_type FROM information_schema.tables WHERE table_name = ?", [name]
    ).fetchall()
    if found:
        kind = "VIEW" if found[0][0] == "VIEW" else "TABLE"
        con.execute(f"DROP {kind} {quote_name(name)}")


_BAD = "customer_id IS NULL OR event IS NULL OR timestamp IS NULL"
_REASONS = {  # the first that holds is the reason a row is bad
    "missing customer": "customer_id IS NULL",
    "missing event name": "customer_id IS NOT NULL AND event IS NULL",
    "unreadable timestamp": "customer_id IS NOT NULL AND event IS NOT NULL AND timestamp IS NULL",
}
_REASON = (
    "CASE " + " ".join(f"WHEN {test} THEN '{reason}'" for reason, test in _REASONS.items()) + " END"
)


def _summary(
    con: duckdb.DuckDBPyConnection, *, bad_possible: bool = True
) -> tuple[dict[str, int], tuple[int, int, Any, Any]]:
    """Bad rows by reason; rows, customers, first and last time of the good ones. The
    distinct customer ids of the good rows are kept in a table of their own (``EventLog.ids``:
    the analyses list them again). Without ``bad_possible`` the rows are not tested one by
    one (DuckDB then answers the rest from the file's statistics)."""
    good = f" FILTER (WHERE NOT ({_BAD}))" if bad_possible else ""
    tests = _REASONS.values() if bad_possible else []
    counted = [f"count(*) FILTER (WHERE {test})" for test in tests]
    selected = [*counted, f"count(*){good}", f"min(timestamp){good}", f"max(timestamp){good}"]
    ((*bad, rows, start, end),) = con.execute(
        f"SELECT {', '.join(selected)} FROM events"
    ).fetchall()
    reasons = {reason: int(n) for reason, n in zip(_REASONS, bad, strict=False) if n}
    keep = f" WHERE NOT ({_BAD})" if reasons else ""
    con.execute(f"CREATE OR REPLACE TABLE {IDS} AS SELECT DISTINCT customer_id FROM events{keep}")
    ((customers,),) = con.execute(f"SELECT count(*) FROM {IDS}").fetchall()
    return reasons, (int(rows), int(customers), start, end)


def _never_null(
    con: duckdb.DuckDBPyConnection, path: Path, mapping: dict[str, str], types: dict[str, str]
) -> bool:
    """Whether the Parquet file's statistics show that no row lacks a customer, an event or
    a timestamp, the timestamp being typed (a text one may not parse)."""
    stamp = mapping["timestamp"]
    if not (types[stamp].startswith("TIMESTAMP") or types[stamp] == "DATE"):
        return False
    found = dict(
        con.execute(
            "SELECT path_in_schema, bool_and(coalesce(stats_null_count = 0, false)) "
            "FROM parquet_metadata(?) GROUP BY path_in_schema",
            [str(path)],
        ).fetchall()
    )
    return all(found.get(mapping[name]) is True for name in ("customer_id", "event", "timestamp"))


def _untrimmed(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether any customer id or event name (read raw) has spaces around it or is empty:
    checked on the distinct ones, which says the same as every row at a fraction of the
    cost."""
    changed = "NULLIF(TRIM({0}), '') IS DISTINCT FROM {0}"
    ((found,),) = con.execute(
        f"SELECT (SELECT count(*) FROM {IDS} WHERE {changed.format('customer_id')}) "
        f"+ (SELECT count(*) FROM (SELECT DISTINCT event FROM events) "
        f"WHERE {changed.format('event')})"
    ).fetchall()
    return bool(found)


def _bad_rows(
    con: duckdb.DuckDBPyConnection, source: str, mapping: dict[str, str], reasons: dict[str, int]
) -> BadRows:
    if not reasons:
        return BadRows()
    found = con.execute(
        f"SELECT seq, {_REASON} FROM events WHERE {_BAD} ORDER BY seq LIMIT {EXAMPLES}"
    ).fetchall()
    raw_columns = [mapping["customer_id"], mapping["timestamp"], mapping["event"]]
    picked = ", ".join(f"CAST({quote_name(c)} AS VARCHAR)" for c in raw_columns)
    lines = ", ".join(str(int(line)) for line, _reason in found)
    raw = {  # the values as written, read again (this is the rare path)
        int(line): values
        for line, *values in con.execute(
            f"SELECT __line, {picked} FROM {source} WHERE __line IN ({lines})"
        ).fetchall()
    }
    examples = [
        BadRow(int(line), str(reason), dict(zip(raw_columns, raw[int(line)], strict=True)))
        for line, reason in found
    ]
    by_reason = dict(sorted(reasons.items(), key=lambda item: (-item[1], item[0])))
    return BadRows(sum(by_reason.values()), by_reason, examples)


def _bad_rows_error(path: Path, bad: BadRows) -> InvalidInput:
    reasons = ", ".join(f"{count} {reason}" for reason, count in bad.by_reason.items())
    lines = "; ".join(
        f"line {row.line}: {row.reason} ({', '.join(f'{k}={v!r}' for k, v in row.values.items())})"
        for row in bad.examples
    )
    return InvalidInput(
        f"{path} has {bad.total} bad row{'s' if bad.total != 1 else ''} ({reasons}): {lines}",
        hint="fix them, or pass --on-bad-rows skip to leave them out (they are counted "
        "and reported)",
    )
