"""cjm report: every file written, readable, and saying what the analysis says."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from cjm.errors import InvalidInput
from cjm.render import markdown_summary, mermaid_journey, read_analysis, write_report
from cjm.render.report import Report
from tests.render_fixtures import analysis_folder, full_analysis, subscription

SECTIONS = [
    "At a glance",
    "The journey map",
    "Funnel",
    "Flow between touchpoints",
    "Top paths",
    "Emotion by stage",
    "Pain points",
    "Opportunities",
    "KPIs and JPI",
]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return write_report(analysis_folder(tmp_path_factory.mktemp("analysis")))


def test_report_writes_every_format(report: Report) -> None:
    names = sorted(path.name for path in report.files)
    assert names == sorted(
        [
            "report.html",
            "report.pdf",
            "report.md",
            "journey.mmd",
            "map.svg",
            "map.png",
            "pain_points.csv",
            "opportunities.csv",
            "report.xlsx",
        ]
    )
    assert all(path.stat().st_size > 0 for path in report.files)
    assert (report.folder / "map.png").read_bytes()[:4] == b"\x89PNG"


def test_report_html_is_self_contained_and_has_every_section(report: Report) -> None:
    html = report.html.read_text(encoding="utf-8")
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//|url\((https?:)?//|@import', html)
    assert "<script" not in html
    headings = re.findall(r"<h2>([^<]+)</h2>", html)
    assert headings == SECTIONS
    assert html.count("<svg") >= 6  # map, funnel, flow, paths, emotion, matrix


def test_report_pdf_has_one_page_per_section_and_the_map_on_a3(report: Report) -> None:
    assert report.pdf is not None
    pages = PdfReader(report.pdf).pages
    first_lines = [(page.extract_text() or "").replace("\x00", "").split("\n")[0] for page in pages]
    starts = [first_lines.index(section) for section in SECTIONS[1:]]
    assert starts == sorted(starts)  # sections in order, each from its own page
    assert len(set(starts)) == len(SECTIONS) - 1
    assert len(pages) in range(len(SECTIONS), len(SECTIONS) + 4)  # long tables may run over
    width, height = float(pages[starts[0]].mediabox.width), float(pages[starts[0]].mediabox.height)
    assert (round(width), round(height)) == (842, 1191)  # A3 portrait: the map
    assert round(float(pages[0].mediabox.width)) == 842  # A4 landscape


def test_pain_points_csv_and_xlsx_hold_written_and_detected_rows(report: Report) -> None:
    with (report.folder / "pain_points.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    journey = subscription()
    assert [r["id"] for r in rows[: len(journey.pain_points)]] == [
        p.id for p in journey.pain_points
    ]
    detected = {r["id"]: r for r in rows[len(journey.pain_points) :]}
    assert set(detected) == {"help-centre-loop", "pricing-page-ping-pong"}
    assert detected["help-centre-loop"]["customers_affected"] == "287"
    assert (
        next(r for r in rows if r["id"] == "bank-connection-fails")["customers_affected"] == "612"
    )
    book = load_workbook(report.folder / "report.xlsx")
    assert book.sheetnames == ["Pain points", "Opportunities"]
    assert book["Pain points"].max_row == len(rows) + 1
    assert book["Opportunities"].max_row == len(journey.opportunities) + 1
    assert book["Opportunities"].freeze_panes == "A2"
    quick = [r for r in book["Opportunities"].iter_rows(min_row=2, values_only=True) if r[7]]
    assert {r[0] for r in quick} == {"plan-finder", "guided-first-week"}


def test_markdown_summary_has_funnel_pain_points_kpis_and_mermaid(report: Report) -> None:
    text = (report.folder / "report.md").read_text(encoding="utf-8")
    assert "| Consideration | 3,951 | 79.0% | 78–80% | 6.0 d |" in text
    assert "**Journey JPI: ✕ Red.**" in text
    assert "| ✕ Red | Trial to paid | Purchase | ≥ 25% | 11% (10%–12%) |" in text
    assert (
        "| ▲ Dissatisfier (detected) | Help centre searches that end in a call to support |" in text
    )
    assert "```mermaid\njourney\n" in text


def test_mermaid_journey_scores_emotion_and_escapes_syntax() -> None:
    journey = subscription()
    data = journey.model_dump()
    data["stages"][0]["touchpoints"][0]["name"] = "Guides: VAT; #1"
    text = mermaid_journey(type(journey).model_validate(data))
    lines = text.splitlines()
    assert lines[:3] == ["journey", "    title Ledgerline subscription", "    section Awareness"]
    assert lines[3] == "      Guides VAT 1: 2: Customer, Content and help centre"  # emotion -1 → 2
    tasks = [line for line in lines if line.startswith("      ")]
    assert len(tasks) == len(journey.touchpoints())
    assert all(re.fullmatch(r"      [^:;#]+: [1-5]: [^:;#]+", task) for task in tasks)


def test_markdown_without_analysis_still_lists_the_map() -> None:
    text = markdown_summary(subscription(), None)
    assert "## Funnel" not in text
    assert "| ◆ Loyalty inhibitor | Nothing to see on day one | Onboarding | open |  |" in text


def test_report_refuses_a_map_of_another_journey(tmp_path: Path) -> None:
    document = full_analysis()
    document["journey"]["id"] = "other"
    folder = analysis_folder(tmp_path, document)
    with pytest.raises(InvalidInput) as error:
        write_report(folder, pdf=False)
    assert error.value.message == f"no map of journey 'other' in {folder}"
    assert error.value.hint == "give the map with --map MAP (the file 'cjm analyze' read)"
    with pytest.raises(InvalidInput) as mismatch:
        write_report(folder, folder / "subscription.yaml", pdf=False)
    assert mismatch.value.message == "the analysis is of journey 'other', the map of 'subscription'"


def test_report_of_a_plain_analysis_explains_what_is_missing(tmp_path: Path) -> None:
    document = full_analysis()
    for key in ("feedback", "pain_points", "kpis", "jpi"):
        del document[key]
    result = write_report(analysis_folder(tmp_path, document), pdf=False)
    html = result.html.read_text(encoding="utf-8")
    assert "The journey JPI appears here once the analysis computes KPIs." in html
    assert "Measured sentiment appears here once the analysis includes feedback." in html
    assert result.pdf is None


def test_analysis_shows_its_funnel_in_jupyter() -> None:
    from cjm.render.notebook import analysis_html

    html = analysis_html(full_analysis())
    assert "5,000 customers" in html
    assert "<td>Consideration</td>" in html
    assert "78–80%" in html
    assert read_analysis(full_analysis()).journey_id == "subscription"
