"""Diagnostics: one problem found in a map, where it is, and what to do about it."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

Path = tuple[str | int, ...]


class Severity(StrEnum):
    """Errors make a map invalid; warnings are journey-management practices not followed."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Diagnostic:
    """One problem: what is wrong, where (file, line, column, path) and what to do."""

    severity: Severity
    path: Path
    message: str
    hint: str | None = None
    file: str | None = None
    line: int | None = None
    column: int | None = None

    @property
    def where(self) -> str:
        """The path in the document, e.g. ``stages[2].touchpoints[0].owner``."""
        return format_path(self.path)

    def located(self, file: str | None, line: int | None, column: int | None) -> Diagnostic:
        """The same diagnostic with a position (line and column count from 1)."""
        return replace(self, file=file, line=line, column=column)

    def format(self) -> str:
        """``file:line:col: error: path: message — hint``, the shape editors understand."""
        position = ":".join(str(p) for p in (self.file, self.line, self.column) if p is not None)
        parts = [f"{position}: " if position else "", f"{self.severity.value}: "]
        if self.path:
            parts.append(f"{self.where}: ")
        parts.append(self.message)
        if self.hint:
            parts.append(f" — {self.hint}")
        return "".join(parts)


def format_path(path: Path) -> str:
    """``("stages", 2, "name")`` → ``stages[2].name``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def did_you_mean(value: object, candidates: Iterable[str], noun: str) -> str:
    """A hint naming the closest candidate, or listing the few there are."""
    options = sorted(set(candidates))
    close = difflib.get_close_matches(str(value), options, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    if not options:
        return f"this map has no {noun} yet: add one or remove the reference"
    shown = ", ".join(options[:12]) + (", ..." if len(options) > 12 else "")
    return f"known {noun}: {shown}"


def error(path: Path, message: str, hint: str | None = None) -> Diagnostic:
    """An error at ``path``."""
    return Diagnostic(Severity.ERROR, path, message, hint)


def warning(path: Path, message: str, hint: str | None = None) -> Diagnostic:
    """A warning at ``path``."""
    return Diagnostic(Severity.WARNING, path, message, hint)
