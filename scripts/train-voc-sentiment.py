"""Train the shipped sentiment weights (src/cjm/voc/models/sentiment.npz).

Training data: the 80% training splits (fixed seed, stratified) of three public data sets in
../shared/data/real: Twitter US Airline Sentiment (3 classes), Amazon Alexa reviews (stars:
1-2 negative, 3 neutral, 4-5 positive) and the UCI sentiment labelled sentences (2 classes).
The 20% test splits are never read here; benchmarks/voc.py evaluates on them.

    .venv/bin/python scripts/train-voc-sentiment.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.voc_data import sentiment_sets

from cjm.voc.sentiment import LABELS, WEIGHTS, features


def main() -> None:
    texts: list[str] = []
    labels: list[str] = []
    for data in sentiment_sets().values():
        texts += data.train_texts
        labels += data.train_labels
    model = LogisticRegression(max_iter=3000, C=3.0, class_weight="balanced")
    model.fit(features(texts), labels)
    assert tuple(model.classes_) == LABELS
    np.savez_compressed(
        WEIGHTS, coef=model.coef_.astype(np.float16), intercept=model.intercept_.astype(np.float16)
    )
    print(f"trained on {len(texts):,} texts; wrote {WEIGHTS} ({WEIGHTS.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
