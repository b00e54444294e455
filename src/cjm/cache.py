"""A disk cache for what is costly to make and the same from run to run.

Two things are kept: the plain data of a map file (parsing YAML that keeps comments and
positions costs about 0.15 s for the bundled example's 900 lines, on the one core
that runs before an analysis can start), and a map's touchpoint rules compiled to SQL (Ibis
loads the SQL compilers of all its backends on first use, about a third of a CPU-second). An
entry is found by everything that makes it (the map's text or the map, cjm's sources that
read or compile it, and the versions of the libraries that do), so a change to any of them
makes a new one. A value that JSON does not carry exactly (a date, for instance) is not kept.

Entries live under ``$CJM_CACHE_DIR``, or ``$XDG_CACHE_HOME/cjm``, or ``~/.cache/cjm``; delete
the folder to clear it. Each kind keeps its :data:`MAX_ENTRIES` newest entries. A cache that
cannot be read or written is passed over: the value is made as if there were none.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from cjm.errors import CJMError

FORMAT = "1"  # the layout of an entry; a new one leaves the old entries unread
MAX_ENTRIES = 256  # per kind: older entries are deleted as new ones come
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
    _keep(path, value)
    return value


def _keep(path: Path, value: object) -> None:
    """Write an entry, if JSON carries ``value`` exactly and the cache can be written."""
    from cjm.model.files import write_text  # here: reading a map file uses this module

    try:
        text = json.dumps({"value": value}, allow_nan=False)
    except (TypeError, ValueError):
        return
    if json.loads(text)["value"] != value:  # a tuple, say, would come back as a list
        return
    with contextlib.suppress(CJMError, OSError):  # an unwritable cache is passed over
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text(path, text)
        entries = sorted(path.parent.glob("*.json"), key=lambda p: p.stat().st_mtime)
        for old in entries[:-MAX_ENTRIES]:
            old.unlink(missing_ok=True)


@functools.cache
def sources(*modules: str) -> str:
    """A fingerprint of the source files of the modules named (found, not imported; read
    once a process)."""
    digest = hashlib.sha256()
    for name in modules:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise ModuleNotFoundError(name)
        digest.update(Path(spec.origin).read_bytes())
    return digest.hexdigest()
