"""Zero-shot classification on a vocabulary: each label described by phrases and keywords.

No labelled data is needed. A label's score for a text is the mean of the text's
``TOP_PHRASES`` best cosine similarities with the label's phrases, plus ``KEYWORD_WEIGHT`` for
each of the label's keywords found in the text (at most two). A label with labelled examples
mixes in the similarity to their centroid, weighted by their count against its own words
(``EXAMPLE_WEIGHT * n / (n + m)``, where each of its ``p`` phrases counts as
``EXAMPLE_SHRINK`` examples, ``m = EXAMPLE_SHRINK * p``): ten examples outweigh a label
that is only a name, and nudge a map's stage described in a dozen phrases. A text whose best
score stays under ``min_score`` is *unassigned* (None). The others get the label with the
highest probability after :func:`cjm.voc.refine.self_train` (the batch's own confident texts
and the examples teach a classifier the batch's words; the zero-shot softmax keeps
``PRIOR`` times the labels' mean share ``m / (n + m)`` of the mix; ``refine=False`` skips
that and keeps the softmax of the scores that decide). In a batch of ``MIN_TEXTS`` or more,
the scores that decide are measured after taking the batch's mean vector off (see
:meth:`ZeroShot.scores`). The chosen label's probability is the confidence.

The labels come from the journey map (:func:`stage_labels`, :func:`touchpoint_labels`: names,
descriptions, goals, actions, thoughts and keywords) or from a taxonomy's descriptions.

>>> from cjm.voc.encoder import get_encoder
>>> labels = [Label("bags", ("lost or damaged luggage",), ("bag",)),
...           Label("billing", ("charged twice on my invoice",), ("invoice",))]
>>> model = ZeroShot(labels, get_encoder())
>>> [a.label for a in model.predict(["where is my bag?", "the invoice is wrong", "hello"])]
['bags', 'billing', None]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cjm.model.journey import Journey
from cjm.voc.encoder import Encoder, Vectors
from cjm.voc.keywords import keyword_hits, keyword_set
from cjm.voc.refine import MIN_TEXTS, PRIOR, Examples, self_train, softmax

KEYWORD_WEIGHT = 0.2
TOP_PHRASES = 3
TOP_PHRASES_CENTRED = 5  # ranks labels in a batch; more phrases steady it (training split)
EXAMPLE_WEIGHT = 4.5
EXAMPLE_SHRINK = 5  # examples that one of a label's phrases is worth
MIN_SCORE = 0.3


@dataclass(frozen=True)
class Label:
    """A class to assign: its id, phrases that describe it, keywords that signal it, and texts
    a person labelled with it."""

    id: str
    phrases: tuple[str, ...]
    keywords: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Assignment:
    """The label given to one text (None: unassigned) and the confidence in it (0-1)."""

    label: str | None
    confidence: float


class ZeroShot:
    """Scores texts against labels; see the module docstring."""

    def __init__(
        self,
        labels: Sequence[Label],
        encoder: Encoder,
        min_score: float = MIN_SCORE,
        *,
        refine: bool = True,
    ):
        self.labels = list(labels)
        self.encoder = encoder
        self.min_score = min_score
        self.refine = refine
        phrases = [(i, p) for i, label in enumerate(self.labels) for p in _phrases(label)]
        self._owner = np.array([i for i, _ in phrases], dtype=np.int64)
        self._phrases = encoder.encode([p for _, p in phrases])
        self._keywords = [keyword_set(label.keywords) for label in self.labels]
        examples = [(i, t) for i, label in enumerate(self.labels) for t in label.examples]
        self._examples = Examples()  # none: nothing to encode (an encoder may refuse no texts)
        if examples:
            self._examples = Examples(
                [t for _, t in examples],
                encoder.encode([t for _, t in examples]),
                np.array([i for i, _ in examples], dtype=np.int64),
            )
        self._words = _words_share(self.labels, self._examples.labels)

    def scores(
        self, texts: Sequence[str], vectors: Vectors | None = None, *, centred: bool = False
    ) -> Vectors:
        """The score of every label for every text (rows: texts), before refinement.

        ``centred`` measures the similarities to the phrases after taking the batch's mean
        vector off texts and phrases: what every text shares (the channel's style, the
        product's name) then counts for no label. The scale changes, so ``min_score`` reads
        the plain scores, and the centred ones average the ``TOP_PHRASES_CENTRED`` best phrases.
        (The examples come from the same kind of texts; centring them too measured worse.)
        """
        vectors = self.encoder.encode(texts) if vectors is None else vectors
        return self._scores(vectors, self._hits(texts), centred)

    def _hits(self, texts: Sequence[str]) -> Vectors:
        """Each label's keyword bonus for each text."""
        hits = np.minimum(keyword_hits(texts, self._keywords), 2)
        return KEYWORD_WEIGHT * hits.astype(np.float32)

    def _scores(self, vectors: Vectors, hits: Vectors, centred: bool) -> Vectors:
        plain, phrases, top = vectors, self._phrases, TOP_PHRASES
        if centred and len(vectors):
            top = TOP_PHRASES_CENTRED  # the plain scores keep 3: a short label is not diluted
            centre = vectors.mean(axis=0)
            vectors, phrases = _unit(vectors - centre), _unit(phrases - centre)
        similarity = vectors @ phrases.T
        out = np.zeros((len(vectors), len(self.labels)), dtype=np.float32)
        for i in range(len(self.labels)):
            own = similarity[:, self._owner == i]
            best = -np.sort(-own, axis=1)[:, :top]
            out[:, i] = best.mean(axis=1)
        return self._with_examples(out + hits, plain)

    def _with_examples(self, scores: Vectors, vectors: Vectors) -> Vectors:
        """Each label's score mixed with the similarity to its examples' centroid."""
        for i in range(len(self.labels)):
            own = self._examples.vectors[self._examples.labels == i]
            if len(own):
                centre = own.mean(axis=0)
                centre /= np.linalg.norm(centre) or 1.0
                weight = EXAMPLE_WEIGHT * (1 - self._words[i])
                scores[:, i] = (scores[:, i] + weight * (vectors @ centre)) / (1 + weight)
        return scores

    def predict(self, texts: Sequence[str], vectors: Vectors | None = None) -> list[Assignment]:
        """The best label per text, or None when nothing fits."""
        vectors = self.encoder.encode(texts) if vectors is None else vectors
        hits = self._hits(texts)
        scores = self._scores(vectors, hits, centred=False)
        ids = [label.id for label in self.labels]
        if not len(ids):
            return assign(scores, ids, self.min_score)
        decide = self._scores(vectors, hits, centred=len(texts) >= MIN_TEXTS)
        if not self.refine:
            return assign(scores, ids, self.min_score, softmax(decide))
        prior = PRIOR * float(self._words.mean())
        shares = self_train(decide, texts, vectors, self._examples, prior)
        return assign(scores, ids, self.min_score, shares)


def assign(
    scores: Vectors, ids: Sequence[str], min_score: float, shares: Vectors | None = None
) -> list[Assignment]:
    """The most probable id per row with its probability; None where no score reaches
    ``min_score``. ``shares`` are the probabilities (default: the softmax of the scores)."""
    if not len(ids):
        return [Assignment(None, 0.0) for _ in range(len(scores))]
    shares = softmax(scores) if shares is None else shares
    best = shares.argmax(axis=1)
    fits = (scores.max(axis=1) >= min_score).tolist()
    confidence = np.round(shares[np.arange(len(best)), best].astype(np.float64), 3).tolist()
    return [
        Assignment(ids[b], c) if fit else Assignment(None, 0.0)
        for b, c, fit in zip(best.tolist(), confidence, fits, strict=True)
    ]


def stage_labels(journey: Journey) -> list[Label]:
    """One label per stage from what the map says about it and its touchpoints."""
    labels = []
    for stage in journey.stages:
        phrases = [stage.name, stage.description, stage.customer_goal, *stage.actions]
        phrases += [*stage.thoughts]
        keywords = [*stage.keywords]
        for tp in stage.touchpoints:
            phrases += [tp.name, tp.description]
            keywords += tp.keywords
        labels.append(Label(stage.id, _clean(phrases), tuple(keywords)))
    return labels


def touchpoint_labels(journey: Journey) -> list[Label]:
    """One label per touchpoint: its name, description and keywords."""
    return [
        Label(tp.id, _clean([tp.name, tp.description]), tuple(tp.keywords))
        for _stage, tp in journey.touchpoints()
    ]


def _words_share(labels: Sequence[Label], owners: npt.NDArray[np.int64]) -> Vectors:
    """Each label's own words against its examples (``owners``: each example's label index):
    ``m / (n + m)``, 1 for a label with none."""
    counts = np.bincount(owners, minlength=len(labels))
    worth = EXAMPLE_SHRINK * np.array([max(1, len(label.phrases)) for label in labels])
    return np.asarray(worth / (counts + worth), dtype=np.float32)


def _unit(rows: Vectors) -> Vectors:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return np.asarray(rows / np.where(norms == 0, 1, norms), dtype=np.float32)


def _clean(phrases: Sequence[str | None]) -> tuple[str, ...]:
    return tuple(p for p in phrases if p)


def _phrases(label: Label) -> tuple[str, ...]:
    return label.phrases + label.keywords or (label.id.replace("-", " "),)
