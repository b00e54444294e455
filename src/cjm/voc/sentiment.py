"""Sentiment of a text: negative / neutral / positive and a score from -1 to 1.

A linear model over three kinds of features: the text's WordPiece tokens and token bigrams
(the static encoder's tokens, so they cost nothing extra), the static sentence embedding, and
the four VADER lexicon scores. The *fast* model leaves VADER out (a pure-Python lexicon, the
slowest part). Their weights (``models/sentiment.npz`` and ``models/sentiment-fast.npz``,
float16) were trained by ``scripts/train-voc-sentiment.py`` on the training splits (a fixed,
seeded 80/20 stratified split) of three public data sets and the first half of a fourth,
GoEmotions' Reddit comments (see ``models/README.md`` for them and their licences); the
held-out splits are the benchmark's. The intercepts include per-class offsets chosen on
validation folds of the training split for macro-F1. The score is P(positive) - P(negative).

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

from cjm.voc.encoder import MODELS, Tokens, Vectors, normalise_text, static_encoder

LABELS = ("negative", "neutral", "positive")
HASH_FEATURES = 2**18  # buckets of token bigrams
WEIGHTS = MODELS / "sentiment.npz"
FAST_WEIGHTS = MODELS / "sentiment-fast.npz"


@dataclass(frozen=True)
class Sentiment:
    """The sentiment of one text."""

    label: str
    score: float
    confidence: float


def features(
    texts: Sequence[str],
    vectors: Vectors | None = None,
    *,
    lexicon: bool = True,
    tokens: Tokens | None = None,
) -> Any:
    """The feature matrix (sparse): token n-grams, embedding, VADER scores (``lexicon``).

    ``tokens`` and ``vectors`` are the static encoder's, when the caller has them already.
    """
    grams, dense = _inputs(texts, vectors, lexicon, tokens)
    return sparse.hstack([grams, sparse.csr_matrix(dense)], format="csr")


def _inputs(
    texts: Sequence[str], vectors: Vectors | None, lexicon: bool, tokens: Tokens | None
) -> tuple[Any, npt.NDArray[np.float32]]:
    """The sparse and the dense part of :func:`features`."""
    encoder = static_encoder()
    tokens = encoder.tokenize(texts) if tokens is None else tokens
    dense = encoder.pool(tokens) if vectors is None else vectors
    if lexicon:
        scores = [_vader().polarity_scores(normalise_text(t)) for t in texts]
        vader = np.array([[s["neg"], s["neu"], s["pos"], s["compound"]] for s in scores])
        dense = np.hstack([dense, vader.reshape(len(texts), 4)]).astype(np.float32)
    return ngrams(tokens), dense


def ngrams(tokens: Tokens) -> Any:
    """Token unigram counts and hashed token bigrams, each text's row L2-normalised.

    Columns: one per vocabulary token, then ``HASH_FEATURES`` buckets of bigrams. Built with
    array operations over the whole batch.
    """
    ids, size = tokens.ids.astype(np.int64), tokens.vocabulary
    texts = len(tokens.ends) - 1
    row = np.repeat(np.arange(texts), np.diff(tokens.ends))
    pair = row[:-1] == row[1:]  # neighbours inside one text
    bigram = size + (ids[:-1][pair] * 1_000_003 + ids[1:][pair]) % HASH_FEATURES
    columns = np.concatenate([ids, bigram])
    rows = np.concatenate([row, row[:-1][pair]])
    ones = np.ones(len(columns), dtype=np.float32)
    found = sparse.csr_matrix((ones, (rows, columns)), shape=(texts, size + HASH_FEATURES))
    norms = np.sqrt(np.asarray(found.multiply(found).sum(axis=1)).ravel())
    return sparse.diags(1 / np.where(norms == 0, 1, norms)) @ found


class SentimentModel:
    """The shipped linear sentiment model."""

    def __init__(
        self, coef: npt.NDArray[np.float32], intercept: npt.NDArray[np.float32], lexicon: bool
    ):
        self.coef = coef
        self._by_feature = np.ascontiguousarray(coef.T)  # one row per feature
        self.intercept = intercept
        self.lexicon = lexicon

    @classmethod
    @cache
    def load(cls, fast: bool = False) -> SentimentModel:
        """The shipped model (``fast``: the one without VADER), read once."""
        with np.load(FAST_WEIGHTS if fast else WEIGHTS) as weights:
            coef, intercept = weights["coef"], weights["intercept"]
            return cls(coef.astype(np.float32), intercept.astype(np.float32), not fast)

    def probabilities(
        self, texts: Sequence[str], vectors: Vectors | None = None, tokens: Tokens | None = None
    ) -> Vectors:
        """P(negative), P(neutral), P(positive) per text (``vectors``, ``tokens``: static's)."""
        if not texts:
            return np.zeros((0, 3), dtype=np.float32)
        grams, dense = _inputs(texts, vectors, self.lexicon, tokens)
        split = grams.shape[1]  # the product of features() with coef, in two parts
        weights = self._by_feature
        logits = grams @ weights[:split] + dense @ weights[split:] + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        odds = np.exp(logits)
        return np.asarray(odds / odds.sum(axis=1, keepdims=True), dtype=np.float32)

    def predict(
        self, texts: Sequence[str], vectors: Vectors | None = None, tokens: Tokens | None = None
    ) -> list[Sentiment]:
        """Label, score (-1..1) and confidence per text."""
        return read_shares(self.probabilities(texts, vectors, tokens))


def read_shares(probabilities: Vectors) -> list[Sentiment]:
    """The sentiment per row of P(negative), P(neutral), P(positive)."""
    shares = probabilities.astype(np.float64)
    best = shares.argmax(axis=1).tolist()
    scores = np.round(shares[:, 2] - shares[:, 0], 3).tolist()
    confidence = np.round(shares.max(axis=1), 3).tolist()
    return [Sentiment(LABELS[b], s, c) for b, s, c in zip(best, scores, confidence, strict=True)]


@cache
def _vader() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()
