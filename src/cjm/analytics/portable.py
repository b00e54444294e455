"""The few expressions DuckDB and Spark need in different forms, so each analytic is written
once and gives the same numbers on both engines (the tests run every analysis on both).

Everything else compiles unchanged; here each difference says why it is one.
"""

from __future__ import annotations

import datetime
from typing import Literal

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir


def on_spark(*values: ir.Expr) -> bool:
    """Whether the tables under ``values`` live on Spark (Ibis's PySpark backend)."""
    for value in values:
        for table in value.op().find(ops.DatabaseTable):
            return bool(table.source.name == "pyspark")
    return False


def elapsed(
    later: ir.TimestampValue, earlier: ir.TimestampValue, unit: Literal["second", "millisecond"]
) -> ir.IntegerValue:
    """Whole ``unit``s from ``earlier`` to ``later``, counted as unit boundaries crossed
    (DuckDB's ``date_diff``): 10:00:00.9 to 10:00:01.1 is one second, 200 milliseconds."""
    if not on_spark(earlier, later):
        return later.delta(earlier, unit=unit)
    # Spark's DATEDIFF, which Ibis compiles delta to, truncates the exact difference
    # instead (zero seconds above); the difference of the epoch counts crosses boundaries.
    epoch = _unix_millis if unit == "millisecond" else _unix_seconds
    return epoch(later) - epoch(earlier)


def ordered_collect(values: ir.Column, order_by: list[ir.Column]) -> ir.ArrayValue:
    """The non-null ``values`` of a group as an array, in ``order_by`` order (which must
    be unique within the group, as timestamp and seq are for a customer's events)."""
    if not on_spark(values):
        return values.collect(order_by=order_by)
    # Spark cannot order inside an aggregate (Ibis refuses collect(order_by=...) there):
    # collect (key..., value) records, sort them (fields compare in order) and keep the
    # values. DuckDB keeps its ordered aggregate, which is faster.
    fields = {f"k{number}": key for number, key in enumerate(order_by)}
    records = ibis.struct({**fields, "value": values})
    return records.collect(where=values.notnull()).sort().map(lambda record: record.value)


@ibis.udf.scalar.builtin(name="unix_millis")  # type: ignore[untyped-decorator]
def _unix_millis(timestamp: datetime.datetime) -> int:  # type: ignore[empty-body]
    """Spark: milliseconds since the epoch, rounded down."""


@ibis.udf.scalar.builtin(name="unix_seconds")  # type: ignore[untyped-decorator]
def _unix_seconds(timestamp: datetime.datetime) -> int:  # type: ignore[empty-body]
    """Spark: seconds since the epoch, rounded down."""
