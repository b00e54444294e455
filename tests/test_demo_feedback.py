"""The demo's generated feedback: the measured emotion curve follows the designed one."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import cjm
from cjm.demo import run_demo
from cjm.examples.feedback import generate_feedback


def test_demo_feedback_curve_follows_the_designed_emotions(tmp_path: Path):
    demo = run_demo(tmp_path, customers=300)
    feedback = demo.analysis.feedback
    assert feedback is not None
    assert demo.feedback_path.read_text(encoding="utf-8").startswith('"feedback_id","text"')
    designed = [s.emotion or 0 for s in demo.journey.stages]
    measured = [s["sentiment"]["mean"] for s in feedback.stages]
    assert np.corrcoef(designed, measured)[0, 1] > 0.8
    assert feedback.to_json()["placed_by"]["events"] > 0
    assert all(stage["themes"] for stage in feedback.stages if stage["sentiment_labels"])
    report = feedback.feedback.report
    assert report.empty_text > 0
    assert report.html > 0
    assert report.other_language == {"es": 10}


def test_generated_feedback_is_the_same_for_the_same_seed():
    journey = cjm.load_journey(cjm.example_path("subscription"))
    assert generate_feedback(journey, items=50).equals(generate_feedback(journey, items=50))
    assert not generate_feedback(journey, items=50).equals(
        generate_feedback(journey, items=50, seed=1)
    )
