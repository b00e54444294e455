"""cjm.voc: the shipped models, the map's vocabulary, placement by events, labels, scores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import cjm
from cjm.analytics.analyze import analyze
from cjm.evidence.events import read_events
from cjm.evidence.feedback import read_feedback
from cjm.voc import understand
from cjm.voc.encoder import get_encoder
from cjm.voc.scores import mean_interval, nps
from cjm.voc.sentiment import SentimentModel
from cjm.voc.themes import find_themes
from cjm.voc.vocabulary import ZeroShot, stage_labels

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
    fast = understand(shop[2], journey, fast=True)
    assert [r.stage for r in fast.results] == [
        r.stage for r in understand(shop[2], journey).results
    ]
    assert all(r.sentiment for r in fast.results)
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
