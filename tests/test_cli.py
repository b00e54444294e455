"""The ``cjm`` command: thin over the library, clear errors, exit 1, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cjm import __version__
from cjm.model import journey_schema, load_journey


def _init(cli, name: str = "Pro Plan Onboarding") -> Path:  # type: ignore[no-untyped-def]
    result = cli("init", name, "--stages", "awareness")
    assert result.code == 0, result.err
    return Path("pro-plan-onboarding.yaml")


def test_python_dash_m_works_like_the_command():
    done = subprocess.run(
        [sys.executable, "-m", "cjm", "--version"], capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout) == (0, f"cjm {__version__}\n")


def test_init_writes_a_template_that_validates(cli, workdir: Path):
    result = cli("init", "Pro Plan Onboarding", "--stages", "awareness")
    assert result.out == (
        "Created pro-plan-onboarding.yaml: journey 'pro-plan-onboarding' with 6 stages.\n"
        "Next: fill it in, then run 'cjm validate pro-plan-onboarding.yaml' to see what it "
        "still lacks.\n"
    )
    assert [s.id for s in load_journey("pro-plan-onboarding.yaml").stages][3] == "onboarding"
    validated = cli("validate", "pro-plan-onboarding.yaml")
    assert validated.code == 0
    assert validated.out.splitlines()[-1] == "0 errors, 7 warnings in 1 file"


def test_init_refuses_to_overwrite(cli, workdir: Path):
    _init(cli)
    again = cli("init", "Pro Plan Onboarding")
    assert again.code == 1
    assert again.err == (
        "Error: pro-plan-onboarding.yaml exists already\n\n"
        "use --force to overwrite it, or -o to write somewhere else\n"
    )


def test_validate_strict_turns_warnings_into_failure(cli, workdir: Path):
    path = _init(cli)
    assert cli("validate", "--strict", str(path)).code == 1


def test_validate_reports_every_file_and_exits_1_on_errors(cli, workdir: Path):
    good = _init(cli)
    Path("bad.yaml").write_text("id: x\nname: X\nstages: []\n", encoding="utf-8")
    result = cli("validate", str(good), "bad.yaml")
    assert result.code == 1
    assert "bad.yaml:3:1: error: stages: 'stages' must not be empty — give a stage here" in (
        result.out
    )
    assert result.out.splitlines()[-1] == "1 error, 7 warnings in 2 files"


def test_validate_json_output_for_tools(cli, workdir: Path):
    Path("bad.yaml").write_text("id: x\nname: X\nstages: []\n", encoding="utf-8")
    rows = json.loads(cli("validate", "--format", "json", "bad.yaml").out)
    assert rows == [
        {
            "file": "bad.yaml",
            "line": 3,
            "column": 1,
            "severity": "error",
            "path": "stages",
            "message": "'stages' must not be empty",
            "hint": "give a stage here",
        }
    ]


@pytest.mark.parametrize("content", [b"\x00\x01\x02binary", b"\xff\xfe\xfa", b"{{{{", b""])
def test_validate_never_shows_a_traceback_on_garbage(cli, workdir: Path, content: bytes):
    Path("x.yaml").write_bytes(content)
    result = cli("validate", "x.yaml")
    assert result.code == 1
    assert "Traceback" not in result.out + result.err
    assert result.out.startswith("x.yaml")


def test_schema_prints_the_json_schema(cli, workdir: Path):
    result = cli("schema")
    assert json.loads(result.out) == journey_schema()


def test_push_log_show_pull_diff_round(cli, workdir: Path):
    path = _init(cli)
    assert cli("push", str(path), "-m", "first").out.startswith(
        "Stored revision 1 of 'pro-plan-onboarding' ("
    )
    path.write_text(path.read_text().replace("name: Retention", "name: Staying"), "utf-8")
    assert cli("push", str(path), "-m", "rename").code == 0
    assert cli("push", str(path), "-m", "again").out == (
        "Nothing to push: pro-plan-onboarding.yaml is identical to revision 2 of "
        "'pro-plan-onboarding'.\n"
    )
    log = cli("log", "pro-plan-onboarding").out
    assert "rename" in log
    assert "tester" in log
    assert cli("diff", "pro-plan-onboarding").out == (
        "stage 'retention' name Retention → Staying\n"
    )
    assert cli("diff", "pro-plan-onboarding", "2", "1").out == (
        "stage 'retention' name Staying → Retention\n"
    )
    shown = cli("show", "pro-plan-onboarding", "--rev", "1")
    assert "Pro Plan Onboarding (pro-plan-onboarding) · revision 1 by tester" in shown.out
    assert "Retention" in shown.out
    pulled = cli("pull", "pro-plan-onboarding", "--rev", "1", "-o", "old.yaml")
    assert pulled.out == "Wrote revision 1 of 'pro-plan-onboarding' to old.yaml\n"
    assert load_journey("old.yaml").revision == 1


def test_diff_against_a_file_shows_what_a_push_would_change(cli, workdir: Path):
    path = _init(cli)
    cli("push", str(path), "-m", "first")
    path.write_text(path.read_text().replace("name: Advocacy", "name: Referral"), "utf-8")
    assert cli("diff", "pro-plan-onboarding", "1", str(path)).out == (
        "stage 'advocacy' name Advocacy → Referral\n"
    )


def test_stale_push_is_refused_with_what_to_do(cli, workdir: Path):
    path = _init(cli)
    cli("push", str(path), "-m", "first")
    Path("copy.yaml").write_text(path.read_text(), "utf-8")
    path.write_text(path.read_text().replace("name: Advocacy", "name: Referral"), "utf-8")
    cli("push", str(path), "-m", "second")
    Path("copy.yaml").write_text(
        Path("copy.yaml").read_text().replace("name: Awareness", "name: Aware"), "utf-8"
    )
    result = cli("push", "copy.yaml", "-m", "mine")
    assert result.code == 1
    assert result.err.startswith(
        "Error: the store has moved on: this file was edited from revision 1 of "
        "'pro-plan-onboarding', but the latest is revision 2 (1 newer, by tester)\n\n"
    )
    forced = cli("push", "copy.yaml", "-m", "mine", "--force")
    assert forced.out == (
        "Stored revision 3 of 'pro-plan-onboarding' ("
        + forced.out.split("(")[1].split(")")[0]
        + ").\nForced: it replaces the changes of revision(s) 2 (by tester); they stay in the "
        "history: cjm show pro-plan-onboarding --rev N\n"
    )


def test_push_of_an_invalid_map_lists_its_errors(cli, workdir: Path):
    Path("bad.yaml").write_text("id: x\nname: X\nstages:\n  - {id: a, name: A, emotion: 4}\n")
    result = cli("push", "bad.yaml", "-m", "try")
    assert result.code == 1
    assert result.err == "Error: bad.yaml: 4 is out of range: 'emotion' must be ≤ 2\n"
    assert not Path("cjm.db").exists() or cli("log").out.count("x ") == 0


def test_reading_commands_without_a_store_say_how_to_start(cli, workdir: Path):
    result = cli("log")
    assert (result.code, result.err) == (
        1,
        "Error: no store at cjm.db\n\npush a map first (cjm push FILE -m MESSAGE), or set "
        "CJM_DATABASE_URL\n",
    )
    assert not Path("cjm.db").exists()


def test_usage_errors_exit_1(cli, workdir: Path):
    result = cli("push")
    assert result.code == 1
    assert "Missing argument" in result.err


def test_a_bad_database_url_is_explained(cli, workdir: Path):
    result = cli("log", "--database", "mysql://x@y/z")
    assert result.err == (
        "Error: unsupported database 'mysql' in mysql://x@y/z\n\n"
        "cjm stores maps in SQLite (the default) or PostgreSQL\n"
    )


def test_show_accepts_a_file(cli, workdir: Path):
    path = _init(cli)
    result = cli("show", str(path))
    assert result.code == 0
    assert "7 warning(s): run 'cjm validate' for details" in result.out


def test_show_prints_brackets_in_names_literally(cli, workdir: Path):
    Path("m.yaml").write_text(
        "id: m\nname: M\nstages:\n  - id: a\n    name: '[bold]Buy[/bold]'\n"
        "    touchpoints:\n      - {id: t, name: Cart, channel: web}\n",
        encoding="utf-8",
    )
    out = cli("show", "m.yaml").out
    assert "[bold]Buy[/bold]" in out
    assert "Cart (web)" in out


def test_an_in_memory_store_is_refused(cli, workdir: Path):
    path = _init(cli)
    result = cli("push", str(path), "-m", "x", "--database", "sqlite://")
    assert result.err == (
        "Error: an in-memory store keeps nothing after the command ends\n\n"
        "give a file, e.g. sqlite:///cjm.db\n"
    )
    assert "revision:" not in path.read_text()


def test_schema_refuses_to_overwrite_a_map(cli, workdir: Path):
    path = _init(cli)
    before = path.read_text()
    assert cli("schema", "-o", str(path)).err.startswith(
        "Error: pro-plan-onboarding.yaml does not end in .json"
    )
    Path("s.json").write_text("{}")
    assert cli("schema", "-o", "s.json").code == 1
    assert cli("schema", "-o", "s.json", "--force").code == 0
    assert path.read_text() == before


def test_demo_refuses_to_overwrite_an_edited_map(cli, workdir: Path):
    first = cli("demo")
    assert first.code == 0
    assert first.out.rstrip().endswith(f"Wrote the report: {Path('cjm-demo', 'report.html')}")
    assert Path("cjm-demo/report.pdf").read_bytes()[:5] == b"%PDF-"
    demo = Path("cjm-demo/subscription.yaml")
    demo.write_text(demo.read_text() + "# my notes\n")
    result = cli("demo")
    assert result.code == 1
    assert "differs from the bundled demo map" in result.err
    assert demo.read_text().endswith("# my notes\n")


def test_diff_with_one_file_shows_what_a_push_would_change(cli, workdir: Path):
    path = _init(cli)
    cli("push", str(path), "-m", "first")
    path.write_text(path.read_text().replace("name: Advocacy", "name: Referral"), "utf-8")
    assert cli("diff", "pro-plan-onboarding", str(path)).out == (
        "stage 'advocacy' name Advocacy → Referral\n"
    )


@pytest.mark.parametrize("rev", ["0", "-1", "99999999999999999999"])
def test_out_of_range_revisions_are_usage_errors(cli, workdir: Path, rev: str):
    result = cli("show", "x", "--rev", rev)
    assert result.code == 1
    assert "Traceback" not in result.err


def test_a_superscript_digit_is_not_a_revision(cli, workdir: Path):
    cli("push", str(_init(cli)), "-m", "first")
    result = cli("diff", "pro-plan-onboarding", "²")
    assert result.err.startswith("Error: '²' is neither a revision number nor a map file")


@pytest.mark.parametrize(
    ("given", "seen"),
    [({}, "1"), ({"OPENBLAS_NUM_THREADS": "4"}, "4"), ({"OMP_NUM_THREADS": "3"}, "unset")],
)
def test_the_command_uses_one_blas_thread_unless_told_otherwise(given: dict[str, str], seen: str):
    environment = {
        k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")
    }
    code = "import cjm.cli.app, os; print(os.environ.get('OPENBLAS_NUM_THREADS', 'unset'))"
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**environment, **given},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == seen
