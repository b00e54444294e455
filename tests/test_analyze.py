"""cjm.analyze and cjm analyze: a map and an event log in, analysis.json out."""

from __future__ import annotations

import datetime as dt
import gc
import json
from pathlib import Path

import pytest

import cjm
from cjm.analytics import analyze as analysis_module
from cjm.analytics.analyze import FIELDS, analyze
from cjm.errors import InvalidInput

MAP = """\
id: shop
name: Shop
stages:
  - id: browse
    name: Browse
    touchpoints:
      - {id: site, name: Site, channel: web, events: {patterns: ['view_*']}}
  - id: buy
    name: Buy
    touchpoints:
      - {id: cart, name: Cart, channel: web, events: {names: [add_to_cart]}}
      - {id: pay, name: Payment, channel: web, events: {names: [pay]}}
  - id: help
    name: Help
    touchpoints:
      - {id: call, name: Call, channel: phone, events: {names: [call]}}
"""
EVENTS = """\
customer_id,timestamp,event
a,2024-01-01T10:00:00Z,view_home
a,2024-01-01T10:05:00Z,add_to_cart
a,2024-01-01T10:06:00Z,pay
a,2024-01-03T09:00:00Z,call
b,2024-01-01T11:00:00Z,view_home
b,2024-01-01T11:01:00Z,heartbeat
b,2024-01-09T11:02:00Z,add_to_cart
c,2024-01-02T08:00:00Z,call
"""


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "map.yaml").write_text(MAP, encoding="utf-8")
    (tmp_path / "events.csv").write_text(EVENTS, encoding="utf-8")
    return tmp_path / "map.yaml", tmp_path / "events.csv"


def test_analysis_counts_funnel_flow_variants_and_unmapped(files: tuple[Path, Path]):
    result = analyze(*files, window=dt.timedelta(days=2))
    assert [s.reached for s in result.funnel_ordered] == [2, 1, 1]
    assert [s.reached for s in result.funnel_any_order] == [2, 2, 2]
    assert result.inputs["unmapped"] == {
        "events": 1,
        "by_event": [{"event": "heartbeat", "events": 1}],
    }
    assert result.inputs["mapped_events"] == 7
    edges = {(e["source"], e["target"]): e["count"] for e in result.flow["touchpoints"]}
    assert edges == {("site", "cart"): 2, ("cart", "pay"): 1, ("pay", "call"): 1}
    assert (
        result.variants["stages"]["top"][0]
        == {
            "path": ["browse", "buy"],
            "customers": 1,
            "share": pytest.approx(1 / 3),
        }
        or result.variants["stages"]["total"] == 3
    )
    assert [s["customers"] for s in result.stages] == [2, 2, 2]


def test_analysis_json_has_the_documented_keys(files: tuple[Path, Path], tmp_path: Path):
    path = analyze(*files).write(tmp_path / "out")
    document = json.loads(path.read_text(encoding="utf-8"))
    assert list(document) == [
        "format_version",
        "journey",
        "inputs",
        "funnel",
        "flow",
        "variants",
        "stages",
        "customers",
        "segments",
    ]
    assert document["segments"] == []  # none asked for
    assert (path.parent / "customers.csv").read_text().splitlines()[0] == (
        '"customer_id","events","first_seen","last_seen","status","current_stage",'
        '"last_touchpoint","furthest_stage_index"'
    )
    second = document["funnel"]["ordered"][1]
    assert (second["stage"], second["reached"], second["drop_off"]) == ("buy", 2, 0)
    assert second["ci95"][0] < 1.0 <= second["ci95"][1] + 1e-9
    assert document["inputs"]["period"]["start"] == "2024-01-01T10:00:00+00:00"


def test_cli_analyze_writes_analysis_json(cli, files: tuple[Path, Path], tmp_path: Path):
    result = cli(
        "analyze",
        str(files[0]),
        "--events",
        str(files[1]),
        "--out",
        str(tmp_path / "o"),
        "--window",
        "2d",
    )
    assert result.code == 0, result.err
    assert result.out.splitlines()[-1] == f"Wrote {tmp_path / 'o' / 'analysis.json'}"
    assert "Funnel (in order, within 2 days)" in result.out


