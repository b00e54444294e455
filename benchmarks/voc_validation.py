"""``python -m benchmarks.voc_validation``: zero-shot stage scores on validation folds.

Settings of the zero-shot and self-training steps are chosen here, never on the benchmark's
test split: three seeded folds of the test split's size (1,589 complaints) are drawn from the
airline *training* split, and each prints the stage macro-F1 and the ARI of the stages against
the nine true reasons (the grouping that theme ARI builds on).
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import adjusted_rand_score, f1_score
from sklearn.model_selection import train_test_split

import cjm
from benchmarks.voc import AIRLINE_MAP
from benchmarks.voc_data import REASON_STAGE, airline_rows
from cjm.voc.encoder import get_encoder
from cjm.voc.vocabulary import ZeroShot, stage_labels

FOLDS = 3
FOLD_SIZE = 1_589


def folds() -> list[tuple[list[str], list[str]]]:
    """(texts, true reasons) of each validation fold, all from the training split."""
    rest = [r for r in airline_rows()[0] if r["negativereason"] in REASON_STAGE]
    found = []
    for seed in range(FOLDS):
        reasons = [r["negativereason"] for r in rest]
        rest, fold = train_test_split(
            rest, test_size=FOLD_SIZE, random_state=seed, stratify=reasons
        )
        found.append(([r["text"] for r in fold], [r["negativereason"] for r in fold]))
    return found


def main() -> None:
    journey = cjm.load_journey(AIRLINE_MAP)
    scores = []
    for texts, reasons in folds():
        model = ZeroShot(stage_labels(journey), get_encoder(), min_score=-1)
        found = [a.label for a in model.predict(texts)]
        truth = [REASON_STAGE[r] for r in reasons]
        macro = f1_score(truth, found, labels=sorted(set(truth)), average="macro")
        scores.append((macro, adjusted_rand_score(reasons, found)))
        print(f"fold {len(scores)}: stage macro-F1 {macro:.3f}, ARI by stage {scores[-1][1]:.3f}")
    mean = np.mean(scores, axis=0)
    print(f"mean: stage macro-F1 {mean[0]:.3f}, ARI by stage {mean[1]:.3f}")


if __name__ == "__main__":
    main()
