"""Readers for the evidence: event logs (customers and feedback come next)."""

from cjm.evidence.columns import ColumnMap
from cjm.evidence.events import BadRow, BadRows, EventLog, read_events

__all__ = ["BadRow", "BadRows", "ColumnMap", "EventLog", "read_events"]
