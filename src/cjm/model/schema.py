"""The JSON Schema of the journey map file, for editors and documentation."""

from __future__ import annotations

from typing import Any

from cjm.model.journey import Journey

SCHEMA_ID = "https://cjm.dev/schema/journey-1.json"


def journey_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a journey map file.

    >>> journey_schema()["title"]
    'Journey'
    """
    schema = Journey.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
    }
