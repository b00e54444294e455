"""Event logs into the canonical schema, read by DuckDB straight from the file.

CSV, Parquet, JSON Lines and XES become one table, ``events``: ``customer_id`` (text),
``timestamp`` (UTC), ``event`` (text), ``seq`` (the row's place in the input, which breaks
timestamp ties), the optional canonical columns that were mapped, and every other column as
an attribute. Rows without a customer, an event name or a readable timestamp are *bad rows*:
counted by reason, with line numbers, and either refused (the default) or left out.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import duckdb

from cjm.errors import InvalidInput
from cjm.evidence.columns import NUMERIC, ColumnMap
from cjm.evidence.xes import load_xes

Format = Literal["csv", "parquet", "jsonl", "xes"]
BadRowPolicy = Literal["fail", "skip"]
MAX_LINE_BYTES = 64 * 2**20
EXAMPLES = 5
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
    _load_raw(con, path, detect_format(path))
    types = _types(con, "raw")
    available = [c for c in types if c != "__line"]
    mapping = columns.resolve(available, str(path))
    con.execute(_canonical_sql(mapping, available, timezone, types[mapping["timestamp"]]))
    bad = _bad_rows(con, mapping)
    if bad.total and on_bad_rows == "fail":
        raise _bad_rows_error(path, bad)
    if bad.total:
        con.execute("DELETE FROM parsed WHERE __reason IS NOT NULL")
    con.execute(
        "DROP TABLE raw; DROP TABLE IF EXISTS events; ALTER TABLE parsed DROP COLUMN __reason; "
        "ALTER TABLE parsed RENAME TO events"
    )
    ((rows, customers, start, end),) = con.execute(
        "SELECT count(*), count(DISTINCT customer_id), min(timestamp), max(timestamp) FROM events"
    ).fetchall()
    if not rows:
        raise InvalidInput(
            f"{path} has no usable events",
            hint="it is empty, holds only a header, or every row is bad",
        )
    attributes = [c for c in _columns(con, "events") if c not in _canonical(mapping)]
    return EventLog(con, str(path), rows, customers, start, end, bad, attributes)


def _connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET temp_directory = '{tempfile.gettempdir()}/cjm-duckdb'")
    return con


def _check_file(path: Path) -> None:
    if path.is_dir():
        raise InvalidInput(f"{path} is a folder, not an event log", hint="give a file")
    if not path.exists():
        raise InvalidInput(f"no such file: {path}", hint="check the path")
    if path.stat().st_size == 0:
        raise InvalidInput(f"{path} is empty", hint="give an event log with a header and rows")


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


def _load_raw(con: duckdb.DuckDBPyConnection, path: Path, fmt: Format) -> None:
    quoted = str(path).replace("'", "''")
    scans = {
        "csv": f"read_csv('{quoted}', all_varchar=true, header=true, "
        f"max_line_size={MAX_LINE_BYTES}, parallel=false)",
        "parquet": f"read_parquet('{quoted}')",
        "jsonl": f"read_json('{quoted}', format='newline_delimited')",
    }
    try:
        if fmt == "xes":
            load_xes(path, con, "raw")
            return
        con.execute(
            f"CREATE OR REPLACE TABLE raw AS SELECT *, row_number() OVER () "
            f"+ {1 if fmt == 'csv' else 0} AS __line FROM {scans[fmt]}"
        )
    except (duckdb.Error, OSError) as exc:
        detail = str(exc).strip().splitlines()[0]
        raise InvalidInput(
            f"cannot read {path} as {fmt.upper()}: {detail}",
            hint="check the file's format and encoding (UTF-8)",
        ) from None


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return list(_types(con, table))


def _types(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    return {str(row[0]): str(row[1]) for row in con.execute(f"DESCRIBE {table}").fetchall()}


def _canonical(mapping: dict[str, str]) -> set[str]:
    return {*mapping, "seq"}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _text(column: str) -> str:
    return f"NULLIF(TRIM(CAST({_quote(column)} AS VARCHAR)), '')"


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
        return _quote(column)
    if kind.startswith("TIMESTAMP") or kind == "DATE":
        return f"timezone('{zone}', CAST({_quote(column)} AS TIMESTAMP))"
    return timestamp_sql(_text(column), timezone)


def _canonical_sql(
    mapping: dict[str, str], available: list[str], timezone: str, stamp_type: str
) -> str:
    customer, event = _text(mapping["customer_id"]), _text(mapping["event"])
    stamp = _timestamp(mapping["timestamp"], stamp_type, timezone)
    selected = [
        f"{customer} AS customer_id",
        f"{stamp} AS timestamp",
        f"{event} AS event",
        "__line AS seq",
    ]
    for name, column in mapping.items():
        if name in ("customer_id", "event", "timestamp"):
            continue
        kind = "DOUBLE" if name in NUMERIC else "VARCHAR"
        selected.append(f"TRY_CAST({_text(column)} AS {kind}) AS {name}")
    used = set(mapping.values())
    selected += [
        f"CAST({_quote(c)} AS VARCHAR) AS {_quote(c)}"
        for c in available
        if c not in used and c not in _canonical(mapping)
    ]
    reason = (
        "CASE WHEN customer_id IS NULL THEN 'missing customer' "
        "WHEN event IS NULL THEN 'missing event name' "
        "WHEN timestamp IS NULL THEN 'unreadable timestamp' END AS __reason"
    )
    return (
        f"CREATE OR REPLACE TABLE parsed AS SELECT *, {reason} "
        f"FROM (SELECT {', '.join(selected)} FROM raw)"
    )


def _bad_rows(con: duckdb.DuckDBPyConnection, mapping: dict[str, str]) -> BadRows:
    counts = con.execute(
        "SELECT __reason, count(*) FROM parsed WHERE __reason IS NOT NULL "
        "GROUP BY 1 ORDER BY 2 DESC, 1"
    ).fetchall()
    if not counts:
        return BadRows()
    raw_columns = [mapping["customer_id"], mapping["timestamp"], mapping["event"]]
    picked = ", ".join(f"CAST(raw.{_quote(c)} AS VARCHAR)" for c in raw_columns)
    rows = con.execute(
        f"SELECT parsed.seq, parsed.__reason, {picked} FROM parsed JOIN raw "
        f"ON raw.__line = parsed.seq WHERE parsed.__reason IS NOT NULL "
        f"ORDER BY parsed.seq LIMIT {EXAMPLES}"
    ).fetchall()
    examples = [
        BadRow(int(line), str(reason), dict(zip(raw_columns, values, strict=True)))
        for line, reason, *values in rows
    ]
    by_reason = {str(reason): int(count) for reason, count in counts}
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
