"""cjm.voc: the shipped models, the map's vocabulary, placement by events, labels, scores."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import cjm
from cjm.analytics.analyze import analyze
from cjm.evidence.events import read_events
from cjm.evidence.feedback import read_feedback
from cjm.voc import understand
from cjm.voc.encoder import get_encoder
from cjm.voc.labels import with_examples
from cjm.voc.refine import self_train, softmax
from cjm.voc.scores import mean_interval, nps
from cjm.voc.sentiment import SentimentModel
from cjm.voc.themes import best_clustering, find_themes
from cjm.voc.vocabulary import Label, ZeroShot, stage_labels

MAP = """\
id: shop
name: Shop
stages:
  - id: browse
    name: Browse
    description: The customer looks at products and prices on the website.
    keywords: [price, catalogue]
    touchpoints:
      - {id: site, name: Website, channel: web, events: {patterns: ['view_*']}}
  - id: delivery
    name: Delivery
    description: The parcel is shipped and delivered by the courier.
    keywords: [parcel, courier, delivery]
    touchpoints:
      - {id: courier, name: Courier, channel: partner, events: {names: [shipped]}}
"""
EVENTS = """\
customer_id,timestamp,event
a,2024-01-01T10:00:00Z,view_home
a,2024-01-05T10:00:00Z,shipped
b,2024-01-01T10:00:00Z,view_home
"""
FEEDBACK = """\
feedback_id,text,source,timestamp,customer_id,nps,csat
1,Terrible. Nothing works and nobody answers.,survey,2024-01-02T10:00:00Z,a,2,1
2,Awful again. Nothing works and nobody answers.,survey,2024-01-06T10:00:00Z,a,1,2
3,The parcel arrived broken and the courier was rude,review,2024-01-03T10:00:00Z,,,
4,Love the prices in your catalogue!,review,2024-01-03T10:00:00Z,,10,5
5,Where is my parcel? The delivery is two weeks late,social,2024-01-03T10:00:00Z,,,
"""


@pytest.fixture
def shop(tmp_path: Path) -> tuple[Path, Path, Path]:
    paths = tmp_path / "map.yaml", tmp_path / "events.csv", tmp_path / "feedback.csv"
    for path, text in zip(paths, (MAP, EVENTS, FEEDBACK), strict=True):
        path.write_text(text, encoding="utf-8")
    return paths


def test_shipped_sentiment_model_reads_clear_texts():
    for fast in (False, True):
        found = SentimentModel.load(fast).predict(
            ["Thank you, the new app is wonderful", "The worst support ever, I want a refund"]
        )
        assert [s.label for s in found] == ["positive", "negative"]
        assert found[0].score > 0.5 > -0.5 > found[1].score


def test_zero_shot_uses_the_maps_vocabulary_and_leaves_misfits_unassigned(shop):
    journey = cjm.load_journey(shop[0])
    model = ZeroShot(stage_labels(journey), get_encoder())
    found = model.predict(["the courier lost my parcel", "prices are too high", "qwerty zxcv"])
    assert [a.label for a in found] == ["delivery", "browse", None]
    assert found[0].confidence > 0.5


def test_feedback_is_placed_by_the_customers_stage_at_that_moment(shop):
    journey = cjm.load_journey(shop[0])
    result = understand(shop[2], journey, events=read_events(shop[1]))
    placed = {r.feedback_id: (r.stage, r.stage_source) for r in result.results}
    assert placed["1"] == ("browse", "events")  # after view_home, before shipped
    assert placed["2"] == ("delivery", "events")  # after shipped
    assert placed["3"] == ("delivery", "text")
    assert placed["4"] == ("browse", "text")


def test_per_stage_summary_has_the_emotion_curve_scores_and_themes(shop):
    journey = cjm.load_journey(shop[0])
    result = understand(shop[2], journey, events=read_events(shop[1])).to_json()
    browse, delivery = result["stages"]
    assert browse["items"] == 2
    assert browse["nps"]["n"] == 2
    assert browse["nps"]["value"] == 0.0  # one promoter (10), one detractor (2)
    assert browse["csat"]["mean"] == 3.0
    assert delivery["sentiment"]["n"] == 3
    assert delivery["sentiment"]["mean"] < 0
    low, high = delivery["sentiment"]["ci95"]
    assert low < delivery["sentiment"]["mean"] < high
    assert sum(t["count"] for t in delivery["themes"]) == delivery["sentiment_labels"]["negative"]
    assert result["placed_by"] == {"events": 2, "text": 3}


def test_labels_teach_a_new_class_and_are_stored_for_the_next_run(cli, shop, tmp_path):
    labels = tmp_path / "labels.csv"
    labels.write_text(
        "text,task,label\nI was charged twice,category,billing\n"
        "the invoice amount is wrong,category,billing\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    first = cli("feedback", str(shop[2]), "--map", str(shop[0]), "--labels", str(labels),
                "--out", str(out))  # fmt: skip
    assert first.code == 0, first.err
    assert "2 labels stored in" in first.out
    store = shop[0].with_name("map.labels.csv")
    assert store.read_text(encoding="utf-8").splitlines()[0] == "text,task,label"
    journey = cjm.load_journey(shop[0])
    extra = shop[2].with_name("more.csv")
    extra.write_text(FEEDBACK + "6,They charged me twice for one order,review,2024-01-03,,,\n")
    result = understand(extra, journey, labels=store)
    assert result.results[-1].category == "billing"


def test_cli_feedback_refuses_bad_labels_and_keeps_the_store(cli, shop, tmp_path):
    store = tmp_path / "kept.labels.csv"
    store.write_text("text,task,label\nI was charged twice,category,billing\n", encoding="utf-8")
    before = store.read_text(encoding="utf-8")
    for labels in (tmp_path / "typo.csv", tmp_path):  # a mistyped path, a folder
        result = cli("feedback", str(shop[2]), "--map", str(shop[0]), "--labels", str(labels),
                     "--label-store", str(store), "--out", str(tmp_path / "out"))  # fmt: skip
        assert result.code == 1
        assert f"Error: no such file: {labels}" in result.err
        assert "Traceback" not in result.err
    bad = tmp_path / "bad.csv"
    bad.write_text("text,task,label\nnew text,category,billing\nx,mood,happy\n", encoding="utf-8")
    result = cli("feedback", str(shop[2]), "--map", str(shop[0]), "--labels", str(bad),
                 "--label-store", str(store))  # fmt: skip
    assert result.code == 1
    assert f"Error: {bad}, line 3: unknown task 'mood'" in result.err
    assert store.read_text(encoding="utf-8") == before
    assert not (tmp_path / "out").exists()


def test_cli_feedback_prints_the_curve_and_writes_json(cli, shop, tmp_path):
    result = cli("feedback", str(shop[2]), "--map", str(shop[0]), "--events", str(shop[1]),
                 "--out", str(tmp_path / "out"))  # fmt: skip
    assert result.code == 0, result.err
    assert "Measured emotion curve" in result.out
    document = json.loads((tmp_path / "out" / "feedback.json").read_text(encoding="utf-8"))
    assert document["items"] == 5
    header = (tmp_path / "out" / "feedback_items.csv").read_text().splitlines()[0]
    assert header.startswith('"feedback_id","stage","stage_source","stage_confidence"')


def test_cli_feedback_refuses_a_missing_column_without_traceback(cli, shop, tmp_path):
    result = cli("feedback", str(shop[2]), "--map", str(shop[0]), "--text-col", "body")
    assert result.code == 1
    assert f"Error: {shop[2]} has no column 'body' (for --text-col)" in result.err
    assert "Traceback" not in result.err


def test_cli_feedback_reports_refused_paths_without_traceback(cli, shop, tmp_path):
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("kept", encoding="utf-8")
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    cases = {
        ("--out", str(in_the_way)): (f"Error: File exists: {in_the_way}", "path of a folder"),
        ("--label-store", str(tmp_path)): (f"Error: Is a directory: {tmp_path}", "of a file"),
    }
    for flags, (message, hint) in cases.items():
        result = cli("feedback", str(shop[2]), "--map", str(shop[0]), *flags)
        assert (result.code, message in result.err, hint in result.err) == (1, True, True)
        assert "Traceback" not in result.err
    assert in_the_way.read_text(encoding="utf-8") == "kept"
    result = cli("feedback", str(empty), "--map", str(shop[0]))
    assert result.code == 1
    assert "give a feedback file with a header and rows" in result.err


def test_analyze_with_feedback_adds_the_feedback_key(shop, tmp_path):
    result = analyze(shop[0], shop[1], feedback=shop[2])
    path = result.write(tmp_path / "out")
    document = json.loads(path.read_text(encoding="utf-8"))
    assert [s["stage"] for s in document["feedback"]["stages"]] == ["browse", "delivery"]
    assert (tmp_path / "out" / "feedback_items.csv").exists()
    assert read_feedback(shop[2]).rows == document["feedback"]["rows"] == 5


def test_nps_and_means_carry_intervals():
    assert nps([10, 10, 9, 0]) == {
        "value": 50.0, "ci95": [-36.67, 93.81], "n": 4, "promoters": 3, "detractors": 1,
    }  # fmt: skip
    wide, narrow = nps([10, 0] * 5), nps([10, 0] * 500)
    assert narrow["value"] == wide["value"] == 0.0
    assert narrow["ci95"][1] - narrow["ci95"][0] < wide["ci95"][1] - wide["ci95"][0]
    assert mean_interval([1.0, 2.0, 3.0]) == {"mean": 2.0, "ci95": [-0.4841, 4.4841], "n": 3}
    assert mean_interval([]) == {"mean": None, "ci95": None, "n": 0}


def test_fast_mode_keeps_stage_sentiment_and_themes_only(shop):
    journey = cjm.load_journey(shop[0])
    fast, default = understand(shop[2], journey, fast=True), understand(shop[2], journey)
    assert [r.stage for r in fast.results] == [r.stage for r in default.results]
    assert all(r.sentiment for r in fast.results)
    assert (fast.sentiment_model, default.sentiment_model) == ("linear-fast", "linear")
    assert {(r.category, r.kind) for r in fast.results} == {(None, None)}


def test_themes_group_complaints_and_name_them_by_their_words():
    texts = [
        "my bag was lost at the airport",
        "they lost my bag again",
        "lost bag, no news",
        "two hours on hold with support",
        "support kept me on hold",
        "on hold forever",
    ]
    themes = find_themes(texts, get_encoder().encode(texts), k=2)
    assert sorted(sorted(t.members) for t in themes) == [[0, 1, 2], [3, 4, 5]]
    labels = {t.label.split(", ")[0] for t in themes}
    assert labels == {"lost", "hold"} or labels == {"bag", "hold"} or labels == {"lost", "support"}
    assert all(len(t.quotes) == 3 for t in themes)


def test_themes_number_is_chosen_by_the_data():
    rng = np.random.default_rng(0)
    noise = rng.normal(size=(60, 16)).astype(np.float32)
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    assert len(best_clustering(noise)[1]) == 1  # no structure: one theme, not arbitrary halves
    axes = np.eye(16, dtype=np.float32)[[0] * 20 + [1] * 20 + [2] * 20]
    groups = axes + 0.05 * noise
    groups /= np.linalg.norm(groups, axis=1, keepdims=True)
    assigned, centres = best_clustering(groups)
    assert len(centres) == 3
    assert sorted(np.bincount(assigned).tolist()) == [20, 20, 20]


def test_self_training_learns_the_batch_words_the_labels_lack():
    # 30 clear texts per label; 10 "refund" texts the scores lean the wrong way on
    texts = [f"refund request number {i}" for i in range(40)] + [
        f"bag lost in transit {i}" for i in range(30)
    ]
    scores = np.array([[0.6, 0.4]] * 30 + [[0.49, 0.51]] * 10 + [[0.4, 0.6]] * 30, np.float32)
    vectors = np.ones((70, 4), dtype=np.float32) / 2  # the embeddings tell nothing apart
    assert softmax(scores)[30:40].argmax(axis=1).tolist() == [1] * 10
    refined = self_train(scores, texts, vectors)
    assert refined.argmax(axis=1).tolist() == [0] * 40 + [1] * 30
    assert np.allclose(refined.sum(axis=1), 1)
    assert np.allclose(self_train(scores[:20], texts[:20], vectors[:20]), softmax(scores[:20]))
    assert np.allclose(self_train(scores, texts, vectors, prior=1.0), softmax(scores))


def test_labelled_examples_teach_what_the_label_words_lack():
    labels = [Label("billing", ("invoice and payment",)), Label("delivery", ("parcel delivery",))]
    text = ["the driver left it with the neighbour"]
    drivers = ["the driver was rude", "driver never rang", "the driver dumped it outside"]
    model = ZeroShot(labels, get_encoder(), min_score=-1)
    taught = ZeroShot(with_examples(labels, {"delivery": drivers}), get_encoder(), min_score=-1)
    assert model.predict(text)[0].label == "billing"
    assert taught.predict(text)[0].label == "delivery"
    declined = {"card-declined": ["card declined", "my card got declined at checkout"]}
    extra = ZeroShot(with_examples(labels, declined), get_encoder(), min_score=-1)
    assert extra.predict(["my card was declined twice"])[0].label == "card-declined"


def test_examples_weigh_against_how_much_the_label_already_says():
    # ten examples outweigh a label that is only a name; they only nudge one that a map
    # describes in a dozen phrases: each phrase is worth EXAMPLE_SHRINK examples
    drivers = [f"the driver {w}" for w in ("was rude", "never rang", "dumped it outside",
               "lied", "was late", "threw it", "left no note", "went to the wrong house",
               "drove off", "ignored me")]  # fmt: skip
    described = ("parcel delivery", "the parcel arrives", "tracking the parcel", "courier",
                 "a missed delivery", "delivery slot", "a neighbour took it", "parcel lost",
                 "late delivery", "wrong address", "damaged parcel", "updates")  # fmt: skip
    text = ["the driver left it with the neighbour"]
    centre = get_encoder().encode(drivers).mean(axis=0)
    similarity = float(get_encoder().encode(text)[0] @ centre / np.linalg.norm(centre))

    def examples_share(phrases: tuple[str, ...]) -> float:
        """How far the examples moved the score towards their centroid's similarity."""
        labels = [Label("billing", ("invoice and payment",)), Label("delivery", phrases)]
        before = ZeroShot(labels, get_encoder()).scores(text)[0, 1]
        taught = ZeroShot(with_examples(labels, {"delivery": drivers}), get_encoder())
        return float((taught.scores(text)[0, 1] - before) / (similarity - before))

    assert examples_share(("parcel delivery",)) == pytest.approx(3 / 4)  # weight 4.5 * 10 / 15
    assert examples_share(described) == pytest.approx((4.5 * 10 / 70) / (1 + 4.5 * 10 / 70))


