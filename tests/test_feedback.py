"""Reading feedback: the contract's columns, bad rows, and what needs care, counted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cjm.errors import InvalidInput
from cjm.evidence.feedback import MAX_TEXT_CHARS, FeedbackColumns, read_feedback


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_feedback_columns_are_mapped_by_name(tmp_path: Path):
    path = write(
        tmp_path / "fb.csv",
        "id,comment,channel,when,who,score\n1,Nice app,review,2026-01-05T10:00:00Z,c1,9\n",
    )
    columns = FeedbackColumns(
        feedback_id="id", text="comment", source="channel", timestamp="when",
        customer_id="who", nps="score",
    )  # fmt: skip
    (item,) = read_feedback(path, columns).items
    assert (item.feedback_id, item.text, item.source, item.customer_id, item.nps) == (
        "1", "Nice app", "review", "c1", 9.0,
    )  # fmt: skip
    assert item.timestamp.isoformat() == "2026-01-05T10:00:00+00:00"


def test_a_missing_column_lists_the_columns_there_are(tmp_path: Path):
    path = write(tmp_path / "fb.csv", "id,body,timestamp\n1,hi,2026-01-05\n")
    with pytest.raises(InvalidInput) as error:
        read_feedback(path, FeedbackColumns(feedback_id="id"))
    assert str(error.value) == f"{path} has no column 'text' (for --text-col)"
    assert error.value.hint == "its columns are: id, body, timestamp"


def test_bad_rows_are_refused_with_line_numbers_or_skipped(tmp_path: Path):
    path = write(
        tmp_path / "fb.csv",
        "feedback_id,text,timestamp,nps,csat\n"
        "1,ok,2026-01-05,10,5\n2,bad nps,2026-01-05,11,\n,no id,2026-01-05,,\n"
        "4,bad time,yesterday,,\n5,bad csat,2026-01-05,,7\n",
    )
    with pytest.raises(InvalidInput) as error:
        read_feedback(path)
    message = str(error.value)
    assert message.startswith(f"{path} has 4 bad rows (")
    assert "line 3: nps outside 0-10" in message
    assert "line 5: unreadable timestamp" in message
    assert "line 6: csat outside 1-5" in message
    skipped = read_feedback(path, on_bad_rows="skip")
    assert [i.feedback_id for i in skipped.items] == ["1"]
    assert skipped.bad.by_reason == {
        "csat outside 1-5": 1, "missing feedback_id": 1, "nps outside 0-10": 1,
        "unreadable timestamp": 1,
    }  # fmt: skip


def test_empty_html_duplicate_long_and_foreign_texts_are_counted(tmp_path: Path):
    long = "slow " * (MAX_TEXT_CHARS // 2)
    rows = [
        {"feedback_id": "1", "text": "<p>The app <b>crashed</b> &amp; lost my work</p>"},
        {"feedback_id": "2", "text": "", "nps": 3},
        {"feedback_id": "1", "text": "again the same id"},
        {"feedback_id": "4", "text": "Same words", "customer_id": "c"},
        {"feedback_id": "5", "text": "same words", "customer_id": "c"},
        {"feedback_id": "6", "text": long},
        {"feedback_id": "7", "text": "El servicio fue muy lento y nadie me ayudó con el problema"},
    ]
    lines = [json.dumps({**r, "timestamp": "2026-01-05T10:00:00Z"}) for r in rows]
    feedback = read_feedback(write(tmp_path / "fb.jsonl", "\n".join(lines) + "\n"))
    report = feedback.report
    assert (report.html, report.empty_text, report.duplicate_ids, report.duplicate_texts) == (
        1, 1, 1, 1,
    )  # fmt: skip
    assert report.truncated == 1
    assert report.other_language == {"es": 1}
    by_id = {i.feedback_id: i for i in feedback.items}
    assert by_id["1"].text == "The app crashed & lost my work"
    assert by_id["2"].text is None
    assert by_id["2"].nps == 3.0
    assert len(by_id["6"].text or "") == MAX_TEXT_CHARS
    assert feedback.texts() == [by_id["1"].text, "Same words", by_id["6"].text]


def test_feedback_is_read_from_csv_or_json_lines_only(tmp_path: Path):
    path = write(tmp_path / "fb.parquet", "x")
    with pytest.raises(InvalidInput) as error:
        read_feedback(path)
    assert str(error.value) == f"{path}: feedback is read from CSV or JSON Lines, not PARQUET"


def test_a_row_is_bad_for_its_first_problem_and_times_are_utc(tmp_path: Path):
    path = write(
        tmp_path / "fb.csv",
        "feedback_id,text,timestamp,nps,csat\n"
        "1,ok,2026-01-05T10:00:00+02:00,11,9\n2,ok,2026-01-05,x,\n3,ok,1767607200,,\n",
    )
    feedback = read_feedback(path, on_bad_rows="skip")
    assert [(b.line, b.reason) for b in feedback.bad.examples] == [
        (2, "csat outside 1-5"),
        (3, "nps is not a number"),
    ]
    (item,) = feedback.items
    assert item.timestamp.isoformat() == "2026-01-05T10:00:00+00:00"
