"""``understand``: feedback and a journey map in; each item read, each stage summarised.

For every item with an English text: sentiment and emotion; stage and touchpoint (the
``stage`` column when the file gives one, else the event log's as-of placement, else the text
zero-shot on the map's vocabulary, with a confidence; ``None`` is *unassigned*); for negative
items, pain-point category and kind; themes group the negative items of each stage. Per stage:
the measured emotion curve (mean sentiment with a 95% interval and n), CSAT, NPS and CES with
their intervals, and the top themes.

>>> import cjm
>>> from cjm.examples.feedback import generate_feedback, write_feedback
>>> import tempfile, pathlib
>>> journey = cjm.load_journey(cjm.example_path("subscription"))
>>> path = write_feedback(generate_feedback(journey, items=60),
...                       pathlib.Path(tempfile.mkdtemp()) / "fb.csv")
>>> result = understand(path, journey)
>>> [s["stage"] for s in result.to_json()["stages"]][:2]
['awareness', 'consideration']
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
from threadpoolctl import threadpool_limits

from cjm.evidence.events import EventLog
from cjm.evidence.feedback import Feedback, FeedbackColumns, FeedbackItem, read_feedback
from cjm.model.files import write_json
from cjm.model.journey import Journey
from cjm.voc.categories import category_labels, kind_labels
from cjm.voc.emotion import emotions
from cjm.voc.encoder import Encoder, EncoderName, StaticEncoder, Vectors, get_encoder
from cjm.voc.labels import Labels, read_labels, with_examples
from cjm.voc.placement import place_by_events
from cjm.voc.scores import mean_interval, nps
from cjm.voc.sentiment import Sentiment, SentimentModel, read_shares
from cjm.voc.themes import find_themes
from cjm.voc.vocabulary import (
    MIN_SCORE,
    Assignment,
    Label,
    ZeroShot,
    stage_labels,
    touchpoint_labels,
)

TOP_THEMES = 5
CATEGORY_MIN_SCORE = 0.2
SOCIAL = "social"  # the source whose items minilm's fine-tuned sentiment reads


@dataclass(frozen=True)
class ItemResult:
    """What cjm read in one feedback item."""

    feedback_id: str
    stage: str | None
    stage_source: str | None  # given | events | text
    stage_confidence: float
    touchpoint: str | None
    sentiment: str | None
    score: float | None
    emotion: str | None
    category: str | None
    kind: str | None
    theme: str | None


@dataclass(frozen=True)
class FeedbackAnalysis:
    """The items read one by one, and the per-stage summary."""

    feedback: Feedback
    encoder: str
    sentiment_model: str
    results: list[ItemResult]
    stages: list[dict[str, Any]]
    unassigned: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """The ``feedback`` key of ``analysis.json``."""
        fb = self.feedback
        return {
            "source": fb.source,
            "rows": fb.rows,
            "items": len(fb.items),
            "encoder": self.encoder,
            "sentiment_model": self.sentiment_model,
            "bad_rows": dataclasses.asdict(fb.bad),
            "report": dataclasses.asdict(fb.report),
            "placed_by": dict(Counter(r.stage_source or "unassigned" for r in self.results)),
            "sentiment": dict(Counter(r.sentiment for r in self.results if r.sentiment)),
            "stages": self.stages,
            "unassigned": self.unassigned,
            "file": "feedback_items.csv",
        }

    def write(self, folder: str | Path) -> Path:
        """Write ``feedback.json`` and ``feedback_items.csv`` into ``folder``; return the first."""
        path = write_json(folder, "feedback.json", self.to_json())
        pa_csv.write_csv(self.table(), path.parent / "feedback_items.csv")
        return path

    def table(self) -> pa.Table:
        """One row per item (written beside analysis.json as feedback_items.csv)."""
        if not self.results:
            return pa.table({"feedback_id": []})
        names = [f.name for f in dataclasses.fields(ItemResult)]
        return pa.table({name: list(map(attrgetter(name), self.results)) for name in names})


def understand(
    feedback: Feedback | str | Path,
    journey: Journey,
    *,
    columns: FeedbackColumns | None = None,
    events: EventLog | None = None,
    labels: Labels | str | Path | None = None,
    encoder: EncoderName = "static",
    fast: bool = False,
) -> FeedbackAnalysis:
    """Read every item and summarise per stage; see the module docstring.

    ``fast`` is for large volumes: sentiment without the VADER lexicon, no self-training of
    the stage on the batch, and no touchpoint, category or kind (stage, sentiment, emotion and
    themes remain). ``encoder="minilm"`` reads with the transformer itself, and the sentiment
    of items whose source is ``social`` with its fine-tuned copies
    (:mod:`cjm.voc.sentiment_minilm`).
    """
    if not isinstance(feedback, Feedback):
        feedback = read_feedback(feedback, columns)
    examples = read_labels(labels) if isinstance(labels, str | Path) else (labels or {})
    # One BLAS thread: the products here are small, so a second thread gains little, and
    # when another process holds the other core each threaded product waits for it (k-means
    # took 5.4 s instead of 0.2 s in a busy 2-core run).
    with threadpool_limits(limits=1, user_api="blas"):
        return _understand(feedback, journey, events, examples, encoder, fast)


def _understand(
    feedback: Feedback,
    journey: Journey,
    events: EventLog | None,
    examples: Labels,
    encoder: EncoderName,
    fast: bool,
) -> FeedbackAnalysis:
    batch = _Batch.read(feedback.items, get_encoder(encoder), fast)
    teach = _Teacher(batch.model, examples, refine=not fast)
    stages, touchpoints = _place_texts(batch, journey, teach, fast)
    complaints = _read_complaints(batch, teach, fast)
    placed = place_by_events(feedback.items, events, journey) if events is not None else {}
    readings = _read_items(batch, journey, placed, stages, touchpoints, complaints)
    themes = _themes(readings, feedback.items, batch.vectors, batch.readable)
    results = readings.results()
    by_stage: dict[str | None, list[tuple[FeedbackItem, ItemResult]]] = {}
    for item, result in zip(feedback.items, results, strict=True):
        by_stage.setdefault(result.stage, []).append((item, result))
    summaries = [
        _stage_summary(s.id, s.name, by_stage.get(s.id, []), themes) for s in journey.stages
    ]
    unassigned = _stage_summary(None, "unassigned", by_stage.get(None, []), themes)
    return FeedbackAnalysis(
        feedback, batch.model.name, batch.sentiment_model, results, summaries, unassigned
    )


@dataclass(frozen=True)
class _Batch:
    """The items, which of them the English models read, their vectors and sentiment."""

    items: list[FeedbackItem]
    model: Encoder
    readable: list[int]  # indices into items
    texts: list[str]  # one per readable item
    vectors: Vectors
    moods: list[Sentiment]
    sentiment_model: str  # linear, linear-fast or minilm-tuned-social

    @classmethod
    def read(cls, items: list[FeedbackItem], model: Encoder, fast: bool) -> _Batch:
        readable = [i for i, item in enumerate(items) if item.text and item.language == "en"]
        texts = [items[i].text or "" for i in readable]
        reader = "linear-fast" if fast else "linear"
        if isinstance(model, StaticEncoder):  # tokenize once for the embedding and sentiment
            tokens = model.tokenize(texts)
            vectors = model.pool(tokens)
            moods = SentimentModel.load(fast).predict(texts, vectors, tokens)
        elif fast:
            vectors = model.encode(texts)
            moods = SentimentModel.load(fast).predict(texts)
        else:
            vectors, reader = model.encode(texts), "minilm-tuned-social"
            moods = _read_social(texts, [items[i].source for i in readable])
        return cls(items, model, readable, texts, vectors, moods, reader)

    @property
    def negative(self) -> list[int]:
        """Rows (into texts) read as negative: the complaints."""
        return [n for n, mood in enumerate(self.moods) if mood.label == "negative"]


def _read_social(texts: list[str], sources: list[str]) -> list[Sentiment]:
    """The minilm encoder's sentiment: social posts read by the fine-tuned MiniLM copies
    (trained on tweets: better than the linear model on them, worse on product reviews; see
    :mod:`cjm.voc.sentiment_minilm`), every other source by the linear model."""
    from cjm.voc.sentiment_minilm import TunedSentimentModel

    shares = SentimentModel.load().probabilities(texts)
    social = [n for n, source in enumerate(sources) if source == SOCIAL]
    if social:
        shares[social] = TunedSentimentModel.load().probabilities(
            [texts[n] for n in social], shares[social]
        )
    return read_shares(shares)


@dataclass(frozen=True)
class _Teacher:
    """Builds the zero-shot model of a task: the vocabulary plus the user's examples."""

    model: Encoder
    examples: Labels
    refine: bool

    def __call__(self, base: list[Label], task: str, min_score: float | None = None) -> ZeroShot:
        extended = with_examples(base, self.examples.get(task, {}))
        floor = MIN_SCORE if min_score is None else min_score
        return ZeroShot(extended, self.model, floor, refine=self.refine)


