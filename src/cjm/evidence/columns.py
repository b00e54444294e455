"""The canonical event schema and the mapping from a user's column names onto it."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, fields

from cjm.errors import InvalidInput

REQUIRED = ("customer_id", "timestamp", "event")
OPTIONAL = ("channel", "session_id", "outcome", "value", "duration_s", "cost")
NUMERIC = ("value", "duration_s", "cost")


@dataclass(frozen=True)
class ColumnMap:
    """Which column of the input holds each canonical field.

    Optional fields default to a column of the canonical name when the input has one.

    >>> ColumnMap(customer="case:concept:name", event="concept:name").customer
    'case:concept:name'
    """

    customer: str = "customer_id"
    timestamp: str = "timestamp"
    event: str = "event"
    channel: str | None = None
    session_id: str | None = None
    outcome: str | None = None
    value: str | None = None
    duration_s: str | None = None
    cost: str | None = None

    def resolve(self, available: list[str], source: str) -> dict[str, str]:
        """Canonical name → input column, checking that every named column exists."""
        chosen = {
            ("customer_id" if f.name == "customer" else f.name): getattr(self, f.name)
            for f in fields(self)
        }
        flags = {"customer_id": "--customer-col"}
        return resolve_columns(chosen, available, source, flags)


def resolve_columns(
    chosen: dict[str, str | None], available: list[str], source: str, flags: dict[str, str]
) -> dict[str, str]:
    """Canonical name → input column for the columns a user named (or that carry the name).

    A canonical field left as None maps to a column of its own name when the input has one.
    A named column that does not exist is an error naming its flag and the columns there are.
    """
    resolved: dict[str, str] = {}
    for canonical, column in chosen.items():
        if column is None:
            if canonical in available:
                resolved[canonical] = canonical
            continue
        if column not in available:
            flag = flags.get(canonical, f"--{canonical.replace('_', '-')}-col")
            close = difflib.get_close_matches(column, available, n=1, cutoff=0.6)
            raise InvalidInput(
                f"{source} has no column '{column}' (for {flag})",
                hint=(f"did you mean '{close[0]}'? " if close else "")
                + f"its columns are: {', '.join(available)}",
            )
        resolved[canonical] = column
    return resolved
