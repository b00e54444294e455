"""Golden SVG snapshots: any change to the drawn map shows up as a failing diff.

When a change is meant, look at the new pictures, then accept them with
``make golden`` (``CJM_UPDATE_GOLDEN=1 pytest tests/test_render_golden.py``) and commit the
updated files in tests/golden/ with the change that caused them.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from benchmarks.maps import large_map

from cjm import example_path, load_journey
from cjm.render import map_svg, read_analysis
from cjm.render.flow_graph import flow_svg
from tests.render_fixtures import full_analysis, subscription

GOLDEN = Path(__file__).with_name("golden")
UPDATE = os.environ.get("CJM_UPDATE_GOLDEN") == "1"

CASES: dict[str, Callable[[], str]] = {
    "map-subscription.svg": lambda: map_svg(subscription()),
    "map-subscription-evidence.svg": lambda: map_svg(
        subscription(), read_analysis(full_analysis())
    ),
    "map-repair-return.svg": lambda: map_svg(load_journey(example_path("repair-return"))),
    "map-large.svg": lambda: map_svg(large_map()),
    "flow-subscription.svg": lambda: flow_svg(
        subscription(), read_analysis(full_analysis()).transitions
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_svg_matches_its_golden_file(name: str) -> None:
    drawn = CASES[name]()
    path = GOLDEN / name
    if UPDATE:
        path.write_text(drawn, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    if drawn != expected:
        diff = difflib.unified_diff(
            expected.replace(">", ">\n").splitlines(),
            drawn.replace(">", ">\n").splitlines(),
            "golden",
            "drawn",
            lineterm="",
            n=1,
        )
        pytest.fail(
            f"{name} differs from its golden file (accept a meant change with 'make golden'):\n"
            + "\n".join(list(diff)[:40])
        )


def test_drawing_twice_gives_the_same_svg() -> None:
    assert map_svg(subscription()) == map_svg(subscription())
