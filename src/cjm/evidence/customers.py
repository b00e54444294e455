"""The customers table: one row per customer, with attributes persona rules can test.

CSV, Parquet or JSON Lines, read by DuckDB into the table ``customers`` beside the events:
``customer_id`` (text) and every other column as text (conditions compare numbers as
numbers whatever the column's type). A customer listed twice, or a row without an id, is an
error that names the line.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from cjm.errors import InvalidInput
from cjm.evidence.events import detect_format, file_scan, quote_name

TABLE = "customers"


def read_customers(
    path: str | Path, connection: duckdb.DuckDBPyConnection, *, customer_col: str = "customer_id"
) -> list[str]:
    """Read ``path`` into the ``customers`` table of ``connection``; return its attributes."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"no such customers file: {path}", hint="check the path")
    fmt = detect_format(path)
    if fmt == "xes":
        raise InvalidInput(
            f"cannot read customers from {path}", hint="give a .csv, .parquet or .jsonl file"
        )
    scan = file_scan(path, fmt)
    try:
        described = connection.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()
        columns = [str(row[0]) for row in described]
        if customer_col not in columns:
            raise InvalidInput(
                f"{path} has no column '{customer_col}' with the customer id",
                hint=f"name it with --customers-id-col; its columns are: {', '.join(columns)}",
            )
        attributes = [c for c in columns if c != customer_col]
        selected = ", ".join(
            [f"NULLIF(TRIM(CAST({quote_name(customer_col)} AS VARCHAR)), '') AS customer_id"]
            + [f"CAST({quote_name(c)} AS VARCHAR) AS {quote_name(c)}" for c in attributes]
        )
        connection.execute(
            f"CREATE OR REPLACE TABLE {TABLE} AS SELECT {selected}, "
            f"row_number() OVER () + {1 if fmt == 'csv' else 0} AS _line FROM {scan}"
        )
    except duckdb.Error as exc:
        detail = str(exc).strip().splitlines()[0]
        raise InvalidInput(
            f"cannot read {path} as {fmt.upper()}: {detail}",
            hint="check the file's format and encoding (UTF-8)",
        ) from None
    _check_ids(connection, path)
    connection.execute(f"ALTER TABLE {TABLE} DROP COLUMN _line")
    return attributes


def _check_ids(connection: duckdb.DuckDBPyConnection, path: Path) -> None:
    missing = connection.execute(
        f"SELECT min(_line), count(*) FROM {TABLE} WHERE customer_id IS NULL"
    ).fetchall()[0]
    if missing[1]:
        raise InvalidInput(
            f"{path} has {missing[1]} row(s) without a customer id (first at line {missing[0]})",
            hint="every customer needs an id that matches the event log",
        )
    twice = connection.execute(
        f"SELECT customer_id, list(_line ORDER BY _line) FROM {TABLE} GROUP BY 1 "
        "HAVING count(*) > 1 ORDER BY min(_line) LIMIT 1"
    ).fetchall()
    if twice:
        customer, lines = twice[0]
        raise InvalidInput(
            f"{path} lists customer '{customer}' more than once "
            f"(lines {', '.join(str(line) for line in lines[:5])})",
            hint="keep one row per customer",
        )