def test_cli_report_finds_the_map_analyze_read(cli, files: tuple[Path, Path], tmp_path: Path):
    # the map is not in the analysis folder: analysis.json names the file it was read from
    out = tmp_path / "elsewhere" / "analysis"
    assert cli("analyze", str(files[0]), "--events", str(files[1]), "--out", str(out)).code == 0
    document = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    assert document["journey"]["file"] == str(files[0].resolve())
    assert analyze(cjm.load_journey(files[0]), files[1]).journey["file"] is None
    result = cli("report", str(out), "--no-pdf")
    assert result.code == 0, result.err
    assert (out / "report.html").exists()
    files[0].unlink()  # moved or deleted since: the report says how to name it
    result = cli("report", str(out), "--no-pdf")
    assert result.code == 1
    assert "give the map with --map MAP" in result.err


@pytest.mark.parametrize("window", ["2x", "-1d", "d", "0h"])
def test_cli_analyze_refuses_unreadable_windows(cli, files: tuple[Path, Path], window: str):
    result = cli("analyze", str(files[0]), "--events", str(files[1]), "--window", window)
    assert result.code == 1
    assert result.err.startswith(f"Error: cannot read the window {window!r}")


def test_every_top_level_key_of_analysis_json_is_documented(files: tuple[Path, Path]):
    assert set(analyze(*files).to_json()) <= set(FIELDS)


def test_the_package_exposes_analyze_and_read_events(files: tuple[Path, Path]):
    assert cjm.analyze is analyze
    assert cjm.read_events(files[1]).rows == 8
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        _ = cjm.nope  # type: ignore[attr-defined]


def test_each_customer_has_a_current_stage_and_a_status(files: tuple[Path, Path]):
    result = analyze(*files, dormant_after=dt.timedelta(days=3), churned_after=dt.timedelta(days=7))
    rows = {
        r["customer_id"]: (
            r["status"],
            r["current_stage"],
            r["last_touchpoint"],
            r["furthest_stage_index"],
        )
        for r in result.customer_table.to_pylist()
    }
    assert rows == {
        "a": ("dormant", "help", "call", 3),
        "b": ("active", "buy", "cart", 2),
        "c": ("churned", "help", "call", 3),
    }
    assert result.customers["by_current_stage"] == [
        {"stage": "browse", "active": 0, "dormant": 0, "churned": 0},
        {"stage": "buy", "active": 1, "dormant": 0, "churned": 0},
        {"stage": "help", "active": 0, "dormant": 1, "churned": 1},
    ]


def test_a_map_without_event_rules_is_refused_before_the_log_is_read(tmp_path: Path):
    path = tmp_path / "bare.yaml"
    path.write_text("id: bare\nname: Bare\nstages:\n  - {id: a, name: A}\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="journey 'bare' maps no events"):
        analyze(path, tmp_path / "not-read-at-all.csv")


@pytest.mark.parametrize("single_pass", [True, False])
def test_a_rule_testing_a_column_the_log_lacks_is_refused_by_name(
    files: tuple[Path, Path], single_pass: bool
):
    map_path, events = files
    text = map_path.read_text(encoding="utf-8").replace(
        "events: {names: [pay]}", "events: {names: [pay], where: [{attribute: plan, op: exists}]}"
    )
    assert "attribute: plan" in text
    map_path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput, match="tests the attribute 'plan', which the event log") as e:
        analyze(map_path, events, single_pass=single_pass)
    assert e.value.hint == "known columns: customer_id, event, seq, timestamp"  # the log's own


@pytest.mark.parametrize("running", [True, False])
def test_the_garbage_collector_pauses_during_an_analysis_only(
    files: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, running: bool
):
    during = []
    assemble = analysis_module._assemble
    monkeypatch.setattr(
        analysis_module,
        "_assemble",
        lambda *args: during.append(gc.isenabled()) or assemble(*args),
    )
    (gc.enable if running else gc.disable)()
    try:
        analyze(*files)
        assert during == [False]
        assert gc.isenabled() is running
        with pytest.raises(InvalidInput):
            analyze(files[0], tmp_path / "missing.csv")
        assert gc.isenabled() is running
    finally:
        gc.enable()
