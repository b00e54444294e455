"""Generate the reference docs from the code, so they cannot drift.

``python -m cjm.cli.reference docs/reference`` writes:

- ``cli.md``: every command's ``--help``;
- ``journey.schema.json``: the JSON Schema of the map file;
- ``file-format.md``: the map file field by field, and every taxonomy with its meanings.

A test regenerates them and fails when the committed files differ.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
from pathlib import Path
from typing import Any

import typer

from cjm.analytics.analyze import FIELDS
from cjm.cli.app import app, main
from cjm.model import journey_schema
from cjm.model.files import write_text

WIDTH = "100"


def reference_files() -> dict[str, str]:
    """File name → content of every generated reference file."""
    schema = journey_schema()
    return {
        "cli.md": cli_reference(),
        "journey.schema.json": json.dumps(schema, indent=2, ensure_ascii=False) + "\n",
        "file-format.md": file_format(schema),
        "analysis.md": analysis_reference(),
    }


def analysis_reference() -> str:
    """Markdown describing every key of ``analysis.json``."""
    rows = ["| Key | What it holds |", "| --- | --- |"]
    rows += [f"| `{key}` | {text} |" for key, text in FIELDS.items()]
    return (
        "# analysis.json, key by key\n\n"
        "Generated from the code by `make docs`; do not edit by hand. `cjm analyze` writes "
        "this file into its output folder; `cjm.analyze(...)` returns the same as typed "
        "values. Times are UTC (ISO 8601); durations are seconds.\n\n" + "\n".join(rows) + "\n"
    )


def cli_reference() -> str:
    """Markdown with the ``--help`` of ``cjm`` and of each command."""
    group = typer.main.get_command(app)
    names = list(getattr(group, "commands", {}))
    parts = [
        "# Command-line reference\n",
        "Generated from the code by `make docs`; do not edit by hand.\n",
        "Every command exits with status 0 on success and 1 on any error (bad input, usage, "
        "a refused push). Errors print `Error: ...` and what to do on standard error.\n",
        f"## cjm\n\n```text\n{_help([])}```\n",
    ]
    parts += [f"## cjm {name}\n\n```text\n{_help([name])}```\n" for name in names]
    return "\n".join(parts)


def _help(args: list[str]) -> str:
    stream = io.StringIO()
    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = WIDTH
    try:
        with contextlib.redirect_stdout(stream), contextlib.suppress(SystemExit):
            main([*args, "--help"])
    finally:
        if previous is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = previous
    return "\n".join(line.rstrip() for line in stream.getvalue().splitlines()) + "\n"


def file_format(schema: dict[str, Any]) -> str:
    """Markdown describing every object and taxonomy of the map file."""
    definitions: dict[str, Any] = schema.get("$defs", {})
    objects = {"Journey": schema} | {
        name: body for name, body in definitions.items() if "properties" in body
    }
    enums = {name: body for name, body in definitions.items() if "enum" in body}
    parts = [
        "# The journey map file, field by field\n",
        "Generated from the JSON Schema (`cjm schema`) by `make docs`; do not edit by hand.\n",
        "A map is one YAML or JSON file holding one journey. Unknown keys are errors. Ids are "
        "short slugs (lowercase letters, digits, `-` or `_`) and every reference to a stage, "
        "touchpoint, persona, team, pain point or KPI must name one that exists.\n",
        "## Objects\n",
    ]
    for name, body in objects.items():
        parts.append(_object_section(name, body))
    parts.append("## Taxonomies\n")
    for name, body in sorted(enums.items()):
        parts.append(_enum_section(name, body))
    return "\n".join(parts)


def _object_section(name: str, body: dict[str, Any]) -> str:
    required = set(body.get("required", []))
    rows = ["| Key | Type | Required | Description |", "| --- | --- | --- | --- |"]
    for key, field in body["properties"].items():
        description = field.get("description", "").replace("|", "\\|").replace("\n", " ")
        default = field.get("default")
        if default not in (None, [], {}):
            description += f" Default: `{default}`."
        rows.append(
            f"| `{key}` | {_type(field)} | {'yes' if key in required else ''} | {description} |"
        )
    doc = (body.get("description") or "").strip().split("\n\n")[0].replace("\n", " ")
    return f"### {name}\n\n{doc}\n\n" + "\n".join(rows) + "\n"


def _enum_section(name: str, body: dict[str, Any]) -> str:
    rows = ["| Value | Meaning |", "| --- | --- |"]
    for value, meaning in zip(body["enum"], body.get("enumDescriptions", []), strict=False):
        rows.append(f"| `{value}` | {meaning} |")
    return f"### {name}\n\n{body.get('description', '')}\n\n" + "\n".join(rows) + "\n"


def _type(field: dict[str, Any]) -> str:
    if "$ref" in field:
        target = field["$ref"].rsplit("/", 1)[-1]
        return f"[{target}](#{target.lower()})"
    if "anyOf" in field:
        kinds = [_type(option) for option in field["anyOf"] if option.get("type") != "null"]
        return " or ".join(kinds)
    kind = field.get("type", "any")
    if kind == "array":
        return f"list of {_type(field.get('items', {}))}"
    if field.get("format") == "date":
        return "date (YYYY-MM-DD)"
    bounds = [
        f"{op} {field[key]}" for key, op in (("minimum", "≥"), ("maximum", "≤")) if key in field
    ]
    return str(kind) + (f" ({', '.join(bounds)})" if bounds else "")


def write_reference(folder: Path) -> list[Path]:
    """Write every reference file into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in reference_files().items():
        write_text(folder / name, content)
        written.append(folder / name)
    return written


if __name__ == "__main__":
    for path in write_reference(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/reference")):
        print(f"wrote {path}")
