"""Sentiment of a text: negative / neutral / positive and a score from -1 to 1.

A linear model over three kinds of features: hashed word unigrams and bigrams, the static
sentence embedding, and the four VADER lexicon scores. The *fast* model leaves VADER out (a
pure-Python lexicon, the slowest part). Their weights (``models/sentiment.npz`` and
``models/sentiment-fast.npz``, float16) were trained by ``scripts/train-voc-sentiment.py``
on the training splits (a fixed, seeded 80/20 stratified split) of three public data sets;
the held-out splits are the benchmark's. The score is P(positive) - P(negative).

>>> model = SentimentModel.load()
>>> [s.label for s in model.predict(["I love this, thank you!", "Worst service ever. Never again"])]
['positive', 'negative']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from cjm.voc.encoder import MODELS, Vectors, get_encoder, normalise_text

LABELS = ("negative", "neutral", "positive")
HASH_FEATURES = 2**18
WEIGHTS = MODELS / "sentiment.npz"
FAST_WEIGHTS = MODELS / "sentiment-fast.npz"


@dataclass(frozen=True)
class Sentiment:
    """The sentiment of one text."""

    label: str
    score: float
    confidence: float


def features(texts: Sequence[str], vectors: Vectors | None = None, *, lexicon: bool = True) -> Any:
    """The feature matrix (sparse): hashed n-grams, embedding, VADER scores (``lexicon``)."""
    plain = [normalise_text(t) for t in texts]
    dense = get_encoder("static").encode(plain) if vectors is None else vectors
    if lexicon:
        scores = [_vader().polarity_scores(t) for t in plain]
        vader = np.array([[s["neg"], s["neu"], s["pos"], s["compound"]] for s in scores])
        dense = np.hstack([dense, vader.reshape(len(plain), 4)])
    return sparse.hstack([_hasher().transform(plain), sparse.csr_matrix(dense)]).tocsr()


class SentimentModel:
    """The shipped linear sentiment model."""

    def __init__(
        self, coef: npt.NDArray[np.float32], intercept: npt.NDArray[np.float32], lexicon: bool
    ):
        self.coef = coef
        self.intercept = intercept
        self.lexicon = lexicon

    @classmethod
    @cache
    def load(cls, fast: bool = False) -> SentimentModel:
        """The shipped model (``fast``: the one without VADER), read once."""
        with np.load(FAST_WEIGHTS if fast else WEIGHTS) as weights:
            coef, intercept = weights["coef"], weights["intercept"]
            return cls(coef.astype(np.float32), intercept.astype(np.float32), not fast)

    def probabilities(self, texts: Sequence[str], vectors: Vectors | None = None) -> Vectors:
        """P(negative), P(neutral), P(positive) per text."""
        if not texts:
            return np.zeros((0, 3), dtype=np.float32)
        found = features(texts, vectors, lexicon=self.lexicon)
        logits = np.asarray(found @ self.coef.T) + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        odds = np.exp(logits)
        return np.asarray(odds / odds.sum(axis=1, keepdims=True), dtype=np.float32)

    def predict(self, texts: Sequence[str], vectors: Vectors | None = None) -> list[Sentiment]:
        """Label, score (-1..1) and confidence per text."""
        shares = self.probabilities(texts, vectors)
        return [
            Sentiment(
                LABELS[int(row.argmax())],
                round(float(row[2] - row[0]), 3),
                round(float(row.max()), 3),
            )
            for row in shares
        ]


@cache
def _hasher() -> Any:
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        n_features=HASH_FEATURES, ngram_range=(1, 2), alternate_sign=False, norm="l2"
    )


@cache
def _vader() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()
