"""cjm.voc.encoder: the compressed static embedding, its fast tokenization, the size limit."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from cjm.voc.encoder import MAX_TOKENS, MODELS, normalise_text, static_encoder
from cjm.voc.sentiment import features

ROOT = Path(__file__).resolve().parents[1]
TEXTS = [
    "@united my bag was LOST!!! http://t.co/x1 #fail",
    "Café crème, très bien 👍",  # not ASCII: read by the tokenizer itself
    "tab\tand\x0bcontrol\x01characters",
    "",
    "don't re-book me on flight UA-1234, it's 3:45pm",
    "word " * (MAX_TOKENS + 40),
]


def test_every_tracked_file_is_under_5_mb():
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    sizes = {name: (ROOT / name).stat().st_size for name in listed.split("\0") if name}
    assert {name: size for name, size in sizes.items() if size >= 5_000_000} == {}


def test_fast_tokenization_gives_the_tokenizers_own_pieces():
    encoder = static_encoder()
    tokens = encoder.tokenize(TEXTS)
    plain = [normalise_text(t) for t in TEXTS]
    expected = encoder._tokenizer.encode_batch_fast(plain, add_special_tokens=False)
    found = [tokens.ids[a:b].tolist() for a, b in zip(tokens.ends, tokens.ends[1:], strict=False)]
    assert found == [e.ids for e in expected]
    assert len(found[-1]) == MAX_TOKENS


def test_static_vectors_match_model2vecs_reading_of_the_folder():
    from model2vec import StaticModel

    plain = [normalise_text(t) for t in TEXTS[:3]]  # cjm reads handles and links as placeholders
    reference = StaticModel.from_pretrained(str(MODELS / "static")).encode(plain)
    reference /= np.linalg.norm(reference, axis=1, keepdims=True)
    ours = static_encoder().encode(TEXTS[:3])
    assert ours.shape == (3, 256)
    np.testing.assert_allclose((ours * reference).sum(axis=1), 1, atol=1e-4)


def test_empty_text_gives_a_zero_vector_and_no_texts_an_empty_matrix():
    encoder = static_encoder()
    assert encoder.encode([]).shape == (0, 256)
    assert not encoder.encode([""]).any()


@pytest.mark.parametrize("lexicon", [False, True])
def test_sentiment_features_are_the_same_from_shared_tokens(lexicon: bool):
    encoder = static_encoder()
    tokens = encoder.tokenize(TEXTS)
    shared = features(TEXTS, encoder.pool(tokens), lexicon=lexicon, tokens=tokens)
    assert abs(shared - features(TEXTS, lexicon=lexicon)).max() == 0
