"""Reading and writing journey map files (YAML or JSON), keeping what people wrote.

A file is read into a :class:`Document`: its text, its format, its plain data and a
round-trip tree that remembers comments, key order and the line and column of every key.
Writing a journey back *into* a document changes only what changed, so comments and key order
survive. The plain data of a text read before comes from the disk cache (:mod:`cjm.cache`),
and the tree is then parsed only when something asks for it (a position, a save).

Anything that is not a sensible map file (too large, binary, not UTF-8, malformed, nested too
deeply, several documents in one file) raises :class:`~cjm.errors.InvalidMap` with a
diagnostic that says where and what to do.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import os
import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, Literal

import ruamel.yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from cjm import cache
from cjm.errors import InvalidInput, InvalidMap
from cjm.model.diagnostics import Path as DocPath
from cjm.model.diagnostics import error

Format = Literal["yaml", "json"]

MAX_BYTES = 5 * 1024 * 1024
"""A journey map is a few hundred kilobytes at most; anything above this is not one."""
MAX_DEPTH = 32
MAX_VALUES = 500_000
YAML_HEADER = "# cjm journey map. Schema: run 'cjm schema'; check it with 'cjm validate'.\n"


@dataclass
class Document:
    """A parsed map file: its text, format, plain data, and the round-trip tree."""

    name: str
    text: str
    format: Format
    data: Any
    indent: tuple[int, int, int] = (2, 4, 2)
    parsed: Any = field(default=None, repr=False, compare=False)  # the tree, once parsed

    @property
    def tree(self) -> Any:
        """The round-trip tree (comments, key order, positions), parsed on first use."""
        if self.parsed is None:
            self.parsed = _parse(self.text, self.name, self.format)
        return self.parsed

    def position(self, path: DocPath) -> tuple[int, int] | None:
        """Line and column (from 1) of the deepest part of ``path`` present in the file."""
        node, found = self.tree, None
        for part in path:
            try:
                if isinstance(node, CommentedMap):
                    key = next((k for k in node if str(k) == part), None)
                    if key is None:
                        break
                    found, node = node.lc.key(key), node[key]
                elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
                    found, node = node.lc.item(part), node[part]
                else:
                    break
            except (KeyError, IndexError, TypeError):  # a key merged in with '<<' has no place
                if isinstance(node, (CommentedMap, CommentedSeq)):
                    found = (node.lc.line, node.lc.col)
                break
        if found is None:
            if isinstance(self.tree, (CommentedMap, CommentedSeq)):
                return (self.tree.lc.line + 1, self.tree.lc.col + 1)
            return None
        return (found[0] + 1, found[1] + 1)


def format_of(path: Path) -> Format:
    """``json`` for ``.json`` files, ``yaml`` otherwise."""
    return "json" if path.suffix.lower() == ".json" else "yaml"


def read_document(path: str | Path) -> Document:
    """Read and parse a map file; raise :class:`InvalidMap` if it cannot be one."""
    path = Path(path)
    name = str(path)
    try:
        if path.is_dir():
            raise _invalid(name, f"{name} is a folder, not a file", "give the path of a map file")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise _invalid(
                name,
                f"file is {size / 1e6:.1f} MB; a journey map is at most {MAX_BYTES // 2**20} MB",
                "is this the right file? Event logs and feedback are evidence, not journey maps",
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise _invalid(name, f"no such file: {name}", "check the path") from None
    except PermissionError:
        raise _invalid(
            name, f"cannot read {name}: permission denied", "check its permissions"
        ) from None
    except OSError as exc:
        raise _invalid(name, f"cannot read {name}: {exc.strerror}", "check the path") from None
    return parse_document(decode(raw, name), name, format_of(path))


def decode(raw: bytes, name: str) -> str:
    """UTF-8 text from bytes, refusing binary files with a clear message."""
    if b"\x00" in raw[:8192]:
        raise _invalid(
            name, "this is a binary file, not a YAML or JSON journey map", "give a text file"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        diagnostic = error(
            (),
            f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be decoded)",
            "save the file as UTF-8",
        ).located(name, line, column)
        raise InvalidMap(name, [diagnostic]) from None
    return text.removeprefix("\ufeff")


def parse_document(text: str, name: str = "<text>", fmt: Format = "yaml") -> Document:
    """Parse YAML or JSON text into a :class:`Document`."""
    if not text.strip():
        raise _invalid(name, "the file is empty", "start one with 'cjm init NAME'")
    if fmt == "json":
        _check_json(text, name)
    trees: list[Any] = []

    def read() -> Any:
        trees.append(_parse(text, name, fmt))
        return plain(trees[0], name)

    made_of = [fmt, text, ruamel.yaml.__version__, cache.sources(__name__)]
    data = cache.remembered("maps", made_of, read)
    return Document(name, text, fmt, data, guess_indent(text), trees[0] if trees else None)


def _parse(text: str, name: str, fmt: Format) -> Any:
    """The round-trip tree of ``text``; :class:`InvalidMap` where it is malformed."""
    try:
        return _loader().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "malformed YAML"
        if "another document" in problem:
            raise _invalid(
                name,
                "the file holds several YAML documents; cjm reads one journey per file",
                "split it into one file per journey",
            ) from None
        position = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        what = "JSON" if fmt == "json" else "YAML"
        diagnostic = error((), f"malformed {what}: {problem}", _syntax_hint(problem))
        raise InvalidMap(name, [diagnostic.located(name, *position)]) from None
    except (YAMLError, ValueError) as exc:  # e.g. a reader error on control characters
        raise _invalid(
            name, f"malformed file: {exc}", "fix the text or give a YAML/JSON file"
        ) from None
    except RecursionError:
        raise _too_deep(name) from None


def guess_indent(text: str) -> tuple[int, int, int]:
    """How a person indented a file: (mapping indent, sequence indent, dash offset).

    The sequence indent is where an item's content starts, counted from its parent key.
    """
    mapping = sequence = 0
    offset = -1
    parent: int | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        lead = len(line) - len(line.lstrip(" "))
        if parent is not None and stripped.startswith("- ") and lead >= parent and offset < 0:
            offset = lead - parent
            rest = stripped[2:]
            sequence = offset + 2 + len(rest) - len(rest.lstrip(" "))
        elif parent is not None and lead > parent and not stripped.startswith("-") and not mapping:
            mapping = lead - parent
        parent = lead if stripped.endswith((":", "{", "[")) else None
        if mapping and offset >= 0:
            break
    if offset < 0:
        mapping = mapping or 2
        return mapping, mapping + 2, mapping
    return mapping or (sequence - offset), sequence, offset


def plain(node: Any, name: str = "<data>") -> Any:
    """The tree as plain Python data (dicts, lists, str, int, float, bool, date, None).

    Refuses nesting deeper than :data:`MAX_DEPTH` and YAML aliases that expand past
    :data:`MAX_VALUES` values (a "billion laughs" file).
    """
    budget = [MAX_VALUES]

    def walk(value: Any, depth: int) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise _invalid(
                name,
                f"the file expands to more than {MAX_VALUES:,} values",
                "YAML anchors and aliases multiply content: write the map out plainly",
            )
        if depth > MAX_DEPTH:
            raise _too_deep(name)
        if isinstance(value, Mapping):
            return {_key(k): walk(v, depth + 1) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, depth + 1) for v in value]
        if isinstance(value, Enum):
            return value.value
        if isinstance(value, bool) or value is None:
            return value
        for kind in (int, float, str):
            if isinstance(value, kind):
                return kind(value)
        if isinstance(value, dt.datetime):
            return dt.datetime.fromisoformat(value.isoformat())
        return value

    return walk(node, 0)


def dump(data: Any, fmt: Format, like: Document | None = None) -> str:
    """Serialise plain data; with ``like``, merge it into that document to keep its comments."""
    tree: Any = data
    if like is not None and like.format == fmt:
        tree = merge(copy.deepcopy(like.tree), data)
    if fmt == "json":
        indent = like.indent[0] if like is not None else 2
        return json.dumps(plain(tree), indent=indent, ensure_ascii=False, default=str) + "\n"
    yaml = _yaml()
    if like is not None:
        mapping, sequence, offset = like.indent
        yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
        yaml.width = 4096  # never re-wrap the lines a person wrote
    stream = io.StringIO()
    if like is None:
        stream.write(YAML_HEADER)
    yaml.dump(tree, stream)
    return stream.getvalue()


def with_revision(document: Document, number: int) -> str | None:
    """The document's text with its top-level ``revision`` set to ``number``, changing nothing
    else (anchors, line endings, quoting and layout stay); None if that cannot be done safely.
    """
    text, newline = document.text, "\r\n" if "\r\n" in document.text else "\n"
    has_key = isinstance(document.data, dict) and "revision" in document.data
    if document.format == "json":
        if has_key:
            stamped = _JSON_REVISION.sub(lambda m: f"{m.group(1)}{number}", text, count=1)
        else:
            stamped = _JSON_OPEN.sub(
                lambda m: f'{{{m.group(1)}"revision": {number},{m.group(1)}', text, count=1
            )
    elif has_key:
        stamped = _YAML_REVISION.sub(lambda m: f"revision: {number}{m.group(1)}", text, count=1)
    else:
        lines = text.splitlines(keepends=True)
        at = _line_after_id(document)
        if at is None:
            return None
        lines.insert(at, f"revision: {number}{newline}")
        stamped = "".join(lines)
    try:
        reparsed = parse_document(stamped, document.name, document.format).data
    except InvalidMap:
        return None
    expected = {**document.data, "revision": number}
    return stamped if reparsed == expected else None


_YAML_REVISION = re.compile(r"^revision:[ \t]*[^\s#]*([ \t]*(#.*)?)$", re.MULTILINE)
_JSON_REVISION = re.compile(r'("revision"\s*:\s*)(-?[0-9.]+|null|true|false)')
_JSON_OPEN = re.compile(r"^\ufeff?\s*\{(\s*)")


def _line_after_id(document: Document) -> int | None:
    tree = document.tree
    if not isinstance(tree, CommentedMap) or "id" not in tree:
        return None
    try:
        line = int(tree.lc.value("id")[0])
    except (KeyError, TypeError):
        return None
    return line + 1


def merge(old: Any, new: Any) -> Any:
    """Bring ``old`` (a round-trip tree) to ``new`` (plain data), changing only what differs."""
    if isinstance(old, CommentedMap) and isinstance(new, Mapping):
        for key in [k for k in old if str(k) not in new]:
            del old[key]
        existing = {str(k): k for k in old}
        position = 0
        for key, value in new.items():
            if key in existing:
                old[existing[key]] = merge(old[existing[key]], value)
                position = list(old).index(existing[key]) + 1
            else:
                old.insert(position, key, value)
                position += 1
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, list):
        by_id = {
            item.get("id"): item
            for item in old
            if isinstance(item, CommentedMap) and isinstance(item.get("id"), str)
        }
        same_order = len(old) == len(new) and all(
            not isinstance(n, Mapping)
            or not isinstance(o, CommentedMap)
            or o.get("id") == n.get("id")
            for o, n in zip(old, new, strict=True)
        )
        if same_order:
            for index, value in enumerate(new):
                old[index] = merge(old[index], value)
            return old
        items = [
            merge(by_id[n["id"]], n) if isinstance(n, Mapping) and n.get("id") in by_id else n
            for n in new
        ]
        del old[:]
        old.extend(items)
        return old
    if _same_value(old, new):
        return old
    return new


def write_text(path: str | Path, text: str) -> None:
    """Write ``text`` atomically: readers see the old file or the new one, never half.

    Any failure raises :class:`~cjm.errors.InvalidInput` and leaves the old file as it was.
    """
    path = Path(path)
    if path.is_symlink():
        path = path.resolve()  # write through the link, keep the link
    try:
        handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise _unwritable(path, exc) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        Path(temp).chmod(path.stat().st_mode & 0o777 if path.exists() else _new_file_mode())
        Path(temp).replace(path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise _unwritable(path, exc) from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _new_file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _unwritable(path: Path, exc: OSError) -> InvalidInput:
    return InvalidInput(
        f"cannot write {path}: {exc.strerror or exc}",
        hint="check that its folder exists and is writable, and that the disk has room",
    )


def _same_value(old: Any, new: Any) -> bool:
    if isinstance(old, (CommentedMap, CommentedSeq)):
        return False
    if isinstance(old, bool) or isinstance(new, bool):
        return type(old) is type(new) and old == new
    numbers = (int, float)
    if isinstance(old, numbers) and isinstance(new, numbers):
        return bool(old == new)
    return type(plain(old)) is type(new) and plain(old) == new


class _Constructor(RoundTripConstructor):
    """Round-trip constructor that leaves dates as text, so a bad date is a located error."""


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_str)


def _loader() -> YAML:
    loader = YAML(typ="rt")
    loader.Constructor = _Constructor
    loader.preserve_quotes = True
    return loader


def _check_json(text: str, name: str) -> None:
    """JSON files must be JSON: no comments, trailing commas or YAML."""
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        diagnostic = error((), f"malformed JSON: {exc.msg}", "fix the JSON syntax here")
        raise InvalidMap(name, [diagnostic.located(name, exc.lineno, exc.colno)]) from None
    except RecursionError:
        raise _too_deep(name) from None


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    return yaml


def _key(key: Any) -> str:
    return key if isinstance(key, str) else str(plain(key))


def _syntax_hint(problem: str) -> str:
    if "tab" in problem:
        return "indent with spaces, not tabs"
    if "duplicate" in problem.lower():
        return "each key may appear once in a mapping: remove or rename one"
    if "mapping values are not allowed" in problem:
        return "quote text that contains ': ' or fix the indentation"
    return "check the indentation and quoting around this position"


def _invalid(name: str, message: str, hint: str) -> InvalidMap:
    return InvalidMap(name, [error((), message, hint).located(name, None, None)])


def _too_deep(name: str) -> InvalidMap:
    return _invalid(
        name,
        f"the file is nested more than {MAX_DEPTH} levels deep; a journey map is not",
        "is this the right file?",
    )


def write_json(
    folder: str | Path, name: str, document: object, default: Callable[[object], object] = str
) -> Path:
    """Write ``document`` as indented UTF-8 JSON to ``folder/name`` (the folder is created if
    missing; values JSON lacks go through ``default``); return the path."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, indent=2, ensure_ascii=False, default=default)
    write_text(target / name, text + "\n")
    return target / name
