"""What each lane of the map holds, column by column, as measured blocks.

A column is a stage, plus a last "Whole journey" column when the map has KPIs or
opportunities that belong to no single stage. Lanes whose evidence is not in the analysis
yet are left out, and the legend says what they will show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from cjm.model.journey import KPI, Journey, Opportunity, PainPoint, Stage
from cjm.model.taxonomy import Direction, Origin
from cjm.render import formats
from cjm.render.blocks import (
    EMPTY,
    Block,
    Card,
    Line,
    bubble,
    bullets,
    card,
    chip,
    stack,
    text_block,
)
from cjm.render.palette import (
    BLUE,
    INK,
    LANE,
    MUTED,
    PAPER,
    RULE,
    channel_icon,
    horizon_style,
    light_style,
    priority_style,
    shape,
)
from cjm.render.results import AnalysisView, DetectedPain
from cjm.render.svg import element, group, rect

JOURNEY_COLUMN = "_journey"


@dataclass(frozen=True)
class Column:
    """One column of the map: a stage, or the whole journey."""

    id: str
    name: str
    stage: Stage | None = None
    number: int = 0


@dataclass(frozen=True)
class Lane:
    """A row of the map: its label, a hint under the label, and one block per column."""

    id: str
    label: str
    hint: str
    cells: list[Block]
    fill: str = LANE


@dataclass
class Content:
    """The map's items sorted into columns once, for all lanes."""

    journey: Journey
    analysis: AnalysisView | None
    columns: list[Column] = field(default_factory=list)
    pains: dict[str, list[PainPoint]] = field(default_factory=dict)
    detected: dict[str, list[DetectedPain]] = field(default_factory=dict)
    opportunities: dict[str, list[Opportunity]] = field(default_factory=dict)
    kpis: dict[str, list[KPI]] = field(default_factory=dict)


def sort_content(journey: Journey, analysis: AnalysisView | None) -> Content:
    """Place every pain point, opportunity and KPI in its column."""
    content = Content(journey, analysis)
    stage_ids = {stage.id for stage in journey.stages}
    for pain in sorted(journey.pain_points, key=_pain_order):
        content.pains.setdefault(pain.stage, []).append(pain)
    written = {pain.id for pain in journey.pain_points}
    for found in analysis.detected_pain_points() if analysis else []:
        if found.id not in written:
            column = found.stage if found.stage in stage_ids else JOURNEY_COLUMN
            content.detected.setdefault(column, []).append(found)
    pain_stage = {pain.id: pain.stage for pain in journey.pain_points}
    for opportunity in journey.opportunities:
        stages = [pain_stage[p] for p in opportunity.addresses if p in pain_stage]
        content.opportunities.setdefault(stages[0] if stages else JOURNEY_COLUMN, []).append(
            opportunity
        )
    for kpi in journey.kpis:
        content.kpis.setdefault(kpi.stage or JOURNEY_COLUMN, []).append(kpi)
    content.columns = [
        Column(stage.id, stage.name, stage, i + 1) for i, stage in enumerate(journey.stages)
    ]
    if any(JOURNEY_COLUMN in items for items in (content.opportunities, content.kpis)) or (
        JOURNEY_COLUMN in content.detected
    ):
        content.columns.append(Column(JOURNEY_COLUMN, "Whole journey"))
    return content


def _pain_order(pain: PainPoint) -> tuple[int, str]:
    return (pain.priority.rank if pain.priority else 9, pain.name)


def lanes(content: Content, width: float) -> list[Lane]:
    """Every lane that has something to show, top to bottom."""
    analysis = content.analysis
    builders: list[tuple[str, str, str, Callable[[Column], Block], bool]] = [
        ("goal", "Goal", "what the customer wants", partial(_goal, width=width), True),
        ("actions", "Actions", "what the customer does", partial(_actions, width=width), True),
        (
            "touchpoints",
            "Touchpoints",
            "where we meet, by channel" + (" · customers seen" if analysis else ""),
            partial(_touchpoints, content=content, width=width),
            True,
        ),
        ("thoughts", "Thoughts", "in the customer's words", partial(_thoughts, width=width), True),
        (
            "funnel",
            "Funnel",
            "customers reaching the stage, conversion with 95% CI",
            partial(_funnel, analysis=analysis, width=width),
            analysis is not None,
        ),
        (
            "feedback",
            "Voice of the customer",
            "feedback items, sentiment, top themes",
            partial(_feedback, analysis=analysis, width=width),
            bool(analysis and analysis.has_feedback),
        ),
        (
            "pains",
            "Pain points",
            "by priority class; dashed: detected in the data",
            partial(_pains, content=content, width=width),
            True,
        ),
        (
            "opportunities",
            "Opportunities",
            "quick wins and long-term projects",
            partial(_opportunities, content=content, width=width),
            True,
        ),
        (
            "kpis",
            "KPIs",
            "target" + (", measured value and light" if analysis and analysis.kpis() else ""),
            partial(_kpis, content=content, width=width),
            True,
        ),
        (
            "backstage",
            "Backstage",
            "owning teams",
            partial(_backstage, content=content, width=width),
            True,
        ),
    ]
    result = []
    for lane_id, label, hint, build, shown in builders:
        if not shown:
            continue
        cells = [build(column) for column in content.columns]
        if any(cell.height for cell in cells):
            result.append(Lane(lane_id, label, hint, cells))
    return result


