"""The journey vocabulary: typed models, file I/O, JSON Schema, validation and diff.

This package imports nothing else from cjm but :mod:`cjm.errors`.
"""

from cjm.model.checks import check_document, check_file
from cjm.model.diagnostics import Diagnostic, Severity
from cjm.model.diff import Change, diff_journeys
from cjm.model.files import Document, read_document
from cjm.model.io import dump_journey, journey_from_text, load_journey, save_journey
from cjm.model.journey import (
    KPI,
    Condition,
    EventRule,
    Evidence,
    Journey,
    Opportunity,
    PainPoint,
    Persona,
    PersonaRule,
    Scope,
    Stage,
    Team,
    Touchpoint,
)
from cjm.model.schema import journey_schema
from cjm.model.templates import new_journey

__all__ = [
    "KPI",
    "Change",
    "Condition",
    "Diagnostic",
    "Document",
    "EventRule",
    "Evidence",
    "Journey",
    "Opportunity",
    "PainPoint",
    "Persona",
    "PersonaRule",
    "Scope",
    "Severity",
    "Stage",
    "Team",
    "Touchpoint",
    "check_document",
    "check_file",
    "diff_journeys",
    "dump_journey",
    "journey_from_text",
    "journey_schema",
    "load_journey",
    "new_journey",
    "read_document",
    "save_journey",
]
