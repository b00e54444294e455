"""Ibis tables over the canonical event log, and the one ordering every analytic uses."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from cjm.evidence.events import EventLog


def events_table(log: EventLog) -> ir.Table:
    """The log's ``events`` table as an Ibis expression on its DuckDB connection."""
    return ibis.duckdb.from_connection(log.connection).table(log.table)


def journey_window(**kwargs: object) -> ibis.expr.builders.LegacyWindowBuilder:
    """Each customer's events in time order; ties keep their input order (``seq``)."""
    return ibis.window(group_by="customer_id", order_by=["timestamp", "seq"], **kwargs)
