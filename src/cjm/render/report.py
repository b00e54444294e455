"""``cjm report``: one folder of analysis in, the report people read out.

:func:`write_report` reads ``analysis.json`` and the map beside it and writes, into the
same folder (or ``out``): ``report.html`` (self-contained, works offline), ``report.pdf``,
``report.md`` (Markdown with a Mermaid diagram), ``journey.mmd``, ``map.svg``, ``map.png``,
``pain_points.csv``, ``opportunities.csv`` and ``report.xlsx``.

>>> import tempfile
>>> from cjm.demo import run_demo
>>> folder = tempfile.mkdtemp()
>>> _ = run_demo(folder, customers=200, report=False)
>>> report = write_report(folder, pdf=False)
>>> sorted(p.name for p in report.files)[:3]
['journey.mmd', 'map.png', 'map.svg']
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from jinja2 import Environment
from markupsafe import Markup, escape

from cjm.errors import InvalidInput
from cjm.model.files import write_text
from cjm.model.io import load_journey
from cjm.model.journey import Journey
from cjm.render import charts, formats
from cjm.render.flow_graph import flow_svg
from cjm.render.journey_map import map_svg
from cjm.render.markdown import MARKS, kpi_rows, markdown_summary
from cjm.render.mermaid import mermaid_journey
from cjm.render.output import PNG_SCALE
from cjm.render.palette import LIGHTS, horizon_style, light_style, priority_style
from cjm.render.results import AnalysisView, read_analysis
from cjm.render.tables import (
    OPPORTUNITY_COLUMNS,
    PAIN_COLUMNS,
    opportunity_rows,
    pain_point_rows,
    to_csv,
    write_xlsx,
)

MAP_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Section:
    """One section of the report: an anchor, a title, a lead sentence and its HTML."""

    id: str
    title: str
    lead: str
    body: Markup
    css: str = ""


@dataclass(frozen=True)
class Report:
    """What :func:`write_report` wrote."""

    folder: Path
    html: Path
    pdf: Path | None
    files: list[Path]


def find_map(folder: Path, analysis: AnalysisView) -> Path:
    """The map file in ``folder`` whose journey id is the analysis's, else the file the
    analysis was made from (``journey.file`` in analysis.json) if it is still that journey."""
    candidates = sorted(folder.iterdir())
    if analysis.journey_file is not None and analysis.journey_file.is_file():
        candidates.append(analysis.journey_file)
    for path in candidates:
        if path.suffix.lower() in MAP_SUFFIXES and path.name != "analysis.json":
            try:
                if load_journey(path).id == analysis.journey_id:
                    return path
            except InvalidInput:
                continue
    raise InvalidInput(
        f"no map of journey '{analysis.journey_id}' in {folder}",
        hint="give the map with --map MAP (the file 'cjm analyze' read)",
    )


def write_report(
    folder: str | Path,
    journey: Journey | str | Path | None = None,
    *,
    out: str | Path | None = None,
    pdf: bool = True,
) -> Report:
    """Write the report of the analysis in ``folder``; see the module doc for the files."""
    source = Path(folder)
    analysis = read_analysis(source)
    if journey is None:
        journey = find_map(source if source.is_dir() else source.parent, analysis)
    if not isinstance(journey, Journey):
        journey = load_journey(journey)
    if journey.id != analysis.journey_id:
        raise InvalidInput(
            f"the analysis is of journey '{analysis.journey_id}', the map of '{journey.id}'",
            hint="give the map the analysis was made with",
        )
    target = Path(out) if out else (source if source.is_dir() else source.parent)
    target.mkdir(parents=True, exist_ok=True)
    svg = map_svg(journey, analysis)
    html = report_html(journey, analysis, svg, str(source))
    files = _write_texts(target, journey, analysis, svg, html)
    import vl_convert

    (target / "map.png").write_bytes(vl_convert.svg_to_png(svg, scale=PNG_SCALE))
    files.append(target / "map.png")
    pains = pain_point_rows(journey, analysis)
    opportunities = opportunity_rows(journey)
    sheets = {
        "Pain points": (PAIN_COLUMNS, pains),
        "Opportunities": (OPPORTUNITY_COLUMNS, opportunities),
    }
    files.append(write_xlsx(target / "report.xlsx", sheets))
    pdf_path = write_pdf(html, target / "report.pdf") if pdf else None
    if pdf_path:
        files.append(pdf_path)
    return Report(target, target / "report.html", pdf_path, files)


def _write_texts(
    target: Path, journey: Journey, analysis: AnalysisView, svg: str, html: str
) -> list[Path]:
    texts = {
        "report.html": html,
        "map.svg": svg,
        "report.md": markdown_summary(journey, analysis),
        "journey.mmd": mermaid_journey(journey),
        "pain_points.csv": to_csv(pain_point_rows(journey, analysis), PAIN_COLUMNS),
        "opportunities.csv": to_csv(opportunity_rows(journey), OPPORTUNITY_COLUMNS),
    }
    for name, text in texts.items():
        write_text(target / name, text)
    return [target / name for name in texts]


def pdf_available() -> bool:
    """Whether WeasyPrint and the pango libraries it needs are installed."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def write_pdf(html: str, path: Path) -> Path:
    """Print the report HTML to PDF with WeasyPrint (A4 landscape, the map on an A3 page)."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: the pango libraries are missing
        raise InvalidInput(
            f"cannot write {path.name}: WeasyPrint is not usable ({exc})",
            hint="pip install 'cjm[pdf]' (and Debian's libpango-1.0-0), or use --no-pdf",
        ) from None
    HTML(string=html).write_pdf(path)
    return path


def report_html(journey: Journey, analysis: AnalysisView, svg: str, source: str) -> str:
    """The self-contained report page."""
    from cjm import __version__

    template = resources.files("cjm.render").joinpath("templates/report.html.j2").read_text("utf-8")
    environment = Environment(autoescape=True, keep_trailing_newline=True)
    return environment.from_string(template).render(
        title=f"Journey report: {journey.name}",
        journey=journey,
        facts=_facts(journey, analysis),
        sections=sections(journey, analysis, svg),
        version=__version__,
        source=source,
    )


def _facts(journey: Journey, analysis: AnalysisView) -> str:
    period = analysis.inputs.get("period") or {}
    parts = [
        f"Evidence from {str(period.get('start', '?'))[:10]} to {str(period.get('end', '?'))[:10]}"
    ]
    if journey.owner:
        parts.append(f"owner {journey.owner}")
    if journey.last_validated:
        parts.append(f"map last validated {journey.last_validated.isoformat()}")
    return " · ".join(parts)


def sections(journey: Journey, analysis: AnalysisView, svg: str) -> list[Section]:
    """Every section of the report, in order."""
    result = [
        Section("glance", "At a glance", "", _glance(journey, analysis), "first"),
        Section(
            "map",
            "The journey map",
            "Stages left to right; lanes top to bottom. The legend "
            "at the bottom explains every colour and shape.",
            Markup(f'<div class="scroll">{svg}</div>'),
            "map-section",
        ),
    ]
    if analysis.funnel():
        result.append(
            Section(
                "funnel",
                "Funnel",
                "Customers who reached each stage in order, and "
                "the conversion from the previous stage with its 95% interval.",
                _chart(charts.funnel_chart(journey, analysis)),
            )
        )
    if analysis.transitions:
        result.append(
            Section(
                "flow",
                "Flow between touchpoints",
                "The most frequent steps from one touchpoint to the next, stage by stage.",
                Markup(
                    f'<div class="scroll chart">{flow_svg(journey, analysis.transitions)}</div>'
                ),
            )
        )
    if analysis.variants():
        result.append(
            Section(
                "variants",
                "Top paths",
                "The most common sequences of stages.",
                _chart(charts.variants_chart(journey, analysis)),
            )
        )
    lead = "The emotion the team designed for each stage"
    lead += (
        ", and the sentiment customers expressed (same scale, 95% interval)."
        if analysis.has_feedback
        else (". Measured sentiment appears here once the analysis includes feedback.")
    )
    result += [
        Section(
            "emotion",
            "Emotion by stage",
            lead,
            _chart(charts.emotion_chart(charts.emotion_points(journey, analysis))),
        ),
        Section(
            "pain-points",
            "Pain points",
            "Ranked by priority class: dissatisfiers first, then "
            "loyalty inhibitors, then enhancers.",
            _pain_table(journey, analysis),
        ),
        Section(
            "opportunities",
            "Opportunities",
            "Impact against effort; the shaded corner holds the quick wins; numbers refer to "
            "the table.",
            _chart(charts.opportunity_matrix(journey)) + _opportunity_table(journey),
        ),
        Section(
            "kpis",
            "KPIs and JPI",
            "Each KPI against its target. Lights: "
            + ", ".join(f"{s.label} ({s.cue})" for s in LIGHTS.values())
            + ".",
            _kpi_table(journey, analysis),
        ),
    ]
    return result


def _chart(spec: charts.Spec) -> Markup:
    return Markup(f'<div class="chart scroll">{charts.to_svg(spec)}</div>')


def _glance(journey: Journey, analysis: AnalysisView) -> Markup:
    inputs = analysis.inputs
    funnel = analysis.funnel()
    figures = [
        (formats.count(inputs.get("customers")), "customers"),
        (formats.count(inputs.get("rows")), "events"),
    ]
    if funnel and funnel[0].reached:
        figures.append(
            (
                formats.percent(funnel[-1].reached / funnel[0].reached),
                f"reached {journey.stages[-1].name}",
            )
        )
    unmapped = (inputs.get("unmapped") or {}).get("events")
    if unmapped is not None:
        figures.append((formats.count(unmapped), "events matched no touchpoint"))
    figures.append((str(len(journey.pain_points)), "pain points on the map"))
    html = "".join(
        f'<div class="figure"><b>{escape(v)}</b><span>{escape(k)}</span></div>' for v, k in figures
    )
    jpi = analysis.jpi()
    note = (
        f"<p>Journey JPI: {_light(jpi.status)} {escape('; '.join(jpi.reasons))}</p>"
        if jpi
        else '<p class="note">The journey JPI appears here once the analysis computes KPIs.</p>'
    )
    return Markup(f'<div class="figures">{html}</div>{note}')


def _light(status: str | None) -> Markup:
    style = light_style(status)
    key = status if status in LIGHTS else "insufficient_data"
    return Markup(
        f'<span class="light {key}"><i style="background:{style.colour}">{MARKS[style.shape]}</i>'
        f"{escape(style.label)}</span>"
    )


def _badge(colour: str, mark: str, label: str) -> Markup:
    return Markup(
        f'<span class="badge" style="border-color:{colour};color:{colour}">'
        f"{mark} {escape(label)}</span>"
    )


def _table(
    header: list[str], rows: list[list[Markup | str]], numeric: frozenset[int] = frozenset()
) -> Markup:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{escape(c)}</td>' if i in numeric else f"<td>{escape(c)}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return Markup(
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


_RANK = {"dissatisfier": 1, "loyalty_inhibitor": 2, "enhancer": 3}


def _pain_table(journey: Journey, analysis: AnalysisView) -> Markup:
    names = {stage.id: stage.name for stage in journey.stages}
    rows: list[list[Markup | str]] = []
    for row in sorted(
        pain_point_rows(journey, analysis),
        key=lambda r: _RANK.get(r["priority"] or "", 9),
    ):
        style = priority_style(row["priority"])
        rows.append(
            [
                _badge(style.colour, MARKS[style.shape], style.label),
                row["name"],
                names.get(row["stage"] or "", row["stage"] or ""),
                " · ".join(str(row[k]) for k in ("owner_area", "kind", "interaction") if row[k]),
                formats.words(str(row["status"] or ""))
                + (" (detected)" if row["origin"] == "detected" else ""),
                formats.count(row["customers_affected"]),
            ]
        )
    return _table(
        [
            "Priority",
            "Pain point",
            "Stage",
            "Owner area · kind · interaction",
            "Status",
            "Customers affected",
        ],
        rows,
        frozenset({5}),
    )


def _opportunity_table(journey: Journey) -> Markup:
    teams = {team.id: team.name for team in journey.teams}
    rows: list[list[Markup | str]] = []
    for number, opp in enumerate(journey.opportunities, start=1):
        style = horizon_style(opp.horizon)
        rows.append(
            [
                str(number),
                _badge(style.colour, MARKS[style.shape], style.label),
                opp.name,
                opp.type.value if opp.type else "",
                str(opp.impact or ""),
                str(opp.effort or ""),
                teams.get(opp.owner or "", opp.owner or ""),
                formats.words(opp.status.value),
                opp.due.isoformat() if opp.due else "",
            ]
        )
    return _table(
        ["#", "Horizon", "Opportunity", "Type", "Impact", "Effort", "Owner", "Status", "Due"],
        rows,
        frozenset({0, 4, 5}),
    )


def _kpi_table(journey: Journey, analysis: AnalysisView) -> Markup:
    rows: list[list[Markup | str]] = []
    for kpi, row in zip(journey.kpis, kpi_rows(journey, analysis), strict=True):
        measured = analysis.kpi(kpi.id)
        rows.append(
            [
                _light(measured.status if measured else None),
                *row[1:],
                (measured.reason or "") if measured else "no value in the analysis yet",
            ]
        )
    return _table(["Light", "KPI", "Stage", "Target", "Value (95% CI)", "Why"], rows)
