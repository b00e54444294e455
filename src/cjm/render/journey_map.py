"""The journey map as one SVG picture: stages as columns, lanes as rows, a legend.

Columns are the stages in journey order (with the customer's goal); lanes hold actions,
touchpoints, thoughts, the emotion curve, pain points, opportunities, KPIs and the backstage.
With an analysis, the map also shows the funnel under each stage, what customers said, the
measured emotion beside the designed one, detected pain points and the JPI lights. Every
size is computed from measured text, so long names wrap and lanes grow.

>>> from cjm import example_path, load_journey
>>> svg = map_svg(load_journey(example_path("subscription")))
>>> svg.startswith("<svg") and 'data-box="pain:bank-connection-fails"' in svg
True
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from html import escape

from cjm.model.journey import Journey
from cjm.render import formats
from cjm.render.blocks import Block, Line, stack, text_block
from cjm.render.lanes import Column, Content, Lane, lanes, sort_content
from cjm.render.legend import legend
from cjm.render.palette import (
    BLUE,
    DESIGNED,
    EMOTION_WORDS,
    FAINT,
    HEADER,
    INK,
    LANE,
    MEASURED,
    MUTED,
    PAPER,
    RULE,
    light_style,
    shape,
)
from cjm.render.results import AnalysisView, Light
from cjm.render.svg import element, group, rect, text_lines, title
from cjm.render.text import FONT_FAMILY, wrap

MARGIN = 28
LABEL = 150
COLUMN = 236
GAP = 12
PAD = 12
EMOTION_HEIGHT = 190


def map_svg(journey: Journey, analysis: AnalysisView | None = None) -> str:
    """The journey map as a standalone SVG document (text, no scripts, no external files)."""
    content = sort_content(journey, analysis)
    columns = content.columns
    inner = COLUMN - 2 * PAD
    width = 2 * MARGIN + LABEL + len(columns) * (COLUMN + GAP)
    parts: list[str] = []
    y: float = MARGIN
    header = _header(journey, analysis, width - 2 * MARGIN)
    parts.append(header.draw(MARGIN, y))
    y += header.height + 18
    stage_row = _stage_row(columns, analysis)
    parts.append(stage_row.draw(MARGIN + LABEL, y))
    y += stage_row.height + 8
    rows = lanes(content, inner)
    emotion_at = _emotion_place(rows) if _has_emotion(content) else len(rows) + 1
    for i, lane in enumerate(rows):
        if i == emotion_at:
            parts.append(_emotion_lane(content, y, width))
            y += EMOTION_HEIGHT + 6
        height = max(cell.height for cell in lane.cells) + 2 * PAD
        parts.append(_lane(lane, columns, y, height, width))
        y += height + 6
    if emotion_at == len(rows):
        parts.append(_emotion_lane(content, y, width))
        y += EMOTION_HEIGHT + 6
    key = legend(content, width - 2 * MARGIN)
    parts.append(key.draw(MARGIN, y + 12))
    height = y + 12 + key.height + MARGIN
    return _document(journey, analysis, parts, width, height)


def _emotion_place(rows: list[Lane]) -> int:
    """The emotion curve comes after what the customer does, meets and thinks."""
    before = ("goal", "actions", "touchpoints", "thoughts")
    return max((i + 1 for i, lane in enumerate(rows) if lane.id in before), default=0)


def _has_emotion(content: Content) -> bool:
    designed = any(stage.emotion is not None for stage in content.journey.stages)
    return designed or bool(content.analysis and content.analysis.has_feedback)


def _document(
    journey: Journey, analysis: AnalysisView | None, parts: list[str], width: float, height: float
) -> str:
    label = f"Journey map: {journey.name}" + (" with evidence" if analysis else "")
    background = element("rect", x=0, y=0, width=float(width), height=float(height), fill=PAPER)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{escape(label)}" '
        f'font-family="{FONT_FAMILY}" class="cjm-map">'
        f"<title>{escape(label)}</title>{background}{''.join(parts)}</svg>\n"
    )


def _header(journey: Journey, analysis: AnalysisView | None, width: float) -> Block:
    left = width * 0.66
    facts = []
    if journey.personas:
        facts.append("For " + ", ".join(p.name for p in journey.personas))
    if journey.scope:
        facts.append(
            formats.words(journey.scope.kind.value)
            + (f": {journey.scope.focus}" if journey.scope.focus else "")
        )
    owner = []
    if journey.owner:
        owner.append(f"Owner: {journey.owner}")
    if journey.last_validated:
        cadence = (
            f" ({formats.words(journey.review_cadence.value)} review)"
            if (journey.review_cadence)
            else ""
        )
        owner.append(f"last validated {journey.last_validated.isoformat()}{cadence}")
    blocks = [
        text_block(Line(journey.name, 26, True, INK), left),
        text_block(Line(" · ".join(facts), 12, colour=MUTED), left) if facts else None,
        text_block(Line(f"Purpose: {journey.purpose}", 12, colour=INK), left)
        if journey.purpose
        else None,
        text_block(Line(" · ".join(owner), 11, colour=MUTED), left) if owner else None,
    ]
    body = stack([b for b in blocks if b is not None], gap=5)
    side = _evidence_summary(analysis, width - left - 24)

    def draw(x: float, y: float) -> str:
        return body.draw(x, y) + side.draw(x + left + 24, y + 4)

    return Block(max(body.height, side.height), draw)


def _evidence_summary(analysis: AnalysisView | None, width: float) -> Block:
    if analysis is None:
        return text_block(
            Line("Designed map: run 'cjm analyze' to overlay the evidence.", 11, colour=FAINT),
            width,
        )
    inputs = analysis.inputs
    period = inputs.get("period") or {}
    start, end = _date(period.get("start")), _date(period.get("end"))
    lines = [
        Line(
            f"{inputs.get('customers', 0):,} customers · {inputs.get('rows', 0):,} events",
            13,
            True,
            BLUE,
        ),
        Line(f"evidence from {start} to {end}", 11, colour=MUTED),
    ]
    jpi = analysis.jpi()
    blocks = [text_block(line, width) for line in lines]
    if jpi:
        style = light_style(jpi.status)
        reasons = "; ".join(jpi.reasons[:2])
        text = text_block(Line(f"Journey JPI: {style.label}. {reasons}", 11, True, INK), width - 28)

        def light(x: float, y: float) -> str:
            return group(
                [shape(style.shape, x + 10, y + 9, 10, style.colour), text.draw(x + 28, y)],
                class_="jpi-journey",
            )

        blocks.append(Block(max(text.height, 20), light))
    return stack(blocks, gap=4)


def _date(value: object) -> str:
    return str(value)[:10] if isinstance(value, str | dt.date) else "?"


def _stage_row(columns: list[Column], analysis: AnalysisView | None) -> Block:
    lights = analysis.stage_jpi() if analysis else {}
    names = [wrap(column.name, COLUMN - 92, 14, bold=True) for column in columns]
    height = max(len(lines) for lines in names) * 18 + 24

    def draw(x: float, y: float) -> str:
        return group(
            [
                _stage_head(
                    column,
                    lines,
                    lights.get(column.id),
                    x + i * (COLUMN + GAP),
                    y,
                    height,
                    first=i == 0,
                    last=i == len(columns) - 1,
                )
                for i, (column, lines) in enumerate(zip(columns, names, strict=True))
            ],
            class_="stages",
        )

    return Block(height, draw)


def _stage_head(
    column: Column,
    lines: list[str],
    light: Light | None,
    left: float,
    y: float,
    height: float,
    *,
    first: bool,
    last: bool,
) -> str:
    """A chevron with the stage's number and name, and its JPI light when there is one."""
    tip, notch, middle = 0 if last else 12, 0 if first else 12, y + height / 2
    points = (
        f"{left:.1f},{y:.1f} {left + COLUMN - tip:.1f},{y:.1f} {left + COLUMN:.1f},{middle:.1f} "
        f"{left + COLUMN - tip:.1f},{y + height:.1f} {left:.1f},{y + height:.1f} "
        f"{left + notch:.1f},{middle:.1f}"
    )
    parts = [
        element("polygon", points=points, fill=HEADER if column.stage else MUTED, class_="frame"),
        element("circle", cx=left + notch + 20.0, cy=middle, r=11.0, fill=PAPER),
        element(
            "text",
            str(column.number) if column.stage else "∑",
            x=left + notch + 20.0,
            y=middle + 4.5,
            font_size=12,
            font_weight="bold",
            text_anchor="middle",
            fill=HEADER,
        ),
        text_lines(
            lines,
            left + notch + 38,
            middle - (len(lines) - 1) * 9 + 5,
            size=14,
            font_weight="bold",
            fill=PAPER,
        ),
    ]
    if light:
        style = light_style(light.status)
        parts.append(shape(style.shape, left + COLUMN - tip - 18, middle, 9, style.colour, PAPER))
        parts.insert(0, title(f"JPI {style.label}: " + "; ".join(light.reasons)))
    return group(parts, class_="box", data_box=f"stage:{column.id}")


