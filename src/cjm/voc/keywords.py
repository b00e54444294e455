"""Keywords found in texts: the map's keywords (one to three words) against a batch of texts.

Words are lower-cased and crudely stemmed on both sides, so "bags" finds "bag" and "delayed
flights" finds "delay flight". A text *has* a keyword when the keyword's stemmed words occur
in it side by side. Words become numbers (0 for a word in no keyword), so the keywords are
found in the whole batch with array operations.

>>> found = keyword_hits(["My bags were delayed", "no keyword here"],
...                      [keyword_set(["bag", "delayed bag"]), keyword_set(["delay"])])
>>> found.tolist()
[[1, 1], [0, 0]]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, repeat

import numpy as np
import numpy.typing as npt

MAX_WORDS = 3  # a keyword of more words is never found
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A crude English stem, the same for keywords and texts: bags → bag, delayed → delay."""
    for ending in ("ing", "ed", "es", "s"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def keyword_set(keywords: Sequence[str]) -> frozenset[str]:
    """The keywords as stemmed words joined by single spaces."""
    return frozenset(" ".join(map(stem, _TOKEN.findall(k.lower()))) for k in keywords)


def keyword_hits(texts: Sequence[str], keywords: Sequence[frozenset[str]]) -> npt.NDArray[np.int64]:
    """How many different keywords of each set (columns) each text (rows) has."""
    hits = np.zeros((len(texts), len(keywords)), dtype=np.int64)
    wanted = sorted(frozenset[str]().union(*keywords))
    if not len(texts) or not wanted:
        return hits
    codes = _Codes.of(frozenset(wanted))
    split = [_TOKEN.findall(t.lower()) for t in texts]
    found = list(chain.from_iterable(split))
    words = np.fromiter(map(codes.word.get, found, repeat(0)), np.int64, len(found))
    text = np.repeat(np.arange(len(texts)), list(map(len, split)))
    pairs = _found(words, text, codes)  # (text, keyword) pairs, each once
    owned = np.array([[k in own for own in keywords] for k in wanted], dtype=np.int64)
    np.add.at(hits, pairs[:, 0], owned[pairs[:, 1]])
    return hits


@dataclass(frozen=True)
class _Codes:
    """Numbers for the words that matter: 1 + i is the i-th stem of a keyword word; any other
    word is 0. Each keyword is a row of up to ``MAX_WORDS`` stem numbers."""

    word: dict[str, int]
    grams: npt.NDArray[np.int64]  # (keywords x MAX_WORDS), 0-padded

    @staticmethod
    @lru_cache(maxsize=64)
    def of(wanted: frozenset[str]) -> _Codes:
        keywords = sorted(wanted)
        stems = sorted({word for keyword in keywords for word in keyword.split(" ")})
        number = {s: 1 + i for i, s in enumerate(stems)}
        endings = ("", "ing", "ed", "es", "s")
        word = {w + e: number[stem(w + e)] for w in stems for e in endings if stem(w + e) in number}
        grams = np.zeros((len(keywords), MAX_WORDS), dtype=np.int64)
        for row, keyword in enumerate(keywords):
            parts = keyword.split(" ")
            if len(parts) <= MAX_WORDS:
                grams[row, : len(parts)] = [number[p] for p in parts]
        return _Codes(word, grams)


def _found(
    words: npt.NDArray[np.int64], text: npt.NDArray[np.int64], codes: _Codes
) -> npt.NDArray[np.int64]:
    """The distinct (text, keyword) pairs, as rows, from the batch's word numbers and the text
    of each word."""
    padded = np.concatenate([words, np.zeros(MAX_WORDS, dtype=np.int64)])
    within = np.concatenate([text, np.full(MAX_WORDS, -1)])
    found = [np.zeros((0, 2), dtype=np.int64)]
    for row, gram in enumerate(codes.grams):
        size = int((gram > 0).sum())
        at = np.flatnonzero(words == gram[0]) if size else np.zeros(0, dtype=np.int64)
        for offset in range(1, size):
            at = at[(padded[at + offset] == gram[offset]) & (within[at + offset] == text[at])]
        found.append(np.stack([text[at], np.full(len(at), row)], axis=1))
    return np.unique(np.concatenate(found), axis=0)
