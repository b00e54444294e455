"""Synthetic feedback for any journey map, for the demo, tests and docs.

Each item is written from the map's own words (the stage's thoughts, its touchpoints and
keywords) with a mood drawn from the stage's designed emotion, so the measured emotion curve
follows the designed one. Survey answers (CSAT, NPS, CES) agree with the mood. Given
``moments`` (customer, timestamp, stage) from an event log, items belong to those customers a
few minutes later, so cjm can place them by the events; the rest are public reviews and
social posts with no customer. A few items are empty, in HTML, in Spanish or repeated, as in
real exports. The same seed always gives the same file.

>>> import cjm
>>> table = generate_feedback(cjm.load_journey(cjm.example_path("subscription")), items=20)
>>> table.num_rows, table.column_names[:4]
(20, ['feedback_id', 'text', 'source', 'timestamp'])
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv

from cjm.analytics.tables import events_table
from cjm.analytics.touchpoints import map_touchpoints
from cjm.evidence.events import EventLog
from cjm.model.journey import Journey, Stage

START = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
Moment = tuple[str, dt.datetime, str]  # customer, when, stage
_BAD = ("slow", "confusing", "broken", "a mess", "frustrating", "useless")
_GOOD = ("quick", "easy", "clear", "great", "helpful", "smooth")
_NEGATIVE = (
    "{thought}",
    "The {tp} was {bad}. {thought}",
    "Really disappointed with the {tp}: {kw} was {bad} and nobody helped.",
    "Terrible experience with {kw}. The {tp} is {bad}.",
)
_POSITIVE = (
    "The {tp} was {good}, thank you!",
    "Loved how {good} the {tp} was. {kw} just worked.",
    "Great experience with {kw}, the {tp} was {good}.",
)
_NEUTRAL = ("I used the {tp} for {kw} today.", "Question about {kw} on the {tp}.")
_SPANISH = "El servicio fue muy lento y nadie me ayudó con el problema."


def generate_feedback(
    journey: Journey, *, items: int = 1_000, moments: Sequence[Moment] = (), seed: int = 7
) -> pa.Table:
    """A feedback table in the canonical columns; see the module docstring."""
    rng = np.random.default_rng(seed)
    stages = {stage.id: stage for stage in journey.stages}
    rows = []
    for n in range(items):
        if n < len(moments) and n % 2 == 0:
            customer, when, stage_id = moments[n]
            source, at, given = "survey", when + dt.timedelta(minutes=5), None
            stage = stages[stage_id]
        else:
            stage = journey.stages[int(rng.integers(len(journey.stages)))]
            customer, source = None, ("review", "social", "chat")[n % 3]
            at, given = START + dt.timedelta(hours=float(rng.uniform(0, 24 * 90))), None
        mood = _mood(stage, rng)
        rows.append(_row(n, stage, mood, customer, source, at, given, rng))
    _mess_up(rows)
    return pa.Table.from_pylist(rows)


def write_feedback(table: pa.Table, path: str | Path) -> Path:
    """Write the table as CSV; return the path."""
    path = Path(path)
    pa_csv.write_csv(table, path)
    return path


def feedback_moments(log: EventLog, journey: Journey, count: int = 2_000) -> list[Moment]:
    """A seeded sample of (customer, time, stage) of mapped events in the log."""
    mapped = map_touchpoints(events_table(log), journey)
    mapped = mapped.filter(mapped.stage.notnull()).order_by(["customer_id", "timestamp", "seq"])
    rows = mapped.select("customer_id", "timestamp", "stage").to_pyarrow().to_pylist()
    picked = np.random.default_rng(11).choice(len(rows), size=min(count, len(rows)), replace=False)
    return [(rows[i]["customer_id"], rows[i]["timestamp"], rows[i]["stage"]) for i in picked]


def _mood(stage: Stage, rng: np.random.Generator) -> int:
    """-1, 0 or 1, more often negative where the designed emotion is low."""
    designed = stage.emotion if stage.emotion is not None else 0
    negative = 0.45 - 0.17 * designed
    positive = 0.3 + 0.13 * designed
    return int(rng.choice([-1, 0, 1], p=[negative, 1 - negative - positive, positive]))


def _row(
    n: int,
    stage: Stage,
    mood: int,
    customer: str | None,
    source: str,
    at: dt.datetime,
    given: str | None,
    rng: np.random.Generator,
) -> dict[str, object]:
    def pick(options: Sequence[str]) -> str:
        return options[int(rng.integers(len(options)))]

    touchpoint = pick([tp.name.lower() for tp in stage.touchpoints] or [stage.name.lower()])
    words = {
        "tp": touchpoint,
        "kw": pick(stage.keywords or [stage.name]),
        "thought": pick(stage.thoughts or [f"The {touchpoint} was a mess."]),
        "bad": pick(_BAD),
        "good": pick(_GOOD),
    }
    template = pick({-1: _NEGATIVE, 0: _NEUTRAL, 1: _POSITIVE}[mood])
    survey = source == "survey"
    csat = {-1: (1, 2), 0: (3, 3), 1: (4, 5)}[mood]
    nps = {-1: (0, 6), 0: (7, 8), 1: (9, 10)}[mood]
    ces = {-1: (5, 7), 0: (3, 4), 1: (1, 2)}[mood]
    return {
        "feedback_id": f"fb{n:05d}",
        "text": template.format(**words),
        "source": source,
        "timestamp": at.isoformat(),
        "customer_id": customer,
        "csat": int(rng.integers(csat[0], csat[1] + 1)) if survey else None,
        "nps": int(rng.integers(nps[0], nps[1] + 1)) if survey else None,
        "ces": int(rng.integers(ces[0], ces[1] + 1)) if survey else None,
        "stage": given,
    }


def _mess_up(rows: list[dict[str, object]]) -> None:
    """A few items as real exports have them: empty, HTML, another language, repeated."""
    for n in range(3, len(rows), 97):
        rows[n]["text"] = ""
    for n in range(5, len(rows), 89):
        rows[n]["text"] = f"<p>{rows[n]['text']}</p><br/>"
    for n in range(11, len(rows), 211):
        rows[n]["text"] = _SPANISH
    for n in range(13, len(rows), 301):
        rows[n] = {**rows[n - 1], "feedback_id": rows[n - 1]["feedback_id"]}
