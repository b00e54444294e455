"""cjm render and cjm report: thin commands, clear errors."""

from __future__ import annotations

from pathlib import Path

from cjm import example_path
from tests.render_fixtures import analysis_folder


def test_render_writes_the_format_its_suffix_names(cli, workdir: Path) -> None:
    result = cli("render", str(example_path("subscription")), "-o", "map.svg")
    assert (result.code, result.out) == (0, "Wrote map.svg\n")
    assert Path("map.svg").read_text(encoding="utf-8").startswith("<svg")


def test_render_overlays_an_analysis_folder(cli, workdir: Path) -> None:
    folder = analysis_folder(workdir / "analysis")
    result = cli(
        "render", str(folder / "subscription.yaml"), "--analysis", str(folder), "-o", "m.html"
    )
    assert result.code == 0
    assert "3,951 customers" in Path("m.html").read_text(encoding="utf-8")


def test_render_refuses_an_unknown_format(cli, workdir: Path) -> None:
    result = cli("render", str(example_path("subscription")), "-o", "map.gif")
    assert result.code == 1
    assert result.err == (
        "Error: map.gif does not end in .svg, .html, .png or .pdf\n\n"
        "name the output like map.html, map.svg, map.png or map.pdf\n"
    )


def test_report_lists_what_it_wrote(cli, workdir: Path) -> None:
    folder = analysis_folder(workdir / "analysis")
    result = cli("report", str(folder), "--no-pdf", "-o", "out")
    assert result.code == 0
    assert result.out.splitlines()[0] == "Wrote 8 files into out:"
    assert result.out.splitlines()[-1] == f"Open {Path('out', 'report.html')}"
    assert Path("out/report.xlsx").exists()
    assert not Path("out/report.pdf").exists()


def test_report_of_a_folder_without_analysis(cli, workdir: Path) -> None:
    result = cli("report", "nothing-here")
    assert result.code == 1
    assert result.err == (
        "Error: nothing-here does not exist\n\n"
        "run 'cjm analyze MAP --events LOG --out DIR' first, then give DIR\n"
    )