def _goal(column: Column, width: float) -> Block:
    goal = column.stage.customer_goal if column.stage else None
    if not goal:
        return EMPTY
    return text_block(Line(goal, 12, colour=INK, italic=True), width)


def _actions(column: Column, width: float) -> Block:
    return bullets(column.stage.actions, width) if column.stage else EMPTY


def _thoughts(column: Column, width: float) -> Block:
    if not column.stage:
        return EMPTY
    return stack(
        [
            bubble(f"thought:{column.id}:{i}", thought, width)
            for i, thought in enumerate(column.stage.thoughts)
        ],
        gap=6,
    )


def _touchpoints(column: Column, content: Content, width: float) -> Block:
    if not column.stage:
        return EMPTY
    teams = {team.id: team.name for team in content.journey.teams}
    activity = content.analysis.touchpoint_activity() if content.analysis else {}
    chips = []
    for tp in column.stage.touchpoints:
        details = [Line(formats_channel(tp.channel.value), 9.5, colour=MUTED)]
        seen = activity.get(tp.id)
        if seen:
            repeat = seen.get("repeat_customers") or 0
            text = f"{formats.count(seen.get('customers'))} customers"
            if repeat:
                text += f" · {formats.count(repeat)} came back"
            details.append(Line(text, 9.5, bold=True, colour=BLUE))
        if tp.owner:
            details[0] = Line(
                f"{formats_channel(tp.channel.value)} · {teams.get(tp.owner, tp.owner)}", 9.5
            )
        icon = partial(channel_icon, tp.channel.value)
        chips.append(chip(f"touchpoint:{tp.id}", width, icon, tp.name, details))
    return stack(chips, gap=6)


def formats_channel(channel: str) -> str:
    """A channel as a word: ``self_service`` → ``self-service``."""
    return channel.replace("_", "-")


def _funnel(column: Column, analysis: AnalysisView | None, width: float) -> Block:
    row = analysis.funnel_row(column.id) if analysis and column.stage else None
    if row is None or analysis is None:
        return EMPTY
    top = max((r.reached for r in analysis.funnel()), default=0) or 1
    lines = [Line(f"{formats.count(row.reached)} customers", 12, True, INK)]
    if row.conversion is not None:
        ci = f" (95% CI {formats.interval(*row.ci95)})" if row.ci95 else ""
        lines.append(Line(f"{formats.percent(row.conversion)} of previous stage{ci}", 10))
    if row.median_s is not None:
        lines.append(Line(f"median {formats.duration(row.median_s)} after the previous", 10))
    text = stack([text_block(line, width) for line in lines], gap=2)
    share = row.reached / top

    def draw(x: float, y: float) -> str:
        track = element(
            "rect",
            x=float(x),
            y=float(y),
            width=float(width),
            height=10,
            rx=3,
            fill=PAPER,
            stroke=RULE,
        )
        bar = element(
            "rect",
            x=float(x),
            y=float(y),
            width=float(max(width * share, 2)),
            height=10,
            rx=3,
            fill=BLUE,
        )
        return group(
            [track, bar, text.draw(x, y + 16)], class_="box", data_box=f"funnel:{column.id}"
        )

    return Block(text.height + 16, draw)


def _feedback(column: Column, analysis: AnalysisView | None, width: float) -> Block:
    stage = analysis.feedback().get(column.id) if analysis else None
    if stage is None:
        return EMPTY
    lines = [Line(f"{formats.count(stage.items)} feedback items", 11, True, INK)]
    if stage.sentiment is not None:
        ci = f" (95% CI {stage.ci95[0]:+.2f} to {stage.ci95[1]:+.2f})" if stage.ci95 else ""
        lines.append(Line(f"sentiment {stage.sentiment:+.2f}{ci}", 10))
    if stage.themes:
        top = ", ".join(f"{name} ({n})" if n else name for name, n in stage.themes[:3])
        lines.append(Line(f"themes: {top}", 10))
    return stack([text_block(line, width) for line in lines], gap=2)


def _pains(column: Column, content: Content, width: float) -> Block:
    detected = (
        {d.id: d for d in content.analysis.detected_pain_points()} if content.analysis else {}
    )
    cards = [
        card(_pain_card(p, detected.get(p.id)), width) for p in content.pains.get(column.id, [])
    ]
    cards += [card(_detected_card(d), width) for d in content.detected.get(column.id, [])]
    return stack(cards, gap=6)


