"""One definition, two engines: every analysis gives identical results on DuckDB and Spark.

Spark runs in local mode (the session fixture in conftest.py). The Spark tests share one
xdist group, so one worker starts one JVM for all of them.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import cjm
from cjm.analytics.analyze import Analysis, analyze
from cjm.analytics.engines import DuckDBEngine, SparkEngine, check_master, engine_for
from cjm.analytics.engines import start_session as start_spark
from cjm.analytics.portable import elapsed
from cjm.analytics.tables import journey_window
from cjm.errors import InvalidInput
from cjm.evidence import ColumnMap, read_events
from cjm.examples.events import generate_customers, generate_events, write_events
from tests.test_analyze import MAP as TINY_MAP  # the shop: browse, buy, help

XES_COLUMNS = ColumnMap(
    customer="case:concept:name", event="concept:name", timestamp="time:timestamp"
)
# The receipt log's activities on a map written for this test: attribute conditions on the
# case's channel, glob patterns and exact names, and a few activities left unmapped.
RECEIPT_MAP = """\
id: receipt
name: Permit application receipt
stages:
  - id: receipt
    name: Receipt
    touchpoints:
      - id: online
        name: Online receipt
        channel: web
        events:
          names: [Confirmation of receipt]
          where: [{attribute: 'case:channel', op: in, value: [Internet, e-mail]}]
      - id: counter
        name: Receipt at the desk or by post
        channel: in_person
        events: {patterns: ['Confirmation*']}
  - id: check
    name: Check
    touchpoints:
      - {id: check, name: Check, channel: other, events: {patterns: ['T0[2-5] *', 'T0? *receipt']}}
  - id: advice
    name: Advice
    touchpoints:
      - id: advice
        name: Advice
        channel: email
        events: {patterns: ['T06 *', 'T07-*', 'T08 *', 'T09-*', 'T10 *']}
  - id: documents
    name: Documents
    touchpoints:
      - id: documents
        name: Documents
        channel: mail
        events: {patterns: ['T1? *document X*']}
"""
# Sub-second times on both sides of second and millisecond boundaries, ties broken by input
# order, rows out of order, and two payments 1800.9 s apart: 1801 second boundaries, so more
# than the 30 minutes of one contact.
TINY_EVENTS = """\
customer_id,timestamp,event
a,2024-01-01T10:00:00.9Z,view_home
a,2024-01-01T10:00:01.1Z,add_to_cart
a,2024-01-01T10:00:01.1Z,pay
a,2024-01-01T10:30:02Z,pay
b,2024-01-02T09:00:00.0011Z,add_to_cart
b,2024-01-02T09:00:00.0009Z,view_home
b,2024-01-02T09:00:00.0009Z,call
b,2024-01-03T09:00:00Z,call
"""

spark = pytest.mark.xdist_group("spark")


def _on_both(spark_session: Any, journey: Any, events: Path, **options: Any) -> Analysis:
    """Analyse on DuckDB and on Spark, require identical results, return DuckDB's."""
    duck = analyze(journey, events, **options)
    sparked = analyze(journey, events, engine=SparkEngine(spark_session), **options)
    document = duck.to_json()
    assert sparked.to_json() == document
    assert sparked.customer_table.schema == duck.customer_table.schema
    assert sparked.customer_table.equals(duck.customer_table)
    assert document["flow"]["touchpoints"], "nothing to compare: no flow"
    assert document["variants"]["events"]["total"] > 1
    return duck


@spark
def test_the_demo_log_gives_the_same_analysis_on_both_engines(spark_session, tmp_path: Path):
    journey = cjm.load_journey(cjm.example_path("subscription"))
    events = write_events(generate_events(journey, customers=300), tmp_path / "events.parquet")
    customers = write_events(generate_customers(journey, customers=300), tmp_path / "c.csv")
    result = _on_both(
        spark_session,
        journey,
        events,
        window=dt.timedelta(days=30),
        customers=customers,
        segment_by=["persona", "activity"],
    )
    assert [len(s["groups"]) for s in result.segments] == [4, 3]
    ordered = [step.reached for step in result.funnel_ordered]
    assert ordered[0] > ordered[-1] > 0
    assert result.flow["channel_switches"]
    assert sum(tp["repeats"] for stage in result.stages for tp in stage["touchpoints"]) > 0
    assert result.funnel_ordered[1].median_s is not None


@spark
@pytest.mark.realdata
def test_the_help_desk_log_gives_the_same_analysis_on_both_engines(
    spark_session, shared_data: Path
):
    result = _on_both(
        spark_session,
        cjm.example_path("help-desk"),
        shared_data / "event_logs" / "helpdesk.xes.gz",
        columns=XES_COLUMNS,
        window=dt.timedelta(days=14),
    )
    assert result.inputs["rows"] == 21_348
    assert [step.reached for step in result.funnel_ordered] != [
        step.reached for step in result.funnel_any_order
    ]


@spark
@pytest.mark.realdata
def test_the_receipt_log_gives_the_same_analysis_on_both_engines(
    spark_session, shared_data: Path, tmp_path: Path
):
    (tmp_path / "receipt.yaml").write_text(RECEIPT_MAP, encoding="utf-8")
    result = _on_both(
        spark_session,
        tmp_path / "receipt.yaml",
        shared_data / "event_logs" / "receipt.csv",
        columns=XES_COLUMNS,
        window=dt.timedelta(days=7),
    )
    touchpoints = {tp["id"]: tp for stage in result.stages for tp in stage["touchpoints"]}
    assert touchpoints["online"]["events"] + touchpoints["counter"]["events"] == 1434
    assert touchpoints["counter"]["events"] > 0
    assert result.inputs["unmapped"]["events"] > 0  # the T16-T20 report activities


