"""Docs that cannot drift: the reference is generated, the README's examples are run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cjm.cli.app import app
from cjm.cli.reference import reference_files
from cjm.model import journey_schema

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(reference_files()))
def test_generated_reference_is_up_to_date(name: str):
    committed = (ROOT / "docs" / "reference" / name).read_text(encoding="utf-8")
    assert committed == reference_files()[name], f"docs/reference/{name} is stale: run make docs"


def test_every_field_of_the_file_format_is_described():
    schema = journey_schema()
    objects = {"Journey": schema} | {
        name: body for name, body in schema["$defs"].items() if "properties" in body
    }
    undocumented = [
        f"{name}.{key}"
        for name, body in objects.items()
        for key, field in body["properties"].items()
        if not field.get("description")
    ]
    assert undocumented == []


def test_the_user_guide_covers_every_command():
    guide = (ROOT / "docs" / "user-guide.md").read_text(encoding="utf-8")
    commands = [command.name or command.callback.__name__ for command in app.registered_commands]
    missing = [name for name in commands if f"cjm {name}" not in guide]
    assert missing == []


def test_readme_starts_with_the_two_commands():
    block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert block is not None
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    assert commands == ["make run", "make test"]


def test_readme_init_and_validate_examples_are_what_cjm_prints(cli, workdir: Path):
    init = cli("init", "Pro plan onboarding", "--stages", "awareness")
    assert init.out in README
    first_warnings = cli("validate", "pro-plan-onboarding.yaml").out.splitlines()[:2]
    today = re.search(r"last_validated: (\d{4}-\d\d-\d\d)", first_warnings[0])
    assert today is not None
    for line in first_warnings:
        assert line.replace(today.group(1), "2026-11-23") in README


def test_readme_broken_map_example_is_what_cjm_prints(cli, workdir: Path):
    broken = re.search(r"```yaml\n(.*?)```", README, re.S)
    shown = re.search(r"\$ cjm validate broken.yaml\n(.*?)```", README, re.S)
    assert broken is not None
    assert shown is not None
    Path("broken.yaml").write_text(broken.group(1), encoding="utf-8")
    assert cli("validate", "broken.yaml").out == shown.group(1)