def _place_texts(
    batch: _Batch, journey: Journey, teach: _Teacher, fast: bool
) -> tuple[dict[int, Assignment], dict[int, Assignment]]:
    """Stage and touchpoint read from each text (keys: indices into items)."""
    found = teach(stage_labels(journey), "stage").predict(batch.texts, batch.vectors)
    stages = _by_index(batch.readable, found)
    if fast:
        return stages, {}
    found = teach(touchpoint_labels(journey), "touchpoint").predict(batch.texts, batch.vectors)
    return stages, _by_index(batch.readable, found)


def _read_complaints(
    batch: _Batch, teach: _Teacher, fast: bool
) -> dict[int, tuple[Assignment, Assignment]]:
    """Category and kind of each negative text (keys: rows into the batch's texts)."""
    negative = batch.negative
    if fast:
        return {}
    texts, vectors = [batch.texts[n] for n in negative], batch.vectors[negative]
    floor = CATEGORY_MIN_SCORE
    cats = teach(category_labels(), "category", floor).predict(texts, vectors)
    kinds = teach(kind_labels(), "kind", floor).predict(texts, vectors)
    return {n: (c, k) for n, c, k in zip(negative, cats, kinds, strict=True)}


@dataclass(frozen=True)
class _Readings:
    """Each item's position, sentiment and complaint, column by column (before themes)."""

    items: list[FeedbackItem]
    positions: list[tuple[str | None, str | None, float, str | None]]
    moods: list[Sentiment | None]
    emotions: list[str | None]
    complaints: list[tuple[str | None, str | None]]
    themes: list[str | None]

    def results(self) -> list[ItemResult]:
        """One result per item, with the theme each was given."""
        return [
            ItemResult(
                item.feedback_id, stage, source, confidence, touchpoint,
                mood.label if mood else None, mood.score if mood else None,
                feeling, category, kind, theme,
            )
            for item, (stage, source, confidence, touchpoint), mood, feeling, (category, kind),
            theme in zip(
                self.items, self.positions, self.moods, self.emotions, self.complaints,
                self.themes, strict=True,
            )
        ]  # fmt: skip


