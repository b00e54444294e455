"""The journey maps the VoC benchmark reads: valid, and the detailed one has the same stages,
so the reason-to-stage truth of ``benchmarks.voc_data`` holds for both."""

from __future__ import annotations

from pathlib import Path

import pytest

from cjm.model import check_file, load_journey

MAPS = Path(__file__).resolve().parents[1] / "benchmarks" / "voc"
TERSE, DETAILED = MAPS / "airline.yaml", MAPS / "airline-detailed.yaml"


@pytest.mark.parametrize("path", [TERSE, DETAILED], ids=lambda p: p.name)
def test_benchmark_map_has_no_errors(path: Path):
    assert [d.format() for d in check_file(path) if d.severity == "error"] == []


def test_detailed_map_has_the_same_stages_and_more_words():
    terse, detailed = load_journey(TERSE), load_journey(DETAILED)
    assert [s.id for s in detailed.stages] == [s.id for s in terse.stages]
    for short, long in zip(terse.stages, detailed.stages, strict=True):
        assert len(long.keywords) > len(short.keywords)
        assert len(long.thoughts) > len(short.thoughts)
    owners: dict[str, str] = {}
    for stage in detailed.stages:  # a keyword signals one stage only
        for keyword in [*stage.keywords, *(k for tp in stage.touchpoints for k in tp.keywords)]:
            assert owners.setdefault(keyword.lower(), stage.id) == stage.id, keyword