def test_a_batch_is_read_without_what_every_text_shares():
    labels = [
        Label("app", ("the mobile app",)),
        Label("delivery", ("parcel delivery",)),
        Label("billing", ("invoice and payment",)),
    ]
    footer = "Sent from the mobile app. Sent from the mobile app."
    texts = [f"{footer} my parcel is late, order {i}" for i in range(30)]
    texts += [f"{footer} charged twice on my invoice, order {i}" for i in range(30)]
    model = ZeroShot(labels, get_encoder(), min_score=-1)
    vectors = get_encoder().encode(texts)
    assert set(model.scores(texts, vectors).argmax(axis=1).tolist()) == {0}  # the footer wins
    assert [a.label for a in model.predict(texts, vectors)] == ["delivery"] * 30 + ["billing"] * 30
    fast = ZeroShot(labels, get_encoder(), min_score=-1, refine=False)  # no self-training
    assert [a.label for a in fast.predict(texts, vectors)] == ["delivery"] * 30 + ["billing"] * 30


class _WordEncoder:
    """A tiny 8-dimensional encoder that, like MiniLM's, cannot encode an empty list."""

    name = "static"

    def encode(self, texts):
        assert texts, "no texts"
        rows = np.zeros((len(texts), 8), dtype=np.float32)
        for row, text in zip(rows, texts, strict=True):
            for word in text.lower().split():
                row[sum(map(ord, word)) % 8] += 1
        return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-9)


def test_zero_shot_works_with_any_encoder_dimension():
    labels = [Label("bags", ("bag",), ("bag",)), Label("refunds", ("refund",), ("refund",))]
    texts = [f"bag {i}" for i in range(30)] + [f"refund {i}" for i in range(30)]
    for model in (
        ZeroShot(labels, _WordEncoder(), min_score=-1),
        ZeroShot(with_examples(labels, {"bags": ["bag"]}), _WordEncoder(), min_score=-1),
    ):
        assert [a.label for a in model.predict(texts)] == ["bags"] * 30 + ["refunds"] * 30


def test_theme_labels_skip_the_handles_every_post_addresses():
    texts = ["@acme my bag was lost", "@acme lost bag, again @acme", "@acme the bag is gone"]
    (theme,) = find_themes(texts, get_encoder().encode(texts), k=1)
    assert "acme" not in theme.keywords
    assert theme.keywords[0] == "bag"