def _read_items(
    batch: _Batch,
    journey: Journey,
    placed: dict[str, tuple[str, str]],
    stages: dict[int, Assignment],
    touchpoints: dict[int, Assignment],
    complaints: dict[int, tuple[Assignment, Assignment]],
) -> _Readings:
    """Where each item sits on the journey and what it says."""
    stage_of_tp = {tp.id: stage.id for stage, tp in journey.touchpoints()}
    count = len(batch.items)
    moods: list[Sentiment | None] = [None] * count
    feelings: list[str | None] = [None] * count
    found = emotions(batch.texts, [m.label for m in batch.moods], [m.score for m in batch.moods])
    kinds: list[tuple[str | None, str | None]] = [(None, None)] * count
    for n, i in enumerate(batch.readable):
        moods[i], feelings[i] = batch.moods[n], found[n]
    for n, (cat, kind) in complaints.items():
        kinds[batch.readable[n]] = (cat.label, kind.label)
    positions = [
        _position(item, placed, stages.get(i), touchpoints.get(i), stage_of_tp)
        for i, item in enumerate(batch.items)
    ]
    return _Readings(batch.items, positions, moods, feelings, kinds, [None] * count)


def _by_index(indices: Sequence[int], found: list[Assignment]) -> dict[int, Assignment]:
    return dict(zip(indices, found, strict=True))


