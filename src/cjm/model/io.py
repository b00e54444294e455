"""Load and save journeys: the library's front door to map files.

>>> from cjm.examples import example_path
>>> journey = load_journey(example_path("repair-return"))
>>> journey.id
'instrument-repair'
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cjm.errors import InvalidMap
from cjm.model.checks import check_document
from cjm.model.diagnostics import Severity
from cjm.model.files import (
    Document,
    Format,
    dump,
    format_of,
    parse_document,
    plain,
    read_document,
    write_text,
)
from cjm.model.journey import Journey


def load_journey(path: str | Path) -> Journey:
    """Read a map file; raise :class:`~cjm.errors.InvalidMap` listing every error."""
    return journey_from_document(read_document(path))


def journey_from_document(document: Document) -> Journey:
    """The journey a parsed document describes, or :class:`InvalidMap` with every error."""
    try:
        return Journey.model_validate(document.data)
    except ValueError:
        diagnostics = [d for d in check_document(document) if d.severity is Severity.ERROR]
        raise InvalidMap(document.name, diagnostics) from None


def journey_from_text(text: str, fmt: Format = "yaml", name: str = "<text>") -> Journey:
    """Parse a journey from YAML or JSON text."""
    return journey_from_document(parse_document(text, name, fmt))


def journey_data(journey: Journey) -> dict[str, Any]:
    """What a file holds for ``journey``: the fields that were given, as plain data."""
    data: dict[str, Any] = plain(journey.model_dump(mode="python", exclude_unset=True))
    return data


def dump_journey(journey: Journey, fmt: Format = "yaml", like: Document | None = None) -> str:
    """The text of a map file; with ``like``, its comments and key order are kept."""
    return dump(journey_data(journey), fmt, like)


def save_journey(journey: Journey, path: str | Path, *, like: Document | None = None) -> None:
    """Write ``journey`` to ``path`` (YAML or JSON by extension), atomically.

    Pass the :class:`Document` the journey was read from as ``like`` to keep the comments and
    key order a person wrote.
    """
    path = Path(path)
    write_text(path, dump_journey(journey, format_of(path), like))