def _lane_head(label: str, hint: str, y: float, height: float, width: float) -> list[str]:
    """The lane's background band and, on its left, its name and what it shows."""
    name = wrap(label, LABEL - 18, 13, bold=True)
    return [
        rect(MARGIN, y, width - 2 * MARGIN, height, fill=LANE, rx=6),
        text_lines(name, MARGIN + 12, y + PAD + 12, size=13, font_weight="bold", fill=INK),
        text_lines(
            wrap(hint, LABEL - 18, 9.5),
            MARGIN + 12,
            y + PAD + 12 + len(name) * 17,
            size=9.5,
            fill=MUTED,
        ),
    ]


def _lane(lane: Lane, columns: list[Column], y: float, height: float, width: float) -> str:
    parts = _lane_head(lane.label, lane.hint, y, height, width)
    for i, (column, cell) in enumerate(zip(columns, lane.cells, strict=True)):
        left = MARGIN + LABEL + i * (COLUMN + GAP)
        frame = rect(
            left,
            y,
            COLUMN,
            height,
            class_="cell-frame",
            fill="none",
        )
        parts.append(
            group(
                [frame, cell.draw(left + PAD, y + PAD)],
                class_="cell",
                data_lane=lane.id,
                data_column=column.id,
            )
        )
    return group(parts, class_="lane", data_lane=lane.id)