def _pain_card(pain: PainPoint, found: DetectedPain | None) -> Card:
    style = priority_style(pain.priority)
    where = " · ".join(
        v.value for v in (pain.owner_area, pain.kind, pain.interaction) if v is not None
    )
    details = [Line(where, 9.5)] if where else []
    if found and found.customers_affected is not None:
        details.append(_affected(found))
    details.append(
        Line(
            f"{formats.words(pain.status.value)} · {len(pain.evidence)} evidence",
            9.5,
            colour=MUTED,
        )
    )
    return Card(
        key=f"pain:{pain.id}",
        accent=style.colour,
        tint=style.tint,
        glyph=style.shape,
        tag=f"{style.label} · {style.cue}",
        title=pain.name,
        details=details,
        tooltip=pain.description,
        dashed=pain.origin is Origin.DETECTED,
    )


def _affected(found: DetectedPain) -> Line:
    text = f"{formats.count(found.customers_affected)} customers affected"
    if found.signal:
        text += f" · {found.signal}"
    return Line(text, 9.5, True, INK)


def _detected_card(found: DetectedPain) -> Card:
    style = priority_style(found.priority)
    return Card(
        key=f"detected:{found.id}",
        accent=style.colour,
        tint=PAPER,
        glyph=style.shape,
        tag=f"Detected · {style.label}",
        title=found.name,
        details=[_affected(found)] if found.customers_affected is not None else [],
        dashed=True,
    )


def _opportunities(column: Column, content: Content, width: float) -> Block:
    teams = {team.id: team.name for team in content.journey.teams}
    cards = []
    for opp in content.opportunities.get(column.id, []):
        style = horizon_style(opp.horizon)
        scores = f"impact {_dots(opp.impact)} · effort {_dots(opp.effort)}"
        owner = teams.get(opp.owner or "", opp.owner or "no owner")
        status = formats.words(opp.status.value)
        details = [Line(scores, 9.5, colour=INK), Line(f"{owner} · {status}", 9.5)]
        kind = f"{opp.type.value} · " if opp.type else ""
        cards.append(
            card(
                Card(
                    key=f"opportunity:{opp.id}",
                    accent=style.colour,
                    tint=style.tint,
                    glyph=style.shape,
                    tag=f"{style.label} · {kind}".rstrip(" ·"),
                    title=opp.name,
                    details=details,
                    tooltip=opp.description,
                ),
                width,
            )
        )
    return stack(cards, gap=6)


def _dots(score: int | None) -> str:
    return "?" if score is None else "●" * score + "○" * (5 - score)


def _kpis(column: Column, content: Content, width: float) -> Block:
    rows = [_kpi_row(kpi, content.analysis, width) for kpi in content.kpis.get(column.id, [])]
    return stack(rows, gap=6)


def _kpi_row(kpi: KPI, analysis: AnalysisView | None, width: float) -> Block:
    measured = analysis.kpi(kpi.id) if analysis else None
    status = measured.status if measured else "insufficient_data"
    style = light_style(status)
    sign = "≥" if kpi.better is Direction.HIGHER else "≤"
    unit = kpi.unit.value if kpi.unit else None
    details = [Line(f"target {sign} {formats.kpi_value(kpi.target, unit)}", 9.5)]
    if measured and measured.value is not None:
        ci = measured.ci95
        shown = formats.kpi_value(measured.value, unit)
        if ci:
            shown += f" ({formats.kpi_value(ci[0], unit)}–{formats.kpi_value(ci[1], unit)})"
        details.insert(0, Line(f"{style.label}: {shown}", 9.5, True, INK))
    else:
        details.append(Line(style.cue, 9.5, colour=MUTED))
    head = text_block(Line(kpi.name, 10.5, True, INK), width - 24)
    body = stack([head, *[text_block(d, width - 24) for d in details]], gap=2)

    def draw(x: float, y: float) -> str:
        frame = rect(
            x,
            y,
            width,
            body.height + 8,
            class_="frame",
            fill="none",
            stroke="none",
        )
        light = shape(style.shape, x + 8, y + 10, 7.5, style.colour)
        return group(
            [frame, light, body.draw(x + 22, y + 4)], class_="box", data_box=f"kpi:{kpi.id}"
        )

    return Block(body.height + 8, draw)


def _backstage(column: Column, content: Content, width: float) -> Block:
    owned: dict[str, list[str]] = {}
    for tp in column.stage.touchpoints if column.stage else []:
        if tp.owner:
            owned.setdefault(tp.owner, []).append("touchpoint")
    for opp in content.opportunities.get(column.id, []):
        if opp.owner:
            owned.setdefault(opp.owner, []).append("opportunity")
    teams = {team.id: team for team in content.journey.teams}
    chips = []
    for team_id, things in owned.items():
        team = teams.get(team_id)
        name = team.name if team else team_id
        area = f"{team.area.value} · " if team and team.area else ""
        summary = ", ".join(
            f"{things.count(kind)} {kind}{'s' if things.count(kind) > 1 else ''}"
            for kind in ("touchpoint", "opportunity")
            if kind in things
        )
        chips.append(
            chip(
                f"team:{column.id}:{team_id}",
                width,
                _team_icon,
                name,
                [Line(area + summary, 9.5)],
                fill="#EEF2F7",
            )
        )
    return stack(chips, gap=5)


def _team_icon(x: float, y: float) -> str:
    return channel_icon("in_person", x, y, MUTED)
