"""The disk cache: a value is made once for what it is made of, and a cache that cannot be
read or written is passed over."""

from __future__ import annotations

from pathlib import Path

import pytest

import cjm
from cjm.analytics import cache, sequences
from cjm.model.journey import Journey


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
