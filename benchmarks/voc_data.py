"""The real data sets of the VoC benchmark, read in place, with fixed seeded 80/20 splits.

Every split is stratified on the label with ``random_state=SEED``; training code reads only
``train_*`` and the benchmark scores only ``test_*``.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sklearn.model_selection import train_test_split

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"
SEED = 0
# negative reason -> stage of benchmarks/voc/airline.yaml ("Can't Tell" has no stage)
REASON_STAGE = {
    "Flight Booking Problems": "booking",
    "longlines": "airport",
    "Late Flight": "departure",
    "Cancelled Flight": "departure",
    "Bad Flight": "in-flight",
    "Flight Attendant Complaints": "in-flight",
    "Lost Luggage": "baggage",
    "Damaged Luggage": "baggage",
    "Customer Service Issue": "customer-service",
}


@dataclass(frozen=True)
class Split:
    """Texts and labels of one data set, split 80/20."""

    train_texts: list[str]
    train_labels: list[str]
    test_texts: list[str]
    test_labels: list[str]


def _split(texts: list[str], labels: list[str]) -> Split:
    a, b, c, d = train_test_split(texts, labels, test_size=0.2, stratify=labels, random_state=SEED)
    return Split(list(a), list(c), list(b), list(d))


def airline_rows() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The airline tweets (train rows, test rows), split on the sentiment label."""
    with (REAL / "twitter_us_airline_sentiment" / "Tweets.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    train, test = train_test_split(
        rows, test_size=0.2, stratify=[r["airline_sentiment"] for r in rows], random_state=SEED
    )
    return list(train), list(test)


def sentiment_sets() -> dict[str, Split]:
    """Airline tweets (3 classes), Alexa reviews (stars to 3 classes), UCI sentences (2)."""
    train, test = airline_rows()
    airline = Split(
        [r["text"] for r in train], [r["airline_sentiment"] for r in train],
        [r["text"] for r in test], [r["airline_sentiment"] for r in test],
    )  # fmt: skip
    return {"airline": airline, "alexa": _alexa(), "uci": _uci()}


def _alexa() -> Split:
    stars = {"1": "negative", "2": "negative", "3": "neutral", "4": "positive", "5": "positive"}
    path = REAL / "amazon_alexa_reviews" / "amazon_alexa.tsv"
    with path.open(encoding="utf-8-sig") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r["verified_reviews"].strip()]
    return _split([r["verified_reviews"] for r in rows], [stars[r["rating"]] for r in rows])


def _uci() -> Split:
    texts, labels = [], []
    folder = REAL / "uci_sentiment_labelled_sentences"
    for name in ("amazon_cells_labelled.txt", "imdb_labelled.txt", "yelp_labelled.txt"):
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            if "\t" in line:
                text, label = line.rsplit("\t", 1)
                texts.append(text.strip())
                labels.append("positive" if label.strip() == "1" else "negative")
    return _split(texts, labels)


def banking77() -> tuple[list[str], list[str], list[str], list[str]]:
    """BANKING77's official split: train texts, train labels, test texts, test labels."""
    out = []
    for name in ("train.csv", "test.csv"):
        with (REAL / "banking77" / name).open(encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        out += [[r["text"] for r in rows], [r["category"] for r in rows]]
    return out[0], out[1], out[2], out[3]


# GoEmotions' emotions -> cjm's (cjm.voc.emotion.EMOTIONS, and "none" for a neutral text);
# the other GoEmotions emotions (fear, sadness, curiosity, caring, optimism...) have no cjm
# counterpart, and a comment marked with one is left out
GOEMOTIONS_CJM = {
    "anger": ("anger", "disgust"),
    "frustration": ("annoyance", "disappointment", "disapproval"),
    "confusion": ("confusion",),
    "satisfaction": ("approval", "gratitude", "relief"),
    "delight": ("admiration", "excitement", "joy", "love", "amusement"),
    "none": ("neutral",),
}


def goemotions(mapping: dict[str, tuple[str, ...]] = GOEMOTIONS_CJM) -> Split:
    """The GoEmotions rater sample's comments whose raters' marks all map to one class of
    ``mapping`` (class -> GoEmotions emotions; default ``GOEMOTIONS_CJM``), in two halves
    (:func:`_goemotions_halves`): the first for looking at errors or training, the second
    for scoring."""
    texts, marks = _goemotions_rows()
    scored = _goemotions_halves()
    found = _one_class(marks, mapping)
    halves = [[i for i in sorted(found) if scored[i] == half] for half in (False, True)]
    return Split(
        [texts[i] for i in halves[0]], [found[i] for i in halves[0]],
        [texts[i] for i in halves[1]], [found[i] for i in halves[1]],
    )  # fmt: skip


def goemotions_sentiment() -> Split:
    """The same comments read for sentiment: the data set's own mapping of its emotions to
    positive and negative, "neutral" as neutral; a comment with an emotion it calls ambiguous
    (surprise, curiosity, confusion, realisation) is left out."""
    path = REAL / "goemotions_raters_sample" / "sentiment_mapping.json"
    groups = json.loads(path.read_text(encoding="utf-8"))
    return goemotions(
        {"negative": tuple(groups["negative_se"]), "neutral": ("neutral",),
         "positive": tuple(groups["positive_se"])}
    )  # fmt: skip


@cache
def _goemotions_rows() -> tuple[dict[str, str], dict[str, frozenset[str]]]:
    """Each comment's text and every emotion any of its raters marked, by comment id."""
    path = REAL / "goemotions_raters_sample" / "test.csv"
    texts: dict[str, str] = {}
    marks: dict[str, set[str]] = {}
    with path.open(encoding="utf-8") as f:
        reader = csv.DictReader(f)
        columns = list(reader.fieldnames or [])
        emotions = columns[columns.index("admiration") :]  # 27 emotions, then neutral
        for row in reader:
            texts[row["id"]] = row["text"]
            marks.setdefault(row["id"], set()).update(e for e in emotions if row[e] == "1")
    return texts, {i: frozenset(m) for i, m in marks.items()}


def _one_class(
    marks: dict[str, frozenset[str]], mapping: dict[str, tuple[str, ...]]
) -> dict[str, str]:
    """The class of each comment whose marks all map to one class of ``mapping``."""
    of = {theirs: ours for ours, names in mapping.items() for theirs in names}
    found = {i: {of.get(e, "") for e in m} or {""} for i, m in marks.items()}
    return {i: next(iter(c)) for i, c in found.items() if len(c) == 1 and "" not in c}


@cache
def _goemotions_halves() -> dict[str, bool]:
    """Whether each comment is in the scored half. The comments with one cjm emotion are split
    50/50 stratified on it; the others 50/50 at random: so any two readings of the data
    (emotions, sentiment) share their halves, and nothing trained on a first half is scored."""
    _, marks = _goemotions_rows()
    emotion = _one_class(marks, GOEMOTIONS_CJM)
    ids = sorted(emotion)
    labels = [emotion[i] for i in ids]
    _, second = train_test_split(ids, test_size=0.5, stratify=labels, random_state=SEED)
    scored = set(second)
    rest = sorted(set(marks) - set(emotion))
    scored |= set(train_test_split(rest, test_size=0.5, random_state=SEED)[1])
    return {i: i in scored for i in marks}
