"""Themes: complaints grouped by meaning, each named by its distinctive words.

Texts are clustered with spherical k-means (cosine, k-means++ start, fixed seed) on their
embeddings. The number of themes is chosen by the data: every k from 2 up to ``MAX_THEMES``
(and at most one theme per ``MIN_PER_THEME`` texts) is tried, and the k with the best mean
silhouette wins, if that silhouette reaches ``MIN_SILHOUETTE``; under it the texts show no
substantial structure (Kaufman and Rousseeuw's bound) and stay one theme, since a split there
would only cut one complaint in arbitrary halves. Above ``SILHOUETTE_SAMPLE`` texts, k is
chosen on a seeded sample of that many (fitted and scored there), then all are clustered.
A theme's label is its three most distinctive words (frequent in the theme, rarer elsewhere:
class-based TF-IDF, as BERTopic names topics); its quotes are the texts closest to its
centre.

>>> from cjm.voc.encoder import get_encoder
>>> texts = ["my bag was lost", "lost bag again", "bag never arrived",
...          "flight delayed 3 hours", "delayed flight, missed my connection", "another delay"]
>>> themes = find_themes(texts, get_encoder().encode(texts), k=2)
>>> sorted(t.count for t in themes)
[3, 3]
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from cjm.voc.encoder import Vectors, normalise_text

MAX_THEMES = 8
MIN_PER_THEME = 10
MIN_SILHOUETTE = 0.25
SILHOUETTE_SAMPLE = 1_000
QUOTES = 3
_WORD = re.compile(r"[a-z][a-z']{2,}")
_STOP = frozenset(
    """the and for you your that this with have has had was were are not but just what when
    from they them their there been will would could can cant can't don't didn't dont get got
    our out all any now how why who one very too again still even only also about after over
    http user amp its it's i'm i've you're than then into more some here thanks thank please
    flight""".split()  # noqa: SIM905 (a word list reads better as text)
)


@dataclass(frozen=True)
class Theme:
    """A group of similar texts: a readable label, its keywords, size and quotes."""

    label: str
    keywords: list[str]
    count: int
    quotes: list[str]
    members: list[int]


def find_themes(texts: Sequence[str], vectors: Vectors, k: int | None = None) -> list[Theme]:
    """Themes of the texts, largest first; ``members`` are indices into ``texts``."""
    if not texts:
        return []
    k = min(k, len(texts)) if k else None
    assigned, centres = spherical_kmeans(vectors, k) if k else best_clustering(vectors)
    k = len(centres)
    groups = [np.flatnonzero(assigned == c) for c in range(k)]
    words = [Counter(w for i in g for w in set(_words(texts[int(i)]))) for g in groups]
    themes = [
        _theme(texts, vectors, group, centres[c], _distinctive(words, c))
        for c, group in enumerate(groups)
        if len(group)
    ]
    return sorted(themes, key=lambda t: (-t.count, t.label))


def spherical_kmeans(
    vectors: Vectors, k: int, *, iterations: int = 30, seed: int = 0
) -> tuple[npt.NDArray[np.int64], Vectors]:
    """Cluster unit vectors by cosine: (cluster of each row, unit centres). Deterministic.

    >>> rows = np.array([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9]], dtype=np.float32)
    >>> spherical_kmeans(rows, 2)[0].tolist()
    [1, 1, 0, 0]
    """
    rng = np.random.default_rng(seed)
    centres = _plus_plus(vectors, k, rng)
    assigned = np.full(len(vectors), -1, dtype=np.int64)
    for _ in range(iterations):
        before, assigned = assigned, np.asarray((vectors @ centres.T).argmax(axis=1), np.int64)
        if np.array_equal(assigned, before):
            break  # the same groups again: the centres would not move
        moved = np.stack([vectors[assigned == c].sum(axis=0) for c in range(k)])
        lengths = np.linalg.norm(moved, axis=1, keepdims=True)
        centres = np.where(lengths == 0, centres, moved / np.where(lengths == 0, 1, lengths))
    return assigned, centres.astype(np.float32)


def best_clustering(vectors: Vectors) -> tuple[npt.NDArray[np.int64], Vectors]:
    """The clustering with the best silhouette, or one cluster when none reaches the bound.

    The number of clusters is chosen on a seeded sample of at most ``SILHOUETTE_SAMPLE``
    rows (all of them when there are no more): each k is fitted and scored there, and the
    rows are then clustered with the k that won.

    >>> rows = np.array([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9]] * 5, dtype=np.float32)
    >>> len(best_clustering(rows / np.linalg.norm(rows, axis=1, keepdims=True))[1])
    2
    """
    everything = len(vectors) <= SILHOUETTE_SAMPLE
    sample = (
        np.arange(len(vectors))
        if everything
        else np.random.RandomState(0).permutation(len(vectors))[:SILHOUETTE_SAMPLE]
    )
    chosen = vectors[sample]
    distances = cosine_distances(chosen)
    best: tuple[float, npt.NDArray[np.int64], Vectors] = (
        MIN_SILHOUETTE,
        np.zeros(len(chosen), dtype=np.int64),
        _centre(chosen),
    )
    for k in range(2, min(MAX_THEMES, len(vectors) // MIN_PER_THEME) + 1):
        assigned, centres = spherical_kmeans(chosen, k)
        if len(set(assigned.tolist())) < 2:
            continue
        score = silhouette(distances, assigned)
        if score >= best[0]:
            best = (score, assigned, centres)
    k = len(best[2])
    if k == 1:
        return np.zeros(len(vectors), dtype=np.int64), _centre(vectors)
    return (best[1], best[2]) if everything else spherical_kmeans(vectors, k)


def cosine_distances(vectors: Vectors) -> npt.NDArray[np.float64]:
    """1 - cosine similarity between every pair of unit rows (0 on the diagonal)."""
    distances = np.clip(1 - (vectors @ vectors.T).astype(np.float64), 0, 2)
    np.fill_diagonal(distances, 0)
    return distances


def silhouette(distances: npt.NDArray[np.float64], labels: npt.NDArray[np.int64]) -> float:
    """The mean silhouette of a labelling, from the rows' distances (as scikit-learn's
    ``silhouette_score``; -1 when it is undefined: fewer than 2 or more than n - 1 labels).

    >>> d = cosine_distances(np.array([[1, 0], [1, 0], [0, 1], [0, 1]], dtype=np.float32))
    >>> silhouette(d, np.array([0, 0, 1, 1]))
    1.0
    """
    _, labels = np.unique(labels, return_inverse=True)
    k = int(labels.max()) + 1 if len(labels) else 0
    if not 2 <= k <= len(labels) - 1:
        return -1.0
    members = _members(labels, k)
    sizes = np.bincount(labels, minlength=k).astype(np.float64)
    totals = np.asarray((members @ distances).T)  # each row's summed distance to each cluster
    rows = np.arange(len(labels))
    own = sizes[labels]
    inside = totals[rows, labels] / np.maximum(own - 1, 1)
    means = totals / sizes
    means[rows, labels] = np.inf
    nearest = means.min(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = (nearest - inside) / np.maximum(inside, nearest)
    scores[own == 1] = 0
    return float(np.nan_to_num(scores).mean())


def _members(labels: npt.NDArray[np.int64], k: int) -> Any:
    """Which rows are in which cluster: a sparse (clusters x rows) matrix of ones."""
    ones = np.ones(len(labels), dtype=np.float32)
    return sparse.csr_matrix((ones, (labels, np.arange(len(labels)))), shape=(k, len(labels)))


def _centre(vectors: Vectors) -> Vectors:
    total = vectors.sum(axis=0, keepdims=True)
    return np.asarray(total / (np.linalg.norm(total) or 1.0), dtype=np.float32)


def _plus_plus(vectors: Vectors, k: int, rng: np.random.Generator) -> Vectors:
    """k-means++ seeding on cosine distance."""
    chosen = [int(rng.integers(len(vectors)))]
    distance = 1 - vectors @ vectors[chosen[0]]
    for _ in range(1, k):
        weights = np.clip(distance, 0, None) ** 2
        total = weights.sum()
        pick = int(rng.choice(len(vectors), p=weights / total)) if total > 0 else len(chosen)
        chosen.append(pick)
        distance = np.minimum(distance, 1 - vectors @ vectors[pick])
    return np.asarray(vectors[chosen], dtype=np.float32).copy()


def _words(text: str) -> list[str]:
    """Content words; @handles and links are never a theme (they name the addressee)."""
    return [w for w in _WORD.findall(normalise_text(text).lower()) if w not in _STOP]


def _distinctive(words: list[Counter[str]], c: int) -> list[str]:
    """Class-based TF-IDF: a word's share in this group times log(1 + avg size / its total)."""
    total = Counter[str]()
    for counts in words:
        total.update(counts)
    average = sum(total.values()) / max(len(words), 1)
    own = words[c]
    size = sum(own.values()) or 1
    scored = {w: n / size * math.log(1 + average / total[w]) for w, n in own.items() if n >= 2}
    return sorted(scored, key=lambda w: (-scored[w], w))[:3] or [w for w, _ in own.most_common(3)]


def _theme(
    texts: Sequence[str], vectors: Vectors, group: np.ndarray, centre: np.ndarray, keys: list[str]
) -> Theme:
    closest = group[np.argsort(-(vectors[group] @ centre))][:QUOTES]
    label = ", ".join(keys) if keys else "(no common words)"
    quotes = [texts[int(i)] for i in closest]
    return Theme(label, keys, len(group), quotes, [int(i) for i in group])
