"""A Markdown summary of an analysis: what a team pastes into a wiki page or a pull request.

>>> from cjm import example_path, load_journey
>>> text = markdown_summary(load_journey(example_path("subscription")), None)
>>> text.splitlines()[0], "```mermaid" in text
('# Ledgerline subscription', True)
"""

from __future__ import annotations

from cjm.model.journey import Journey
from cjm.render import formats
from cjm.render.mermaid import mermaid_journey
from cjm.render.palette import horizon_style, light_style, priority_style
from cjm.render.results import AnalysisView

MARKS = {
    "triangle": "▲",
    "diamond": "◆",
    "circle": "●",
    "square": "■",
    "bolt": "⚡",
    "hourglass": "◷",
    "check": "✓",
    "bang": "!",
    "cross": "✕",
    "query": "?",
}


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |"

    return [line(header), "| " + " | ".join("---" for _ in header) + " |", *map(line, rows), ""]


def markdown_summary(journey: Journey, analysis: AnalysisView | None) -> str:
    """The summary: evidence, funnel, pain points, opportunities, KPIs, and the Mermaid map."""
    names = {stage.id: stage.name for stage in journey.stages}
    out = [f"# {journey.name}", ""]
    if journey.purpose:
        out += [f"**Purpose:** {journey.purpose}", ""]
    if analysis:
        inputs = analysis.inputs
        out += [
            f"Evidence: {formats.count(inputs.get('customers'))} customers, "
            f"{formats.count(inputs.get('rows'))} events.",
            "",
        ]
        jpi = analysis.jpi()
        if jpi:
            style = light_style(jpi.status)
            out += [
                f"**Journey JPI: {MARKS[style.shape]} {style.label}.** " + "; ".join(jpi.reasons),
                "",
            ]
        out += ["## Funnel", ""]
        out += _table(
            ["Stage", "Reached", "Conversion", "95% CI", "Median time from previous"],
            [
                [
                    names.get(r.stage, r.stage),
                    formats.count(r.reached),
                    formats.percent(r.conversion, 1),
                    formats.interval(*r.ci95) if r.ci95 else "",
                    formats.duration(r.median_s),
                ]
                for r in analysis.funnel()
            ],
        )
    out += ["## Pain points", ""]
    detected = {d.id: d for d in analysis.detected_pain_points()} if analysis else {}
    rows = []
    for pain in sorted(journey.pain_points, key=lambda p: p.priority.rank if p.priority else 9):
        style = priority_style(pain.priority)
        found = detected.pop(pain.id, None)
        rows.append(
            [
                f"{MARKS[style.shape]} {style.label}",
                pain.name,
                names[pain.stage],
                formats.words(pain.status.value),
                formats.count(found.customers_affected) if found else "",
            ]
        )
    for found in detected.values():
        style = priority_style(found.priority)
        rows.append(
            [
                f"{MARKS[style.shape]} {style.label} (detected)",
                found.name,
                names.get(found.stage or "", found.stage or ""),
                "open",
                formats.count(found.customers_affected),
            ]
        )
    out += _table(["Priority", "Pain point", "Stage", "Status", "Customers affected"], rows)
    out += ["## Opportunities", ""]
    out += _table(
        ["Horizon", "Opportunity", "Impact", "Effort", "Status"],
        [
            [
                f"{MARKS[horizon_style(o.horizon).shape]} {horizon_style(o.horizon).label}",
                o.name,
                str(o.impact or ""),
                str(o.effort or ""),
                formats.words(o.status.value),
            ]
            for o in journey.opportunities
        ],
    )
    out += ["## KPIs", ""]
    out += _table(["Light", "KPI", "Stage", "Target", "Value"], kpi_rows(journey, analysis))
    out += ["## The journey", "", "```mermaid", mermaid_journey(journey).rstrip(), "```", ""]
    return "\n".join(out)


def kpi_rows(journey: Journey, analysis: AnalysisView | None) -> list[list[str]]:
    """Per KPI: light (mark and word), name, stage, target, measured value with its CI."""
    names = {stage.id: stage.name for stage in journey.stages}
    rows = []
    for kpi in journey.kpis:
        measured = analysis.kpi(kpi.id) if analysis else None
        style = light_style(measured.status if measured else None)
        unit = kpi.unit.value if kpi.unit else None
        value = ""
        if measured and measured.value is not None:
            value = formats.kpi_value(measured.value, unit)
            if measured.ci95:
                low, high = (formats.kpi_value(v, unit) for v in measured.ci95)
                value += f" ({low}–{high})"
        sign = "≥" if kpi.better.value == "higher" else "≤"
        rows.append(
            [
                f"{MARKS[style.shape]} {style.label}",
                kpi.name,
                names.get(kpi.stage or "", "whole journey"),
                f"{sign} {formats.kpi_value(kpi.target, unit)}",
                value,
            ]
        )
    return rows
