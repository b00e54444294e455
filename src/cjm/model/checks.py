"""``cjm validate``: every problem of a map file at once, located and explained.

Errors (the map is invalid): malformed YAML or JSON, wrong types, out-of-range values, unknown
keys, duplicate ids, dangling references, a stage order that repeats. Warnings (the map is valid
but a journey-management practice is not followed) come from :mod:`cjm.model.practices`.

>>> from cjm.examples import example_path
>>> [d for d in check_file(example_path("subscription")) if d.severity == "error"]
[]
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from cjm.errors import InvalidMap
from cjm.model.diagnostics import Diagnostic, Severity, did_you_mean, error
from cjm.model.diagnostics import Path as DocPath
from cjm.model.files import Document, read_document
from cjm.model.journey import Journey
from cjm.model.practices import practice_warnings
from cjm.model.references import reference_problems
from cjm.model.templates import slugify


def check_file(path: str | Path, *, today: dt.date | None = None) -> list[Diagnostic]:
    """Every error and warning of the map file at ``path``, located by line and column."""
    try:
        document = read_document(path)
    except InvalidMap as exc:
        return exc.diagnostics
    return check_document(document, today=today)


def check_document(document: Document, *, today: dt.date | None = None) -> list[Diagnostic]:
    """Every error and warning of a parsed document, sorted by position."""
    journey, found = validate_data(document.data)
    if journey is not None:
        found += practice_warnings(journey, today=today or dt.date.today())
    located = []
    for diagnostic in found:
        position = document.position(diagnostic.path) or (None, None)
        located.append(diagnostic.located(document.name, *position))
    return sorted(located, key=lambda d: (d.line or 0, d.column or 0))


def validate_data(data: Any) -> tuple[Journey | None, list[Diagnostic]]:
    """The journey if ``data`` is valid, and the errors found (all of them, not the first)."""
    if not isinstance(data, dict):
        found = {list: "a list", type(None): "nothing but comments"}.get(
            type(data), f"the value {data!r}"
        )
        hint = "a journey map starts with keys such as 'id:', 'name:' and 'stages:'"
        return None, [error((), f"the file holds {found}, not a journey map", hint)]
    problems = reference_problems(data)
    try:
        journey = Journey.model_validate(data, context={"skip_references": True})
    except ValidationError as exc:
        return None, _merge(_field_diagnostics(exc, data) + problems)
    return (None if problems else journey), problems


def _merge(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    seen: set[tuple[DocPath, str]] = set()
    unique = []
    for diagnostic in diagnostics:
        key = (diagnostic.path, diagnostic.message)
        if key not in seen:
            seen.add(key)
            unique.append(diagnostic)
    return unique


def _field_diagnostics(exc: ValidationError, data: Any) -> list[Diagnostic]:
    by_path: dict[DocPath, list[Any]] = {}
    for detail in exc.errors(include_url=False):
        path = _data_path(tuple(detail["loc"]), data, detail["type"])
        by_path.setdefault(path, []).append(detail)
    found = []
    for path, details in by_path.items():
        if len(details) > 1 and all(d["type"].endswith("_type") for d in details):
            got = _describe(details[0]["input"])
            found.append(error(path, f"wrong type: got {got}", "see 'cjm schema' for this field"))
        else:
            found += [_friendly(path, detail) for detail in details]
    return found


def _data_path(loc: DocPath, data: Any, kind: str) -> DocPath:
    """The part of pydantic's ``loc`` that names places in the data (drops union tags)."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if _has(node, part):
            node = node[part]
        elif kind in ("missing", "extra_forbidden") and isinstance(node, dict):
            path.append(part)
            break
        else:
            continue
        path.append(part)
    return tuple(path)


def _has(node: Any, part: str | int) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def _friendly(path: DocPath, detail: Any) -> Diagnostic:
    kind, value, ctx = detail["type"], detail.get("input"), detail.get("ctx") or {}
    key = path[-1] if path else "journey"
    if kind == "missing":
        return error(path, f"missing required key '{key}'", f"add '{key}:' here")
    if kind == "extra_forbidden":
        allowed = _fields_at(path[:-1])
        hint = did_you_mean(key, allowed, "keys") if allowed else "remove it"
        return error(path, f"unknown key '{key}'", hint)
    if kind == "enum":
        enum = _type_at(path)
        is_enum = isinstance(enum, type) and issubclass(enum, Enum)
        options = [m.value for m in enum] if is_enum else []
        noun = _words(enum.__name__) if isinstance(enum, type) else str(key)
        return error(
            path, f"'{value}' is not a valid {noun}", did_you_mean(value, options, "values")
        )
    if kind == "string_pattern_mismatch":
        return error(
            path,
            f"'{value}' is not a valid id",
            f"use lowercase letters, digits and '-', e.g. '{_slug(str(value))}'",
        )
    if kind in ("string_too_short", "too_short"):
        what = "a stage" if key == "stages" else "a value"
        return error(path, f"'{key}' must not be empty", f"give {what} here")
    if kind in ("string_too_long", "too_long"):
        return error(path, f"'{key}' is too long: {detail['msg'].lower()}", "shorten it")
    if kind in (
        "int_parsing",
        "int_type",
        "float_parsing",
        "float_type",
        "int_from_float",
        "finite_number",
    ):
        whole = kind.startswith("int")
        wanted = "a whole number" if whole else "a number"
        return error(path, f"expected {wanted}, got {_describe(value)}", f"write {wanted} here")
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bound = {
            "greater_than_equal": "≥",
            "less_than_equal": "≤",
            "greater_than": ">",
            "less_than": "<",
        }
        limit = next(iter(ctx.values()))
        return error(path, f"{value} is out of range: '{key}' must be {bound[kind]} {limit}", None)
    if kind.startswith("date") or kind.startswith("datetime"):
        return error(path, f"expected a date, got {_describe(value)}", "write it as YYYY-MM-DD")
    if kind in ("list_type",):
        return error(
            path, f"expected a list, got {_describe(value)}", "write each item as '- item'"
        )
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return error(path, f"expected a mapping (key: value lines), got {_describe(value)}", None)
    if kind in ("string_type", "bool_type", "bool_parsing"):
        wanted = "text" if kind == "string_type" else "true or false"
        quote = f"quote it: '{value}'" if kind == "string_type" and value is not None else None
        return error(path, f"expected {wanted}, got {_describe(value)}", quote)
    if kind == "literal_error":
        return error(
            path, f"unsupported {key} {value!r}", f"this cjm reads {key} {ctx.get('expected')}"
        )
    message = str(detail["msg"]).removeprefix("Value error, ")
    return error(path, message, None)


def _fields_at(path: DocPath) -> list[str]:
    model = _type_at(path)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def _type_at(path: DocPath) -> Any:
    """The model or enum class that describes the value at ``path``."""
    current: Any = Journey
    for part in path:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(part)
        if field is None:
            return None
        current = _core_type(field.annotation)
    return current


def _core_type(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, list, typing.Annotated):
        for arg in typing.get_args(annotation):
            inner = _core_type(arg)
            if isinstance(inner, type) and issubclass(inner, (BaseModel, Enum)):
                return inner
        return None
    return annotation


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _words(name: str) -> str:
    spaced = re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()
    return spaced.replace("k p i", "KPI")


def _slug(text: str) -> str:
    return slugify(text) if slugify(text) != "journey" else "my-id"


__all__ = ["Diagnostic", "Severity", "check_document", "check_file", "validate_data"]
