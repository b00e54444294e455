"""Map files and the store: how long a large map takes to validate, save, push and diff.

The floor is parsing the same file with ruamel.yaml's plain safe loader, the least any YAML
tool must do; the ratios say what validation, round-trip and storage cost on top. Every row
runs without cjm's disk cache except the one that says it reads the map's data from it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ruamel.yaml import YAML

from benchmarks.timing import Measure, measure, table
from cjm.model import Journey, check_file, load_journey, read_document, save_journey
from cjm.model.io import dump_journey
from cjm.store import Store


def large_map(stages: int = 12, touchpoints: int = 40, pain_points: int = 30) -> Journey:
    """A deterministic map of the size a big programme draws: 12 stages, 40 touchpoints."""
    stage_ids = [f"stage-{i}" for i in range(stages)]
    data = {
        "id": "large",
        "name": "A large journey",
        "teams": [{"id": f"team-{i}", "name": f"Team {i}"} for i in range(6)],
        "stages": [
            {
                "id": stage_id,
                "name": f"Stage {i}",
                "customer_goal": "Get the thing done without calling anyone about it.",
                "actions": ["Reads the page", "Compares two options", "Asks a friend"],
                "emotion": (i % 5) - 2,
                "touchpoints": [
                    {
                        "id": f"tp-{t}",
                        "name": f"Touchpoint {t}",
                        "channel": ["web", "app", "phone", "email", "chat"][t % 5],
                        "owner": f"team-{t % 6}",
                        "events": {
                            "names": [f"event_{t}_a", f"event_{t}_b"],
                            "patterns": [f"tp{t}_*"],
                        },
                    }
                    for t in range(touchpoints)
                    if t % stages == i
                ],
            }
            for i, stage_id in enumerate(stage_ids)
        ],
        "pain_points": [
            {
                "id": f"pain-{p}",
                "name": f"Pain point {p}",
                "stage": stage_ids[p % stages],
                "owner_area": ["strategy", "process", "content", "technology"][p % 4],
                "priority": ["dissatisfier", "loyalty_inhibitor", "enhancer"][p % 3],
                "evidence": [{"source": "ticket", "summary": "Customers call back within a week."}],
            }
            for p in range(pain_points)
        ],
        "kpis": [
            {
                "id": f"kpi-{i}",
                "name": f"KPI {i}",
                "metric": "conversion",
                "stage": stage_id,
                "target": 0.6,
                "yellow": 0.5,
                "red": 0.4,
            }
            for i, stage_id in enumerate(stage_ids)
        ],
    }
    return Journey.model_validate(data)


@contextlib.contextmanager
def _cache_at(folder: Path) -> Iterator[None]:
    """cjm's disk cache in ``folder`` (none at all where it cannot be a folder)."""
    before = os.environ.get("CJM_CACHE_DIR")
    os.environ["CJM_CACHE_DIR"] = str(folder)
    try:
        yield
    finally:
        if before is None:
            del os.environ["CJM_CACHE_DIR"]
        else:
            os.environ["CJM_CACHE_DIR"] = before


def run() -> str:
    """Measure and return the Markdown section."""
    journey = large_map()
    with tempfile.TemporaryDirectory() as folder, _cache_at(Path(__file__) / "no-cache"):
        path = Path(folder) / "large.yaml"
        save_journey(journey, path)
        size_kib = path.stat().st_size / 1024
        floor = measure(
            "parse only (ruamel.yaml safe loader; the floor)",
            lambda: YAML(typ="safe").load(path.read_text(encoding="utf-8")),
        )
        document = read_document(path)
        edited = journey.model_copy(update={"name": "A larger journey"})
        rows: list[Measure] = [
            floor,
            measure("cjm validate (all errors and warnings)", lambda: check_file(path)),
            measure("load_journey", lambda: load_journey(path)),
        ]
        with _cache_at(Path(folder) / "cache"):
            rows.append(
                measure("load_journey, the map's data in cjm's cache", lambda: load_journey(path))
            )
        rows += [
            measure(
                "save keeping comments (round trip)",
                lambda: dump_journey(journey, "yaml", like=document),
            ),
        ]
        with Store(f"sqlite:///{Path(folder) / 'bench.db'}") as store:
            store.push(path, "first", author="bench")
            counter = iter(range(1, 10_000))

            def push_new() -> None:
                name = f"Large journey v{next(counter)}"
                save_journey(edited.model_copy(update={"name": name, "revision": None}), path)
                store.push(path, "edit", author="bench", force=True)

            rows += [
                measure("push a changed map (SQLite)", push_new),
                measure("push an identical map (no-op)", lambda: store.push(path, "same")),
                measure("pull the latest revision", lambda: store.pull("large")),
                measure("semantic diff of two revisions", lambda: store.diff("large")),
            ]
    return (
        "## Map files and the store\n\n"
        f"A generated map of 12 stages, 40 touchpoints and 30 pain points ({size_kib:.0f} KiB "
        "of YAML). Median of 7 runs; peak memory traced by Python.\n\n" + table(rows, floor) + "\n"
    )
