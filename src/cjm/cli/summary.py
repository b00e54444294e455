"""Readable terminal summaries of a journey and of its history (Rich tables)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from cjm.analytics.analyze import Analysis
from cjm.model import Diagnostic, Journey, Severity
from cjm.store import RevisionInfo
from cjm.voc.pipeline import FeedbackAnalysis

EMOTION = {-2: "−2 ▼▼", -1: "−1 ▼", 0: " 0 ●", 1: "+1 ▲", 2: "+2 ▲▲"}


def console() -> Console:
    """A console on stdout; plain text when stdout is not a terminal."""
    return Console(highlight=False, soft_wrap=False)


def print_journey(
    journey: Journey, diagnostics: Sequence[Diagnostic], info: RevisionInfo | None = None
) -> None:
    """Print the map: overview, stages, pain points, opportunities, KPIs, findings."""
    out = console()
    revision = f" · revision {info.number} by {info.author}" if info else ""
    out.print(Text(f"{journey.name} ({journey.id}){revision}", style="bold"))
    for label, value in _overview(journey):
        out.print(Text.assemble((f"  {label}: ", "dim"), value))
    out.print(_stages(journey))
    if journey.pain_points:
        out.print(_pain_points(journey))
    if journey.opportunities:
        out.print(_opportunities(journey))
    if journey.kpis:
        out.print(_kpis(journey))
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = len(diagnostics) - errors
    if diagnostics:
        out.print(f"{errors} error(s), {warnings} warning(s): run 'cjm validate' for details")


def print_analysis(result: Analysis) -> None:
    """Print what an analysis found: inputs, the funnel, top transitions and variants."""
    out = console()
    inputs = result.inputs
    out.print(Text(f"{result.journey['name']} ({result.journey['id']})", style="bold"))
    out.print(
        f"  {inputs['rows']:,} events from {inputs['customers']:,} customers, "
        f"{inputs['period']['start']:%Y-%m-%d} to {inputs['period']['end']:%Y-%m-%d}; "
        f"{inputs['unmapped']['events']:,} events matched no touchpoint, "
        f"{inputs['bad_rows']['total']:,} bad rows left out"
    )
    window = f"within {result.window_s / 86400:g} days" if result.window_s else "no window"
    table = Table(title=f"Funnel (in order, {window})", title_justify="left")
    for column in ("Stage", "Reached", "Conversion", "95% CI", "Median time", "Any order"):
        table.add_column(column, justify="left" if column == "Stage" else "right")
    stages = result.stages
    for step, any_order in zip(result.funnel_ordered, result.funnel_any_order, strict=True):
        ci = f"{step.interval.low:.0%}–{step.interval.high:.0%}" if step.interval else ""
        _add_row(
            table,
            stages[step.step - 1]["name"],
            f"{step.reached:,}",
            f"{step.conversion:.1%}" if step.conversion is not None else "",
            ci,
            _duration(step.median_s),
            f"{any_order.reached:,}",
        )
    out.print(table)
    flows = Table(title="Top transitions between touchpoints", title_justify="left")
    for column in ("From", "To", "Customers' steps", "Median time"):
        flows.add_column(column)
    for edge in result.flow["touchpoints"][:8]:
        _add_row(
            flows, edge["source"], edge["target"], f"{edge['count']:,}", _duration(edge["median_s"])
        )
    out.print(flows)
    paths = Table(title="Top stage paths", title_justify="left")
    for column in ("Path", "Customers", "Share"):
        paths.add_column(column)
    for variant in result.variants["stages"]["top"][:5]:
        _add_row(
            paths,
            " → ".join(variant["path"]),
            f"{variant['customers']:,}",
            f"{variant['share']:.1%}",
        )
    out.print(paths)
    for segmentation in result.segments:
        _print_segments(out, segmentation, stages[-1]["name"] if stages else "")


def _print_segments(out: Console, segmentation: dict[str, Any], last: str) -> None:
    table = Table(title=f"By {segmentation['by']}", title_justify="left")
    for column in ("Segment", "Customers", f"Reached {last}", "Active", "Churned"):
        table.add_column(column, justify="left" if column == "Segment" else "right")
    for group in segmentation["groups"]:
        funnel = group["funnel"]["ordered"]
        reached = funnel[-1].reached / group["customers"] if funnel and group["customers"] else 0
        _add_row(
            table,
            str(group["segment"]),
            f"{group['customers']:,}",
            f"{reached:.1%}",
            f"{group['status']['active']:,}",
            f"{group['status']['churned']:,}",
        )
    out.print(table)


def print_feedback(result: FeedbackAnalysis) -> None:
    """Print the measured emotion curve per stage, survey scores and the top themes."""
    out = console()
    data = result.to_json()
    report = data["report"]
    out.print(
        f"  {data['items']:,} feedback items ({data['encoder']} encoder); placed by "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(data["placed_by"].items()))
        + f"; {report['empty_text']} empty, {sum(report['other_language'].values())} in "
        f"another language, {report['duplicate_ids'] + report['duplicate_texts']} duplicates, "
        f"{report['html']} HTML, {report['truncated']} cut, {data['bad_rows']['total']} bad rows"
    )
    table = Table(title="Measured emotion curve (mean sentiment, 95% CI)", title_justify="left")
    for column in ("Stage", "Items", "Sentiment", "95% CI", "Curve", "CSAT", "NPS", "CES"):
        table.add_column(column, justify="left" if column in ("Stage", "Curve") else "right")
    for stage in [*result.stages, result.unassigned]:
        mood = stage["sentiment"]
        _add_row(
            table,
            stage["name"],
            f"{stage['items']:,}",
            _signed(mood["mean"]),
            "–".join(_signed(v) for v in mood["ci95"]) if mood["ci95"] else "",
            _bar(mood["mean"]),
            _signed(stage["csat"]["mean"], "{:.2f}"),
            _signed(stage["nps"]["value"], "{:+.0f}"),
            _signed(stage["ces"]["mean"], "{:.2f}"),
        )
    out.print(table)
    themes = Table(title="Top themes in negative feedback", title_justify="left")
    for column in ("Stage", "Theme", "Items", "Category", "Example"):
        themes.add_column(column, overflow="fold")
    for stage in result.stages:
        for theme in stage["themes"][:2]:
            quote = theme["quotes"][0] if theme["quotes"] else ""
            _add_row(themes, stage["name"], theme["label"], str(theme["count"]),
                     theme["category"] or "", quote[:70])  # fmt: skip
    out.print(themes)


def _signed(value: float | None, form: str = "{:+.2f}") -> str:
    return "" if value is None else form.format(value)


def _bar(value: float | None) -> str:
    if value is None:
        return ""
    width = round(abs(value) * 10)
    return ("◀" * width).rjust(10) + "|" if value < 0 else " " * 10 + "|" + "▶" * width


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min")):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.0f} s"


def print_log(rows: Sequence[RevisionInfo], *, per_journey: bool) -> None:
    """Print revisions (or the latest revision of each journey)."""
    table = Table(title="Stored journeys" if per_journey else None, show_edge=False)
    if per_journey:
        table.add_column("Journey")
    for column in ("Rev", "Date (UTC)", "Author", "Hash", "Message"):
        table.add_column(column)
    for row in rows:
        cells = [str(row.number), row.created_at.strftime("%Y-%m-%d %H:%M"), row.author]
        cells += [row.content_hash[:12], row.message]
        _add_row(table, *([row.journey] if per_journey else []), *cells)
    console().print(table)


def _overview(journey: Journey) -> list[tuple[str, str]]:
    lines = []
    if journey.purpose:
        lines.append(("Purpose", journey.purpose))
    if journey.scope:
        focus = f" — {journey.scope.focus}" if journey.scope.focus else ""
        lines.append(("Scope", f"{journey.scope.kind.value.replace('_', ' ')}{focus}"))
    if journey.owner:
        lines.append(("Owner", journey.owner))
    if journey.review_cadence or journey.last_validated:
        cadence = journey.review_cadence.value if journey.review_cadence else "no cadence"
        lines.append(("Review", f"{cadence}, last validated {journey.last_validated or 'never'}"))
    if journey.personas:
        lines.append(("Personas", ", ".join(p.name for p in journey.personas)))
    if journey.teams:
        lines.append(("Teams", ", ".join(t.name for t in journey.teams)))
    return lines


def _stages(journey: Journey) -> Table:
    table = Table(title="Stages", show_lines=False, title_justify="left")
    for column in ("#", "Stage", "Customer goal", "Emotion", "Touchpoints", "KPIs"):
        table.add_column(column, overflow="fold")
    for number, stage in enumerate(journey.stages, 1):
        kpis = [k.id for k in journey.kpis if k.stage == stage.id]
        touchpoints = ", ".join(f"{t.name} ({t.channel.value})" for t in stage.touchpoints)
        emotion = EMOTION[stage.emotion] if stage.emotion is not None else ""
        goal = stage.customer_goal or ""
        _add_row(table, str(number), stage.name, goal, emotion, touchpoints, ", ".join(kpis))
    return table


def _pain_points(journey: Journey) -> Table:
    table = Table(title="Pain points (fix first at the top)", title_justify="left")
    for column in ("Pain point", "Stage", "Priority", "Owner area", "Category", "Status", "Ev."):
        table.add_column(column, overflow="fold")
    ranked = sorted(journey.pain_points, key=lambda p: p.priority.rank if p.priority else 9)
    for pain in ranked:
        _add_row(
            table,
            pain.name,
            pain.stage,
            _value(pain.priority),
            _value(pain.owner_area),
            _value(pain.category),
            pain.status.value,
            str(len(pain.evidence)),
        )
    return table


def _opportunities(journey: Journey) -> Table:
    table = Table(title="Opportunities", title_justify="left")
    for column in ("Opportunity", "Type", "Horizon", "Impact/Effort", "Owner", "Due", "Status"):
        table.add_column(column, overflow="fold")
    for item in journey.opportunities:
        _add_row(
            table,
            item.name,
            _value(item.type),
            _value(item.horizon),
            f"{item.impact or '?'}/{item.effort or '?'}",
            item.owner or "",
            str(item.due or ""),
            item.status.value,
        )
    return table


def _kpis(journey: Journey) -> Table:
    table = Table(title="KPIs", title_justify="left")
    for column in ("KPI", "Stage", "Metric", "Better", "Target", "Yellow", "Red", "Weight"):
        table.add_column(column, overflow="fold")
    for kpi in journey.kpis:
        _add_row(
            table,
            kpi.name,
            kpi.stage or "(journey)",
            kpi.metric.value,
            kpi.better.value,
            *(_number(v) for v in (kpi.target, kpi.yellow, kpi.red, kpi.weight)),
        )
    return table


def _add_row(table: Table, *cells: str) -> None:
    """Add a row of plain text: brackets in people's text are not Rich markup."""
    table.add_row(*(Text(cell) for cell in cells))


def _value(item: object) -> str:
    value = getattr(item, "value", None)
    return str(value).replace("_", " ") if value is not None else ""


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
