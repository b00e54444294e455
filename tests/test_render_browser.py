"""The map and the report in headless Chromium: not blank, nothing overflows, prints to PDF."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.maps import large_map
from PIL import Image
from pypdf import PdfReader

from cjm import example_names, example_path, load_journey
from cjm.render import write_map, write_report
from tests.browser import layout_report, print_pdf, screenshot
from tests.render_fixtures import analysis_folder, full_analysis, subscription


def _not_blank(png: Path) -> None:
    image = Image.open(png).convert("RGB")
    colours = image.getcolors(maxcolors=image.width * image.height) or []
    background = max(count for count, _colour in colours)
    share = 1 - background / (image.width * image.height)
    assert share > 0.05, f"{png.name}: only {share:.1%} of the pixels differ from the background"
    assert len(colours) > 50  # text, lines and colours, not a flat page


def _fits(page: Path, width: int = 1600) -> dict[str, object]:
    found = layout_report(page, width)
    assert found["problems"] == []
    return found


@pytest.mark.parametrize("name", example_names())
def test_bundled_map_renders_and_no_text_leaves_its_box(name: str, tmp_path: Path) -> None:
    page = write_map(load_journey(example_path(name)), tmp_path / f"{name}.html")
    _not_blank(screenshot(page, tmp_path / f"{name}.png"))
    found = _fits(page)
    assert found["boxes"] > 10
    assert found["texts"] > found["boxes"]


def test_map_with_the_full_evidence_overlay_fits(tmp_path: Path) -> None:
    page = write_map(subscription(), tmp_path / "map.html", full_analysis())
    _not_blank(screenshot(page, tmp_path / "map.png"))
    found = _fits(page)
    assert found["boxes"] > 100


def test_twelve_stage_map_stays_readable(tmp_path: Path) -> None:
    page = write_map(large_map(), tmp_path / "large.html")
    _not_blank(screenshot(page, tmp_path / "large.png", 3200, 1400))
    found = _fits(page, 3200)
    assert found["boxes"] >= 12 + 40 + 30 + 12


def test_layout_check_catches_text_outside_its_box(tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text(
        '<!doctype html><html><body><svg width="400" height="200">'
        '<g class="cell" data-lane="x" data-column="y"><rect class="cell-frame" x="0" y="0" '
        'width="100" height="100" fill="none"/><g class="box" data-box="pain:x">'
        '<rect class="frame" x="10" y="10" width="60" height="30"/>'
        '<text x="14" y="30" font-size="12">a text far too long for its frame</text></g></g>'
        "</svg></body></html>",
        encoding="utf-8",
    )
    problems = layout_report(page)["problems"]
    assert isinstance(problems, list)
    assert {"text": "a text far too long for its frame", "box": "pain:x"}.items() <= problems[
        0
    ].items()


def test_report_in_the_browser_fits_and_prints(tmp_path: Path) -> None:
    report = write_report(analysis_folder(tmp_path / "analysis"), pdf=False)
    _not_blank(screenshot(report.html, tmp_path / "report.png", 1400, 1000))
    found = _fits(report.html, 1400)
    assert found["boxes"] > 100  # the map and the flow graph, measured in the page
    printed = PdfReader(print_pdf(report.html, tmp_path / "printed.pdf"))
    assert len(printed.pages) >= 9  # each section starts a page in print
