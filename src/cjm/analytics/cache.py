"""A disk cache for what is costly to make and the same from run to run.

The single pass uses it for a map's touchpoint rules compiled to SQL: Ibis loads the SQL
compilers of all its backends on first use, about a third of a CPU-second in each fresh
process, the largest start-up cost of an analysis after the imports. An entry is found by
everything that makes it (for the rules: the map, cjm's sources that turn rules into SQL,
and the versions of Ibis and SQLGlot), so a change to any of them makes a new one.

Entries live under ``$CJM_CACHE_DIR``, or ``$XDG_CACHE_HOME/cjm``, or ``~/.cache/cjm``; delete
the folder to clear it. A cache that cannot be read or written is passed over: the value is
made as if there were none.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from cjm.errors import CJMError
from cjm.model.files import write_text

FORMAT = "1"  # the layout of an entry; a new one leaves the old entries unread
T = TypeVar("T")


def folder() -> Path:
    """Where the cache keeps its entries."""
    chosen = os.environ.get("CJM_CACHE_DIR")
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "cjm"


def remembered(kind: str, made_of: Iterable[str], make: Callable[[], T]) -> T:
    """``make()``, or what it returned before from the same ``made_of`` (a JSON value)."""
    digest = hashlib.sha256("\0".join([FORMAT, kind, *made_of]).encode()).hexdigest()
    path = folder() / kind / f"{digest}.json"
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        found: T = json.loads(path.read_text(encoding="utf-8"))["value"]
        return found
    value = make()
    with contextlib.suppress(CJMError, OSError):  # an unwritable cache is passed over
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text(path, json.dumps({"value": value}))
    return value


def sources(*modules: str) -> str:
    """A fingerprint of the source files of the modules named (found, not imported)."""
    digest = hashlib.sha256()
    for name in modules:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise ModuleNotFoundError(name)
        digest.update(Path(spec.origin).read_bytes())
    return digest.hexdigest()
