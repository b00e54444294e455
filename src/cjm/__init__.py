"""cjm: customer journey management.

A journey map is a validated, versioned file. Load one, check it, store its revisions:

>>> import cjm
>>> journey = cjm.load_journey(cjm.example_path("subscription"))
>>> journey.stages[0].id
'awareness'
"""

from typing import Any

from cjm.errors import CJMError, Conflict, InvalidInput, NotFound, StoreError
from cjm.examples import example_names, example_path
from cjm.model import (
    KPI,
    Journey,
    Opportunity,
    PainPoint,
    Persona,
    Stage,
    Team,
    Touchpoint,
    journey_schema,
    load_journey,
    save_journey,
)
from cjm.model.checks import Diagnostic, Severity, check_file

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """``cjm.analyze`` and ``cjm.read_events``, imported on first use (they load DuckDB)."""
    if name == "analyze":
        from cjm.analytics.analyze import analyze

        return analyze
    if name == "read_events":
        from cjm.evidence import read_events

        return read_events
    raise AttributeError(f"module 'cjm' has no attribute {name!r}")


__all__ = [
    "KPI",
    "CJMError",
    "Conflict",
    "Diagnostic",
    "InvalidInput",
    "Journey",
    "NotFound",
    "Opportunity",
    "PainPoint",
    "Persona",
    "Severity",
    "Stage",
    "StoreError",
    "Team",
    "Touchpoint",
    "__version__",
    "analyze",
    "check_file",
    "example_names",
    "example_path",
    "journey_schema",
    "load_journey",
    "read_events",
    "save_journey",
]