def _emotion_lane(content: Content, y: float, width: float) -> str:
    top, bottom = y + 26, y + EMOTION_HEIGHT - 30
    measured = bool(content.analysis and content.analysis.has_feedback)
    hint = "designed −2…+2" + (", measured beside it" if measured else "")
    parts = _lane_head("Emotion", hint, y, EMOTION_HEIGHT, width)

    def level(value: float) -> float:
        return top + (2 - value) / 4 * (bottom - top)

    right = width - MARGIN - GAP
    for value in range(-2, 3):
        parts.append(
            element(
                "line",
                x1=float(MARGIN + LABEL),
                x2=float(right),
                y1=level(value),
                y2=level(value),
                stroke=RULE if value else FAINT,
                stroke_dasharray=None if value else "3 3",
            )
        )
        parts.append(
            element(
                "text",
                f"{value:+d}" if value else "0",
                x=float(MARGIN + LABEL - 6),
                y=level(value) + 3.5,
                font_size=9.5,
                text_anchor="end",
                fill=MUTED,
            )
        )
    designed = [
        (MARGIN + LABEL + i * (COLUMN + GAP) + COLUMN / 2, column.stage.emotion)
        for i, column in enumerate(content.columns)
        if column.stage and column.stage.emotion is not None
    ]
    parts.append(_curve([(x, level(v)) for x, v in designed], DESIGNED, dashed=False))
    for x, value in designed:
        kind = "triangle" if value > 0 else "down" if value < 0 else "circle"
        parts.append(shape(kind, x, level(value), 7, DESIGNED))
        label = f"{value:+d} {EMOTION_WORDS[value]}".replace("-", "−") if value else "0 neutral"
        parts.append(
            element(
                "text",
                label,
                x=float(x),
                y=level(value) + (20 if value <= 0 else -13),
                font_size=10,
                text_anchor="middle",
                fill=DESIGNED,
                font_weight="bold",
            )
        )
    parts.append(_measured(content, level))
    return group(parts, class_="lane emotion", data_lane="emotion")


def _measured(content: Content, level: Callable[[float], float]) -> str:
    feedback = content.analysis.feedback() if content.analysis else {}
    points = []
    for i, column in enumerate(content.columns):
        stage = feedback.get(column.id)
        if stage is None or stage.sentiment is None:
            continue
        x = MARGIN + LABEL + i * (COLUMN + GAP) + COLUMN / 2 + 34
        points.append((x, stage.sentiment * 2, stage.ci95))
    parts = [_curve([(x, level(v)) for x, v, _ in points], MEASURED, dashed=True)]
    for x, value, ci in points:
        if ci:
            parts.append(
                element(
                    "line",
                    x1=float(x),
                    x2=float(x),
                    y1=level(ci[0] * 2),
                    y2=level(ci[1] * 2),
                    stroke=MEASURED,
                    stroke_width=2,
                )
            )
        parts.append(shape("square", x, level(value), 5.5, MEASURED))
        parts.append(
            element(
                "text",
                f"{value / 2:+.2f}",
                x=float(x + 9),
                y=level(value) + 3.5,
                font_size=9.5,
                fill=MEASURED,
                font_weight="bold",
            )
        )
    return group(parts, class_="measured")


def _curve(points: list[tuple[float, float]], colour: str, dashed: bool) -> str:
    if len(points) < 2:
        return ""
    d = f"M{points[0][0]:.1f},{points[0][1]:.1f}"
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        mid = (x0 + x1) / 2
        d += f" C{mid:.1f},{y0:.1f} {mid:.1f},{y1:.1f} {x1:.1f},{y1:.1f}"
    return element(
        "path",
        d=d,
        fill="none",
        stroke=colour,
        stroke_width=3 if not dashed else 2.5,
        stroke_dasharray="7 5" if dashed else None,
        stroke_linecap="round",
    )
