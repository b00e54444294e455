"""XES (the process-mining standard) read with lxml's iterparse, batch by batch.

Trace attributes become ``case:<key>`` columns, event attributes ``<key>`` columns, all as
text; the events go into a DuckDB table without building the whole log in memory.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, cast

import duckdb
import pyarrow as pa
from lxml import etree

from cjm.errors import InvalidInput

BATCH = 50_000
_SIMPLE = {"string", "date", "int", "float", "boolean", "id"}


def load_xes(path: Path, connection: duckdb.DuckDBPyConnection, table: str) -> None:
    """Create ``table`` in ``connection`` with one text column per XES attribute."""
    columns: list[str] = []
    created = False
    for batch in _batches(path):
        frame = pa.Table.from_pylist(batch)
        for name in frame.column_names:
            if name not in columns:
                if created:
                    connection.execute(f'ALTER TABLE {table} ADD COLUMN "{name}" VARCHAR')
                columns.append(name)
        connection.register("xes_batch", frame)
        if created:
            connection.execute(f"INSERT INTO {table} BY NAME SELECT * FROM xes_batch")
        else:
            connection.execute(f"CREATE TABLE {table} AS SELECT * FROM xes_batch")
            created = True
        connection.unregister("xes_batch")
    if not created:
        raise InvalidInput(f"{path} holds no events", hint="give an XES log with <event> elements")


def _batches(path: Path) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    trace: dict[str, Any] = {}
    line = 0
    with _open(path) as stream:
        try:
            for action, element in etree.iterparse(stream, events=("start", "end"), huge_tree=True):
                tag = etree.QName(element).localname
                if action == "start":
                    if tag == "trace":
                        trace = {}
                    continue
                if tag in _SIMPLE and element.getparent() is not None:
                    parent = etree.QName(element.getparent()).localname
                    if parent == "trace":
                        trace[f"case:{element.get('key')}"] = element.get("value")
                elif tag == "event":
                    line += 1
                    row = {
                        child.get("key"): child.get("value")
                        for child in element
                        if etree.QName(child).localname in _SIMPLE
                    }
                    batch.append({**trace, **row, "__line": line})
                    element.clear()
                    if len(batch) >= BATCH:
                        yield batch
                        batch = []
                elif tag == "trace":
                    element.clear()
        except etree.XMLSyntaxError as exc:
            raise InvalidInput(
                f"{path} is not valid XES: {exc.msg} (line {exc.lineno})",
                hint="check the file is a complete XES log",
            ) from None
    if batch:
        yield batch


def _open(path: Path) -> IO[bytes]:
    if path.name.lower().endswith(".gz"):
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")
