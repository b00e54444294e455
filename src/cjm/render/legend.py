"""The legend under the map: every colour, shape and line, each with its words.

Items flow left to right and wrap by their measured widths. Lanes whose evidence a later
analysis brings (detected pain points, JPI lights, measured emotion) are explained even
before they appear, so readers of a designed map know what evidence will add.
"""

from __future__ import annotations

from collections.abc import Callable

from cjm.model.taxonomy import Channel, Horizon, PriorityClass
from cjm.render.blocks import Block
from cjm.render.lanes import Content, formats_channel
from cjm.render.palette import (
    DESIGNED,
    HORIZON,
    INK,
    LIGHTS,
    MEASURED,
    MUTED,
    PRIORITY,
    Style,
    channel_icon,
    shape,
)
from cjm.render.svg import element, group
from cjm.render.text import text_width

Glyph = Callable[[float, float], str]
SIZE = 10.5
ROW = 22


def legend(content: Content, width: float) -> Block:
    """The legend as a block of the given width."""
    sections: list[tuple[str, list[tuple[Glyph, str]]]] = [
        (
            "Pain points",
            [_styled(PRIORITY[p], PRIORITY[p].cue.lower()) for p in PriorityClass]
            + [(_dashed, "detected in data")],
        ),
        ("Opportunities", [_styled(HORIZON[h], HORIZON[h].cue.lower()) for h in Horizon]),
        (
            "Emotion",
            [
                (_line(DESIGNED, None, "triangle"), "designed by the team"),
                (_line(MEASURED, "7 5", "square"), "measured: feedback sentiment ×2, 95% CI"),
            ],
        ),
        ("KPI and JPI lights", [_styled(style, style.cue) for style in LIGHTS.values()]),
        ("Channels", [_channel(c) for c in Channel if c.value in _channels(content)]),
    ]
    rows: list[list[tuple[float, Glyph, str]]] = []
    for heading, items in sections:
        if not items:
            continue
        row: list[tuple[float, Glyph, str]] = []
        x = text_width(heading, SIZE, True) + 16
        row.append((0, _heading(heading), ""))
        for glyph, label in items:
            item_width = 22 + text_width(label, SIZE) + 18
            if x + item_width > width and len(row) > 1:
                rows.append(row)
                row, x = [], 120
            row.append((x, glyph, label))
            x += item_width
        rows.append(row)
    height = len(rows) * ROW + 10

    def draw(x: float, y: float) -> str:
        parts = [
            element(
                "line", x1=float(x), x2=float(x + width), y1=float(y), y2=float(y), stroke="#D9E2EC"
            )
        ]
        for r, row in enumerate(rows):
            top = y + 10 + r * ROW
            for left, glyph, label in row:
                parts.append(glyph(x + left, top))
                if label:
                    parts.append(
                        element(
                            "text",
                            label,
                            x=float(x + left + 22),
                            y=top + 12.5,
                            font_size=SIZE,
                            fill=INK,
                        )
                    )
        return group(parts, class_="legend")

    return Block(height, draw)


def _channels(content: Content) -> set[str]:
    return {tp.channel.value for _stage, tp in content.journey.touchpoints()}


def _heading(text: str) -> Glyph:
    def draw(x: float, y: float) -> str:
        return element(
            "text", text, x=float(x), y=y + 12.5, font_size=SIZE, font_weight="bold", fill=MUTED
        )

    return draw


def _styled(style: Style, cue: str) -> tuple[Glyph, str]:
    """A legend item: the style's marker and its label with the cue in brackets."""
    return (
        lambda x, y: shape(style.shape, x + 8, y + 8, 7, style.colour),
        f"{style.label} ({cue})",
    )


def _dashed(x: float, y: float) -> str:
    return element(
        "rect",
        x=float(x),
        y=float(y + 1),
        width=16,
        height=14,
        rx=3,
        fill="none",
        stroke=MUTED,
        stroke_dasharray="4 3",
    )


def _line(colour: str, dashes: str | None, marker: str) -> Glyph:
    def draw(x: float, y: float) -> str:
        path = element(
            "line",
            x1=float(x - 4),
            x2=float(x + 18),
            y1=y + 8,
            y2=y + 8,
            stroke=colour,
            stroke_width=2.5,
            stroke_dasharray=dashes,
        )
        return path + shape(marker, x + 7, y + 8, 5, colour)

    return draw


def _channel(channel: Channel) -> tuple[Glyph, str]:
    return (lambda x, y: channel_icon(channel.value, x + 1, y + 1), formats_channel(channel.value))
