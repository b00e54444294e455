"""Train the shipped sentiment weights (src/cjm/voc/models/sentiment*.npz).

Training data: the 80% training splits (fixed seed, stratified; benchmarks/voc_data.py) of
three public data sets in ../shared/data/real, read in place and never copied:

- Twitter US Airline Sentiment (Figure Eight, 3 classes). No licence in the source copy;
  the upstream Kaggle release is commonly listed as CC BY-NC-SA 4.0 (non-commercial).
- Amazon Alexa reviews (stars: 1-2 negative, 3 neutral, 4-5 positive). No licence stated
  (a Kaggle upload of scraped Amazon reviews).
- UCI Sentiment Labelled Sentences (Kotzias et al. 2015, 2 classes), CC BY 4.0 per the UCI
  repository.

So the shipped weights are derived from data whose licences are unclear or non-commercial;
see src/cjm/voc/models/README.md. The 20% test splits are never read here;
benchmarks/voc.py evaluates on them. ``C`` was chosen on a validation split carved out of
the training splits.

    .venv/bin/python scripts/train-voc-sentiment.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.voc_data import sentiment_sets

from cjm.voc.sentiment import FAST_WEIGHTS, LABELS, WEIGHTS, features

C = 10.0


def main() -> None:
    texts: list[str] = []
    labels: list[str] = []
    for data in sentiment_sets().values():
        texts += data.train_texts
        labels += data.train_labels
    for lexicon, target in ((True, WEIGHTS), (False, FAST_WEIGHTS)):
        model = LogisticRegression(max_iter=3000, C=C, class_weight="balanced")
        model.fit(features(texts, lexicon=lexicon), labels)
        assert tuple(model.classes_) == LABELS
        coef, intercept = model.coef_.astype(np.float16), model.intercept_.astype(np.float16)
        np.savez_compressed(target, coef=coef, intercept=intercept)
        print(f"trained on {len(texts):,} texts: {target} ({target.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
