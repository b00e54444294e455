"""The touchpoint rules' engine-free parts: which maps have rules, globs as regular
expressions, and the column that tells the single pass's combinations apart.

:mod:`cjm.analytics.touchpoints` writes the rules as Ibis expressions; the single pass reads
these without loading Ibis.
"""

from __future__ import annotations

import re

from cjm.errors import InvalidInput
from cjm.model.journey import Journey

# The column the single pass adds to the rules' input to tell its combinations apart; not one
# of the log's (hints about a missing attribute leave it out).
COMBINATION = "__cjm_combination"


def require_event_rules(journey: Journey) -> None:
    """Refuse a map none of whose touchpoints says which events belong to it."""
    if not any(tp.events is not None for _stage, tp in journey.touchpoints()):
        raise InvalidInput(
            f"journey '{journey.id}' maps no events: none of its touchpoints has an 'events' rule",
            hint="add 'events: {names: [...]}' to the touchpoints so cjm can place the events",
        )


def glob_regex(pattern: str) -> str:
    """A portable regular expression for a glob: ``*`` any text, ``?`` one character."""
    parts = [".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern]
    return "^" + "".join(parts) + "$"