def _position(
    item: FeedbackItem,
    placed: dict[str, tuple[str, str]],
    stage: Assignment | None,
    touchpoint: Assignment | None,
    stage_of_tp: dict[str, str],
) -> tuple[str | None, str | None, float, str | None]:
    """(stage, how it was found, confidence, touchpoint): given, then events, then text."""
    if item.stage:
        return item.stage, "given", 1.0, item.touchpoint
    if item.touchpoint in stage_of_tp:
        return stage_of_tp[item.touchpoint], "given", 1.0, item.touchpoint
    if item.feedback_id in placed:
        found_stage, found_tp = placed[item.feedback_id]
        return found_stage, "events", 1.0, found_tp
    if stage is None or stage.label is None:
        return None, None, 0.0, None
    tp = touchpoint.label if touchpoint and touchpoint.label else None
    tp = tp if tp and stage_of_tp.get(tp) == stage.label else None
    return stage.label, "text", stage.confidence, tp


def _themes(
    readings: _Readings, items: list[FeedbackItem], vectors: Vectors, readable: list[int]
) -> dict[str | None, list[dict[str, Any]]]:
    """Themes of the negative items of each stage, by stage; each item's theme is set in
    ``readings.themes``."""
    row = {i: n for n, i in enumerate(readable)}
    by_stage: dict[str | None, list[int]] = {}
    for i, (mood, position) in enumerate(zip(readings.moods, readings.positions, strict=True)):
        if mood is not None and mood.label == "negative":
            by_stage.setdefault(position[0], []).append(i)
    summary: dict[str | None, list[dict[str, Any]]] = {}
    for stage, members in by_stage.items():
        texts = [items[i].text or "" for i in members]
        found = find_themes(texts, vectors[[row[i] for i in members]])
        summary[stage] = []
        for theme in found:
            chosen = [members[m] for m in theme.members]
            for i in chosen:
                readings.themes[i] = theme.label
            summary[stage].append({
                "label": theme.label, "keywords": theme.keywords, "count": theme.count,
                "quotes": theme.quotes,
                "category": _most_common([readings.complaints[i][0] for i in chosen]),
                "kind": _most_common([readings.complaints[i][1] for i in chosen]),
                "touchpoint": _most_common([readings.positions[i][3] for i in chosen]),
            })  # fmt: skip
    return summary


def _most_common(values: list[str | None]) -> str | None:
    counted = Counter(v for v in values if v)
    return counted.most_common(1)[0][0] if counted else None


def _stage_summary(
    stage: str | None,
    name: str,
    mine: list[tuple[FeedbackItem, ItemResult]],
    themes: dict[str | None, list[dict[str, Any]]],
) -> dict[str, Any]:
    scores = [r.score for _, r in mine if r.score is not None]

    def answers(name: str) -> list[float]:
        return [float(v) for item, _ in mine if (v := getattr(item, name)) is not None]

    return {
        "stage": stage,
        "name": name,
        "items": len(mine),
        "sentiment": mean_interval(scores),
        "sentiment_labels": dict(Counter(r.sentiment for _, r in mine if r.sentiment)),
        "emotions": dict(Counter(r.emotion for _, r in mine if r.emotion).most_common()),
        "csat": mean_interval(answers("csat")),
        "nps": nps(answers("nps")),
        "ces": mean_interval(answers("ces")),
        "themes": themes.get(stage, [])[:TOP_THEMES],
    }
