"""The batch-at-once forms of the VoC steps give what the one-text-at-a-time definitions give."""

from __future__ import annotations

import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import silhouette_score

from cjm.evidence.language import detect_languages
from cjm.voc.emotion import emotion, emotions
from cjm.voc.keywords import keyword_hits, keyword_set, stem
from cjm.voc.sentiment import SentimentModel, features
from cjm.voc.themes import cosine_distances, silhouette

WORDS = ["bag", "bags", "lost", "delayed", "delay", "on", "hold", "it's", "BAG", "x", "pass"]
KEYWORDS = [["bag", "lost bag"], ["on hold", "delay"], ["passes", "hold on it's"]]


def _one_text(text: str, keywords: frozenset[str]) -> int:
    """The definition: the keywords among the text's stemmed word 1-, 2- and 3-grams."""
    words = [stem(w) for w in re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower())]
    grams = {" ".join(words[i : i + n]) for n in (1, 2, 3) for i in range(len(words) - n + 1)}
    return len(keywords & grams)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(WORDS), max_size=8).map(" ".join), max_size=6))
def test_keywords_are_found_in_a_batch_as_in_each_text_alone(texts):
    sets = [keyword_set(k) for k in KEYWORDS]
    expected = [[_one_text(t, own) for own in sets] for t in texts]
    assert keyword_hits(texts, sets).tolist() == (expected or [])


def test_a_keyword_never_spans_two_texts():
    assert keyword_hits(["my bag was lost", "bag lost"], [keyword_set(["lost bag"])]).tolist() == [
        [0],
        [0],
    ]


def test_batch_emotions_do_not_depend_on_the_neighbouring_texts():
    texts = ["WORST airline", "how do I change it?", "love it, amazing", "fine", "late again"]
    moods = ["negative", "negative", "positive", "neutral", "negative"]
    scores = [-0.9, -0.4, 0.9, 0.0, -0.5]
    assert emotions(texts, moods, scores) == [
        emotion(t, m, s) for t, m, s in zip(texts, moods, scores, strict=True)
    ]
    assert emotions(texts, moods, scores) == [
        "anger", "confusion", "delight", None, "frustration",
    ]  # fmt: skip


def test_cue_words_read_curly_apostrophes_as_straight_ones():
    texts = ["I don't understand the bill", "I don\u2019t understand the bill", "I dont get it"]
    assert emotions(texts, ["negative"] * 3, [-0.4] * 3) == ["confusion"] * 3


def test_silhouette_from_distances_is_scikit_learns():
    rng = np.random.default_rng(0)
    rows = rng.normal(size=(80, 5)).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    labels = rng.integers(0, 4, 80)
    expected = silhouette_score(rows, labels, metric="cosine")
    assert abs(silhouette(cosine_distances(rows), labels) - expected) < 1e-5
    assert silhouette(cosine_distances(rows), np.zeros(80, dtype=np.int64)) == -1.0


def test_english_is_found_with_or_without_the_shortcut():
    texts = ["the bag is lost", "Bag lost!!", "ok", "Le service client est nul et lent", None]
    assert detect_languages(texts) == ["en", "en", "en", "fr", None]


def test_sentiment_probabilities_are_the_softmax_of_the_features_times_the_weights():
    texts = ["I love this, thank you!", "Worst service ever. Never again", "ok"]
    for fast in (False, True):
        model = SentimentModel.load(fast)
        logits = features(texts, lexicon=not fast) @ model.coef.T + model.intercept
        odds = np.exp(logits - logits.max(axis=1, keepdims=True))
        expected = odds / odds.sum(axis=1, keepdims=True)
        np.testing.assert_allclose(model.probabilities(texts), expected, atol=1e-5)
