"""The journey map: every part of the model drawn, layout computed, evidence overlaid."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape
from pathlib import Path

import pytest
from benchmarks.maps import large_map

from cjm import example_names, example_path, load_journey
from cjm.errors import InvalidInput, NotFound
from cjm.model.journey import Journey
from cjm.render import map_svg, read_analysis, render_map, write_map
from cjm.render.palette import PRIORITY
from cjm.render.text import text_width, wrap
from tests.render_fixtures import full_analysis, subscription


def _cell_heights(svg: str, lane: str) -> list[float]:
    pattern = (
        rf'<g class="cell" data-lane="{lane}" data-column="[^"]+">'
        r'<rect x="[^"]+" y="[^"]+" width="[^"]+" height="([^"]+)" class="cell-frame"'
    )
    return [float(h) for h in re.findall(pattern, svg)]


def _boxes(svg: str, prefix: str) -> list[str]:
    return re.findall(rf'data-box="{prefix}:([^"]+)"', svg)


@pytest.mark.parametrize("name", example_names())
def test_map_draws_every_stage_touchpoint_pain_point_opportunity_and_kpi(name: str) -> None:
    journey = load_journey(example_path(name))
    svg = map_svg(journey)
    assert [s for s in _boxes(svg, "stage") if s != "_journey"] == [s.id for s in journey.stages]
    assert _boxes(svg, "touchpoint") == [tp.id for _stage, tp in journey.touchpoints()]
    assert sorted(_boxes(svg, "pain")) == sorted(p.id for p in journey.pain_points)
    assert sorted(_boxes(svg, "opportunity")) == sorted(o.id for o in journey.opportunities)
    assert sorted(_boxes(svg, "kpi")) == sorted(k.id for k in journey.kpis)
    for stage in journey.stages:
        for thought in stage.thoughts:
            assert escape(thought.split()[0]) in svg


def test_pain_points_carry_their_priority_as_word_and_shape_not_only_colour() -> None:
    svg = map_svg(subscription())
    card = re.search(r'data-box="pain:bank-connection-fails">(.*?)</g>', svg)
    assert card is not None
    assert "DISSATISFIER · FIX FIRST" in card.group(1)
    assert "<polygon" in card.group(1)  # the triangle of a dissatisfier
    shapes = {style.shape for style in PRIORITY.values()}
    assert len(shapes) == len(PRIORITY)  # one shape per class
    loyalty = re.search(r'data-box="pain:empty-ledger">(.*?)</g>', svg)
    assert loyalty is not None
    assert "LOYALTY INHIBITOR · FIX NEXT" in loyalty.group(1)


def test_opportunities_say_quick_win_or_long_term_in_words() -> None:
    svg = map_svg(subscription())
    assert re.search(r'data-box="opportunity:plan-finder">.*?QUICK WIN · STREAMLINE', svg)
    assert re.search(r'data-box="opportunity:new-bank-aggregator">.*?LONG TERM · STREAMLINE', svg)


def test_long_names_wrap_and_their_lane_grows() -> None:
    journey = subscription()
    long = "A pain point with a very long name that no column is wide enough to hold on one line"
    data = journey.model_dump()
    assert data["pain_points"][4]["stage"] == "retention"  # the column with the most cards
    data["pain_points"][4]["name"] = long
    longer = Journey.model_validate(data)
    assert _cell_heights(map_svg(longer), "pains")[0] > _cell_heights(map_svg(journey), "pains")[0]
    assert len(wrap(long, 200, 11.5, bold=True)) >= 3
    lines = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", map_svg(longer))
    assert "A pain point with a very long" in lines  # wrapped by measured width, not cut
    assert "enough to hold on one line" in lines


def test_wrap_never_exceeds_the_width_and_splits_words_longer_than_a_line() -> None:
    text = "Supercalifragilisticexpialidocious onboarding, a word longer than its box"
    lines = wrap(text, 90, 12)
    assert all(text_width(line, 12) <= 90 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_twelve_stages_forty_touchpoints_thirty_pain_points_get_one_column_each() -> None:
    journey = large_map()
    svg = map_svg(journey)
    assert len(_boxes(svg, "stage")) == 12
    assert len(_boxes(svg, "touchpoint")) == 40
    assert len(_boxes(svg, "pain")) == 30
    width = int(re.search(r'<svg[^>]* width="(\d+)"', svg).group(1))  # type: ignore[union-attr]
    assert width >= 12 * 236  # columns keep their width: nothing is squeezed


def test_without_analysis_the_evidence_lanes_are_left_out() -> None:
    svg = map_svg(subscription())
    assert 'data-lane="funnel"' not in svg
    assert 'data-lane="feedback"' not in svg
    assert "run &#x27;cjm analyze&#x27; to overlay the evidence" in svg


def test_analysis_overlays_funnel_feedback_detected_pain_points_and_lights() -> None:
    analysis = read_analysis(full_analysis())
    svg = map_svg(subscription(), analysis)
    assert "3,951 customers" in svg  # funnel reach under Consideration
    assert "79% of previous stage (95% CI 78–80%)" in svg
    assert "340 feedback items" in svg
    assert "bank connection (150)" in svg
    assert _boxes(svg, "detected") == ["pricing-page-ping-pong", "help-centre-loop"]
    written = re.search(r'data-box="pain:bank-connection-fails">(.*?)</g>', svg)
    assert written is not None
    assert "612 customers affected" in written.group(1)  # merged into the written card
    assert 'class="measured"' in svg
    assert svg.count('<rect x="') > 0
    assert "JPI Red: bank-connection-success 76% below its 80% yellow line" in svg
    assert "Journey JPI: Red." in svg
    assert "Red: 11% (10%–12%)" in svg  # the KPI with its interval


def test_analysis_sections_may_be_missing_or_grow_fields() -> None:
    document = full_analysis()
    del document["feedback"], document["kpis"]
    document["jpi"]["stages"] = {"awareness": {"status": "green", "reasons": "on target", "x": 1}}
    svg = map_svg(subscription(), read_analysis(document))
    assert 'data-lane="feedback"' not in svg
    assert "JPI Green: on target" in svg


def test_render_map_formats(tmp_path: Path) -> None:
    journey = subscription()
    assert render_map(journey, fmt="png")[:8] == b"\x89PNG\r\n\x1a\n"
    assert render_map(journey, fmt="pdf")[:5] == b"%PDF-"
    html = render_map(journey, full_analysis(), fmt="html")
    assert html.startswith("<!doctype html>")
    assert "<svg" in html
    assert not re.search(r'(src|href)="https?:|url\(https?:|@import', html)  # works offline
    for suffix in ("svg", "html"):  # png and pdf go through the same writer, drawn above
        assert write_map(journey, tmp_path / f"map.{suffix}").stat().st_size > 1000
    assert (tmp_path / "map.svg").read_text(encoding="utf-8") == map_svg(journey)


def test_write_map_refuses_an_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as error:
        write_map(subscription(), tmp_path / "map.gif")
    assert (
        error.value.message == f"{tmp_path / 'map.gif'} does not end in .svg, .html, .png or .pdf"
    )
    assert error.value.hint == "name the output like map.html, map.svg, map.png or map.pdf"


def test_read_analysis_explains_a_missing_folder_and_a_foreign_file(tmp_path: Path) -> None:
    with pytest.raises(NotFound) as missing:
        read_analysis(tmp_path / "nowhere")
    assert missing.value.hint == "run 'cjm analyze MAP --events LOG --out DIR' first, then give DIR"
    (tmp_path / "analysis.json").write_text('{"rows": 1}', encoding="utf-8")
    with pytest.raises(InvalidInput) as foreign:
        read_analysis(tmp_path)
    assert foreign.value.message == "this is not an analysis.json: it has no 'journey' key"


def test_journey_shows_its_map_in_jupyter() -> None:
    html = subscription()._repr_html_()
    assert html.startswith('<div class="cjm-journey"')
    assert "Ledgerline subscription" in html


@pytest.mark.parametrize(
    ("journey", "lanes"),
    [
        (
            subscription,
            "goal actions touchpoints thoughts emotion pains opportunities kpis backstage",
        ),
        (large_map, "goal actions touchpoints emotion pains kpis backstage"),  # no thoughts
    ],
)
def test_lanes_run_from_what_customers_do_to_what_the_company_owns(
    journey: Callable[[], Journey], lanes: str
) -> None:
    drawn = re.findall(r'class="lane[^"]*" data-lane="(\w+)"', map_svg(journey()))
    assert drawn == lanes.split()
