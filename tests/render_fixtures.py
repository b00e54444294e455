"""Shared inputs of the render tests: the bundled maps, a large map, and a full analysis.

``tests/data/subscription-analysis.json`` is an analysis of the demo log with the sections
later analyses add (feedback, detected pain points, KPI values, JPI) written by hand after
ARCHITECTURE.md section 2, so the lanes and lights for them are drawn and tested now.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from cjm import example_path, load_journey
from cjm.model.journey import Journey

DATA = Path(__file__).with_name("data")
FULL_ANALYSIS = DATA / "subscription-analysis.json"


def full_analysis() -> dict[str, Any]:
    """The hand-completed analysis of the subscription demo."""
    return dict(json.loads(FULL_ANALYSIS.read_text(encoding="utf-8")))


def subscription() -> Journey:
    return load_journey(example_path("subscription"))


def analysis_folder(target: Path, document: dict[str, Any] | None = None) -> Path:
    """A folder as 'cjm demo' leaves it: analysis.json beside the map it was made with."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(example_path("subscription"), target / "subscription.yaml")
    text = json.dumps(document or full_analysis(), ensure_ascii=False)
    (target / "analysis.json").write_text(text, encoding="utf-8")
    return target