@spark
def test_elapsed_counts_unit_boundaries_on_both_engines(spark_session, tmp_path: Path):
    (tmp_path / "events.csv").write_text(TINY_EVENTS, encoding="utf-8")
    log = read_events(tmp_path / "events.csv")
    expected = {  # seq: (seconds, milliseconds) since the customer's previous event
        3: (1, 200),
        4: (0, 0),
        5: (1801, 1_800_900),
        8: (0, 0),
        6: (0, 1),
        9: (86_400, 86_399_999),
    }
    for engine in (DuckDBEngine(), SparkEngine(spark_session)):
        events = engine.events(log)
        previous = events.timestamp.lag().over(journey_window())
        gaps = events.select(
            "seq",
            seconds=elapsed(events.timestamp, previous, "second"),
            millis=elapsed(events.timestamp, previous, "millisecond"),
        ).filter(lambda t: t.seconds.notnull())
        rows = gaps.to_pyarrow().to_pylist()
        assert {r["seq"]: (r["seconds"], r["millis"]) for r in rows} == expected, engine.name
        engine.release()


@spark
def test_sub_second_times_and_ties_give_the_same_files_on_both_engines_from_the_cli(
    cli, spark_session, tmp_path: Path
):  # the CLI's Spark session is the fixture's: one session per process
    (tmp_path / "map.yaml").write_text(TINY_MAP, encoding="utf-8")
    (tmp_path / "events.csv").write_text(TINY_EVENTS, encoding="utf-8")
    written = {}
    for engine in ("duckdb", "spark"):
        result = cli(
            "analyze",
            str(tmp_path / "map.yaml"),
            "--events",
            str(tmp_path / "events.csv"),
            "--window",
            "1h",
            "--out",
            str(tmp_path / engine),
            "--engine",
            engine,
            "--spark-master",
            "local[2]",
        )
        assert result.code == 0, result.err
        written[engine] = [
            (tmp_path / engine / name).read_text(encoding="utf-8")
            for name in ("analysis.json", "customers.csv")
        ]
    assert written["spark"] == written["duckdb"]
    document = json.loads(written["spark"][0])
    assert [v["path"] for v in document["variants"]["events"]["top"]] == [
        ["view_home", "add_to_cart", "pay", "pay"],
        ["view_home", "call", "add_to_cart", "call"],
    ]
    assert [step["reached"] for step in document["funnel"]["ordered"]] == [2, 2, 0]
    assert [step["reached"] for step in document["funnel"]["any_order"]] == [2, 2, 1]
    touchpoints = {tp["id"]: tp for stage in document["stages"] for tp in stage["touchpoints"]}
    assert {
        tp: (touchpoints[tp]["contacts"], touchpoints[tp]["repeats"]) for tp in touchpoints
    } == {"site": (2, 0), "cart": (2, 0), "pay": (2, 1), "call": (2, 1)}


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_master_is_refused_at_once(cli, tmp_path: Path):
    (tmp_path / "map.yaml").write_text(TINY_MAP, encoding="utf-8")
    (tmp_path / "events.csv").write_text(TINY_EVENTS, encoding="utf-8")
    master = f"spark://127.0.0.1:{_closed_port()}"
    result = cli(
        "analyze",
        str(tmp_path / "map.yaml"),
        "--events",
        str(tmp_path / "events.csv"),
        "--engine",
        "spark",
        "--spark-master",
        master,
    )
    assert result.code == 1
    assert result.err.startswith(f"Error: cannot reach the Spark master at {master}")
    assert "Traceback" not in result.err


@pytest.mark.parametrize("master", ["nonsense", "http://host:7077", "spark://host-without-port"])
def test_an_unusable_master_url_is_refused(master: str):
    with pytest.raises(InvalidInput, match="Spark master"):
        check_master(master)


@pytest.mark.parametrize("master", ["local", "local[2]", "local[*]", "yarn"])
def test_local_and_cluster_manager_masters_need_no_probe(master: str):
    check_master(master)  # raises nothing: there is no host to reach


def test_an_unknown_engine_is_refused():
    with pytest.raises(InvalidInput, match="unknown engine 'flink'") as error:
        engine_for("flink")  # type: ignore[arg-type]
    assert error.value.hint == "use one of: duckdb, spark"


def test_the_cli_refuses_an_unknown_engine(cli, tmp_path: Path):
    result = cli("analyze", "map.yaml", "--events", "e.csv", "--engine", "flink")
    assert result.code == 1
    assert "'flink' is not one of 'duckdb', 'spark'" in result.err


def test_spark_without_pyspark_says_what_to_install(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark now fails
    with pytest.raises(InvalidInput, match="needs PySpark, which is not installed") as error:
        start_spark("local[1]")
    assert error.value.hint is not None
    assert "cjm[spark]" in error.value.hint


def test_spark_without_java_says_what_to_install(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(InvalidInput, match="needs Java, which was not found") as error:
        start_spark("local[1]")
    assert error.value.hint is not None
    assert "Java 17" in error.value.hint


def test_the_default_engine_is_duckdb(tmp_path: Path):
    (tmp_path / "events.csv").write_text(TINY_EVENTS, encoding="utf-8")
    log = read_events(tmp_path / "events.csv")
    table = engine_for("duckdb").events(log)
    assert table.get_backend().name == "duckdb"
    assert table.count().execute() == 8
    assert isinstance(table.to_pyarrow(), pa.Table)
