"""Event logs into the canonical schema: formats, timestamps, bad rows, bad files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cjm.errors import InvalidInput
from cjm.evidence import ColumnMap, read_events

UTC = dt.UTC
HEADER = "customer_id,timestamp,event,channel,plan\n"


def _csv(folder: Path, body: str, header: str = HEADER, name: str = "events.csv") -> Path:
    path = folder / name
    path.write_text(header + body, encoding="utf-8")
    return path


def _rows(path: Path, **kwargs: object) -> list[tuple[object, ...]]:
    log = read_events(path, **kwargs)  # type: ignore[arg-type]
    return log.connection.execute(
        "SELECT customer_id, timestamp, event FROM events ORDER BY customer_id, timestamp, seq"
    ).fetchall()


def test_csv_is_read_into_canonical_columns(tmp_path: Path):
    path = _csv(
        tmp_path, "c1,2024-01-01T10:00:00Z,signup,web,pro\nc1,2024-01-02T10:00:00Z,login,app,pro\n"
    )
    log = read_events(path)
    assert (log.rows, log.customers, log.bad.total) == (2, 1, 0)
    assert log.start == dt.datetime(2024, 1, 1, 10, tzinfo=UTC)
    assert log.attributes == ["plan"]
    assert log.connection.execute("SELECT channel FROM events ORDER BY seq").fetchall() == [
        ("web",),
        ("app",),
    ]


def test_timestamps_of_every_kind_become_utc(tmp_path: Path):
    body = (
        "a,2024-03-01T10:00:00+02:00,iso_offset,,\n"
        "b,2024-03-01 10:00:00,naive,,\n"
        "c,1709287200,epoch_seconds,,\n"
        "d,1709287200000,epoch_ms,,\n"
        "e,2024-03-01T08:00:00Z,zulu,,\n"
    )
    rows = _rows(_csv(tmp_path, body), timezone="Europe/Amsterdam")
    assert [(r[2], r[1]) for r in rows] == [
        ("iso_offset", dt.datetime(2024, 3, 1, 8, tzinfo=UTC)),
        ("naive", dt.datetime(2024, 3, 1, 9, tzinfo=UTC)),
        ("epoch_seconds", dt.datetime(2024, 3, 1, 10, tzinfo=UTC)),
        ("epoch_ms", dt.datetime(2024, 3, 1, 10, tzinfo=UTC)),
        ("zulu", dt.datetime(2024, 3, 1, 8, tzinfo=UTC)),
    ]


def test_a_date_alone_is_midnight_in_the_given_zone(tmp_path: Path):
    rows = _rows(_csv(tmp_path, "a,2024-03-01,x,,\n"), timezone="UTC")
    assert rows[0][1] == dt.datetime(2024, 3, 1, tzinfo=UTC)


def test_bad_rows_are_refused_by_default_with_line_numbers(tmp_path: Path):
    body = (
        "c1,2024-01-01T10:00:00Z,ok,,\n,2024-01-01T10:00:00Z,x,,\n"
        "c2,yesterday,y,,\nc3,2024-01-01,,,\n"
    )
    path = _csv(tmp_path, body)
    with pytest.raises(InvalidInput) as caught:
        read_events(path)
    assert caught.value.message == (
        f"{path} has 3 bad rows (1 missing customer, 1 missing event name, 1 unreadable timestamp"
        "): line 3: missing customer (customer_id=None, timestamp='2024-01-01T10:00:00Z', "
        "event='x'); line 4: unreadable timestamp (customer_id='c2', timestamp='yesterday', "
        "event='y'); line 5: missing event name (customer_id='c3', timestamp='2024-01-01', "
        "event=None)"
    )
    assert caught.value.hint == (
        "fix them, or pass --on-bad-rows skip to leave them out (they are counted and reported)"
    )


def test_bad_rows_can_be_skipped_and_are_counted(tmp_path: Path):
    body = "c1,2024-01-01T10:00:00Z,ok,,\nc2,yesterday,y,,\n"
    log = read_events(_csv(tmp_path, body), on_bad_rows="skip")
    assert (log.rows, log.bad.total, log.bad.by_reason) == (1, 1, {"unreadable timestamp": 1})
    assert log.bad.examples[0].line == 3


def test_a_missing_column_lists_the_columns_there_are(tmp_path: Path):
    path = _csv(tmp_path, "c1,2024-01-01,x,,\n")
    with pytest.raises(InvalidInput) as caught:
        read_events(path, ColumnMap(customer="user"))
    assert caught.value.message == f"{path} has no column 'user' (for --customer-col)"
    assert caught.value.hint == "its columns are: customer_id, timestamp, event, channel, plan"


def test_a_misspelt_column_gets_a_suggestion(tmp_path: Path):
    path = _csv(tmp_path, "c1,2024-01-01,x,,\n")
    with pytest.raises(InvalidInput) as caught:
        read_events(path, ColumnMap(event="events"))
    assert caught.value.hint is not None
    assert caught.value.hint.startswith("did you mean 'event'?")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty"),
        (HEADER, "has no usable events"),
    ],
)
def test_empty_and_header_only_files_are_explained(tmp_path: Path, content: str, message: str):
    path = tmp_path / "e.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInput, match=message):
        read_events(path)


def test_non_utf8_bytes_are_reported_not_crashed_on(tmp_path: Path):
    path = tmp_path / "e.csv"
    path.write_bytes(HEADER.encode() + "c1,2024-01-01,caf\xe9,,\n".encode("latin-1"))
    with pytest.raises(InvalidInput, match=r"cannot read .* as CSV"):
        read_events(path)


def test_an_unknown_time_zone_is_refused(tmp_path: Path):
    with pytest.raises(InvalidInput, match="unknown time zone 'Mars/Olympus'"):
        read_events(_csv(tmp_path, "c1,2024-01-01,x,,\n"), timezone="Mars/Olympus")


def test_an_unknown_extension_is_refused(tmp_path: Path):
    path = tmp_path / "events.xlsx"
    path.write_bytes(b"PK")
    with pytest.raises(InvalidInput, match="cannot tell the format"):
        read_events(path)


def test_a_10_megabyte_attribute_value_is_kept(tmp_path: Path):
    big = "x" * (10 * 2**20)
    log = read_events(_csv(tmp_path, f"c1,2024-01-01,signup,web,{big}\n"))
    ((length,),) = log.connection.execute("SELECT length(plan) FROM events").fetchall()
    assert length == len(big)


def test_numeric_canonical_columns_are_read_as_numbers_or_null(tmp_path: Path):
    header = "customer_id,timestamp,event,value\n"
    log = read_events(_csv(tmp_path, "c1,2024-01-01,buy,12.5\nc1,2024-01-02,buy,n/a\n", header))
    assert log.connection.execute("SELECT value FROM events ORDER BY seq").fetchall() == [
        (12.5,),
        (None,),
    ]


def test_identical_timestamps_keep_their_input_order(tmp_path: Path):
    body = "c1,2024-01-01,b,,\nc1,2024-01-01,a,,\nc1,2024-01-01,c,,\n"
    assert [r[2] for r in _rows(_csv(tmp_path, body))] == ["b", "a", "c"]


def test_parquet_and_json_lines_read_like_csv(tmp_path: Path):
    records = [
        {"customer_id": "c1", "timestamp": "2024-01-01T10:00:00Z", "event": "signup"},
        {"customer_id": "c1", "timestamp": "2024-01-02T10:00:00Z", "event": "login"},
    ]
    jsonl = tmp_path / "e.jsonl"
    jsonl.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    parquet = tmp_path / "e.parquet"
    pq.write_table(pa.Table.from_pylist(records), parquet)
    assert _rows(jsonl) == _rows(parquet)
    assert [r[2] for r in _rows(jsonl)] == ["signup", "login"]


@pytest.mark.parametrize(
    ("customers", "events"),
    [
        (["c1", "c1", "c2"], ["a", "b", "c"]),
        ([" c1", "c1 ", "c2"], ["a", "b", "c"]),
        (["c1", "c1", "c2"], ["a", "b ", "c"]),
    ],
)
def test_parquet_texts_are_trimmed_only_when_they_need_it(
    tmp_path: Path, customers: list[str], events: list[str]
):
    """A log whose texts are all clean is read without the cleaning (faster); one with a
    stray space anywhere is cleaned throughout, exactly like CSV."""
    parquet = tmp_path / "e.parquet"
    stamps = ["2024-01-01T10:00:00Z", "2024-01-02T10:00:00Z", "2024-01-03T10:00:00Z"]
    pq.write_table(
        pa.table({"customer_id": customers, "timestamp": stamps, "event": events}),
        parquet,
    )
    log = read_events(parquet)
    assert log.customers == 2
    found = log.connection.execute("SELECT customer_id, event FROM events ORDER BY seq")
    assert found.fetchall() == [("c1", "a"), ("c1", "b"), ("c2", "c")]
    assert "_untrimmed" not in log.attributes


def test_a_typed_parquet_log_without_nulls_skips_the_row_checks_and_one_with_nulls_does_not(
    tmp_path: Path,
):
    """The file's statistics say when no row can be bad; a null anywhere still counts."""
    stamps = [dt.datetime(2024, 1, d, tzinfo=dt.UTC) for d in (1, 2, 3)]
    clean, holed = tmp_path / "clean.parquet", tmp_path / "holed.parquet"
    pq.write_table(
        pa.table({"customer_id": ["a", "a", "b"], "timestamp": stamps, "event": ["v"] * 3}), clean
    )
    pq.write_table(
        pa.table({"customer_id": ["a", None, "b"], "timestamp": stamps, "event": ["v"] * 3}), holed
    )
    log = read_events(clean)
    assert (log.rows, log.customers, log.start, log.end) == (3, 2, stamps[0], stamps[2])
    with pytest.raises(InvalidInput, match="1 bad row \\(1 missing customer\\)"):
        read_events(holed)
    skipped = read_events(holed, on_bad_rows="skip")
    assert (skipped.rows, skipped.customers, skipped.bad.total) == (2, 2, 1)


@pytest.mark.realdata
def test_xes_and_csv_of_the_same_log_agree(shared_data: Path):
    columns = ColumnMap(
        customer="case:concept:name", event="concept:name", timestamp="time:timestamp"
    )
    xes = read_events(shared_data / "event_logs" / "running-example.xes", columns)
    csv = read_events(shared_data / "event_logs" / "running-example.csv", columns)
    query = "SELECT customer_id, timestamp, event FROM events ORDER BY customer_id, timestamp, seq"
    assert xes.connection.execute(query).fetchall() == csv.connection.execute(query).fetchall()
    assert (xes.rows, xes.customers) == (42, 6)


@pytest.mark.realdata
def test_real_logs_have_the_documented_size(shared_data: Path):
    columns = ColumnMap(
        customer="case:concept:name", event="concept:name", timestamp="time:timestamp"
    )
    log = read_events(shared_data / "event_logs" / "helpdesk.xes.gz", columns)
    assert (log.rows, log.customers) == (21_348, 4_580)
