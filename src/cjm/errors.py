"""The one exception root of cjm.

Every error a user can cause is a :class:`CJMError`. Each subclass also inherits the
built-in exception it behaves like, so ``except ValueError`` keeps working for library
users, and each carries a *hint*: what to do next. The CLI prints ``Error: <message>``
followed by the hint and exits with status 1; it never shows a traceback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cjm.model.diagnostics import Diagnostic


class CJMError(Exception):
    """Base class of every error cjm raises on purpose.

    >>> str(CJMError("journey 'x' not found", hint="run 'cjm log' to list journeys"))
    "journey 'x' not found"
    """

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class InvalidInput(CJMError, ValueError):
    """A file or an argument cannot be used as given."""


class InvalidMap(InvalidInput):
    """A journey map file has errors; ``diagnostics`` lists every one of them."""

    def __init__(self, source: str, diagnostics: list[Diagnostic]) -> None:
        errors = [d for d in diagnostics if d.severity == "error"] or diagnostics
        if len(errors) == 1:
            message, hint = f"{source}: {errors[0].message}", errors[0].hint
        else:
            message = f"{source} is not a valid journey map ({len(errors)} errors)"
            hint = f"run 'cjm validate {source}' to see each problem with its line and column"
        super().__init__(message, hint=hint)
        self.source = source
        self.diagnostics = diagnostics


class NotFound(CJMError, LookupError):
    """A journey, revision or file that was asked for does not exist."""


class Conflict(CJMError):
    """The store has moved on since the file was pulled (a lost update was refused)."""


class StoreError(CJMError, RuntimeError):
    """The store cannot be opened or written."""
