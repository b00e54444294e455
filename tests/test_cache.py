"""The disk cache: a value is made once for what it is made of, and a cache that cannot be
read or written is passed over; what it keeps of map files and compiled rules."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

import cjm
from cjm import cache
from cjm.analytics import sequences
from cjm.errors import InvalidMap
from cjm.examples.events import generate_events, write_events
from cjm.model import load_journey, read_document
from cjm.model.io import dump_journey, journey_from_document
from cjm.model.journey import Journey
from tests.test_files import COMMENTED


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CJM_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_a_value_is_made_once_for_what_it_is_made_of():
    made: list[str] = []

    def make(value: str) -> list[str]:
        made.append(value)
        return [value, "sql"]

    assert cache.remembered("test", ["a", "b"], lambda: make("first")) == ["first", "sql"]
    assert cache.remembered("test", ["a", "b"], lambda: make("second")) == ["first", "sql"]
    assert cache.remembered("test", ["a", "c"], lambda: make("third")) == ["third", "sql"]
    assert made == ["first", "third"]


def test_a_damaged_entry_is_made_again(own_cache: Path):
    cache.remembered("test", ["a"], lambda: "old")
    (entry,) = (own_cache / "test").iterdir()
    entry.write_text('{"value": "ol', encoding="utf-8")
    assert cache.remembered("test", ["a"], lambda: "new") == "new"
    assert cache.remembered("test", ["a"], lambda: "newer") == "new"  # written again


def test_a_cache_that_cannot_be_written_is_passed_over(own_cache: Path):
    own_cache.parent.mkdir(parents=True, exist_ok=True)
    own_cache.write_text("a file where the folder should be", encoding="utf-8")
    assert cache.remembered("test", ["a"], lambda: "made") == "made"
    assert cache.remembered("test", ["a"], lambda: "made again") == "made again"


def test_the_folder_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.delenv("CJM_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.folder() == tmp_path / "xdg" / "cjm"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache.folder() == Path.home() / ".cache" / "cjm"


def test_compiled_rules_come_from_the_cache_until_the_map_changes(
    monkeypatch: pytest.MonkeyPatch,
):
    journey = cjm.load_journey(cjm.example_path("subscription"))
    first = sequences.compile_rules(journey)
    compile_sql = sequences._rules_sql

    def refused(*args: object) -> str:
        raise AssertionError("compiled again")

    monkeypatch.setattr(sequences, "_rules_sql", refused)
    assert sequences.compile_rules(journey) == first
    data = journey.model_dump(mode="json", exclude_unset=True)
    data["stages"][0]["touchpoints"][0]["events"]["patterns"] = ["guide_*"]
    changed = Journey.model_validate(data)
    with pytest.raises(AssertionError, match="compiled again"):
        sequences.compile_rules(changed)
    monkeypatch.setattr(sequences, "_rules_sql", compile_sql)
    assert sequences.compile_rules(changed)[1] != first[1]


def test_an_analysis_with_the_rules_in_the_cache_runs_without_ibis(own_cache: Path, tmp_path: Path):
    """Ibis and SQLGlot load in a third of a CPU-second; the single pass needs them only to
    compile the rules, so with the rules in the cache an analysis does without them (a fresh
    interpreter each time: what one has imported stays)."""
    journey = cjm.load_journey(cjm.example_path("subscription"))
    events = write_events(generate_events(journey, customers=300), tmp_path / "e.parquet")
    code = (
        "import sys, cjm\n"
        "journey = cjm.load_journey(cjm.example_path('subscription'))\n"
        f"analysis = cjm.analyze(journey, {str(events)!r})\n"
        "print(analysis.inputs['rows'], sorted({'ibis', 'sqlglot'} & set(sys.modules)))\n"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
            env={**os.environ, "CJM_CACHE_DIR": str(own_cache)},
        ).stdout.split(maxsplit=1)
        for _ in range(2)
    ]
    assert runs[0][0] == runs[1][0] != "0"  # the same rows analysed
    assert runs[0][1].strip() == "['ibis', 'sqlglot']"  # compiled: the cache was empty
    assert runs[1][1].strip() == "[]"


def test_a_map_read_again_has_its_data_from_the_cache_and_its_tree_on_demand(tmp_path: Path):
    path = tmp_path / "m.yaml"
    path.write_text(COMMENTED, encoding="utf-8")
    first = read_document(path)
    again = read_document(path)
    assert first.parsed is not None
    assert again.parsed is None  # not parsed a second time
    assert again.data == first.data
    assert again.position(("stages", 1, "name")) == first.position(("stages", 1, "name")) == (10, 9)
    journey = journey_from_document(again)
    journey.stages[0].emotion = 2
    saved = dump_journey(journey, "yaml", like=again)
    assert saved == COMMENTED.replace("emotion: 1", "emotion: 2")


def test_a_map_json_does_not_carry_exactly_is_read_every_time(own_cache: Path, tmp_path: Path):
    path = tmp_path / "m.yaml"
    path.write_text(COMMENTED.replace("name: Checkout", "name: Checkout\nweight: .inf"), "utf-8")
    assert read_document(path).data["weight"] == math.inf  # JSON has no infinity
    assert read_document(path).parsed is not None  # parsed again: no entry
    assert not (own_cache / "maps").exists()


def test_an_invalid_map_reports_the_same_positions_when_its_data_are_cached(tmp_path: Path):
    path = tmp_path / "m.yaml"
    path.write_text(COMMENTED.replace("emotion: 1", "emotion: 7"), encoding="utf-8")
    reports = []
    for _ in range(2):
        with pytest.raises(InvalidMap) as caught:
            load_journey(path)
        reports.append([d.format() for d in caught.value.diagnostics])
    assert reports[0] == reports[1]
    assert ":8:" in reports[0][0]
    assert "emotion" in reports[0][0]


def test_a_malformed_map_is_never_kept(own_cache: Path, tmp_path: Path):
    path = tmp_path / "m.yaml"
    path.write_text("id: x\nname: [unclosed\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(InvalidMap, match="malformed YAML"):
            read_document(path)
    assert not (own_cache / "maps").exists()


def test_each_kind_keeps_its_newest_entries(own_cache: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(cache, "MAX_ENTRIES", 3)
    for n in range(5):
        cache.remembered("test", [str(n)], lambda n=n: n)  # type: ignore[misc]
        entry = max((own_cache / "test").iterdir(), key=lambda p: p.stat().st_mtime_ns)
        os.utime(entry, ns=(n * 10**9, n * 10**9))  # distinct times, in order
    kept = sorted(json.loads(p.read_text())["value"] for p in (own_cache / "test").iterdir())
    assert kept == [2, 3, 4]
