"""Colours, shapes and words that carry meaning on the map and in the charts.

The colours are Okabe and Ito's palette, which people with any common colour-vision
deficiency tell apart. Colour is never alone: every priority class, horizon and light also
has its own shape and a word.
"""

from __future__ import annotations

from dataclasses import dataclass

from cjm.model.taxonomy import Horizon, PriorityClass
from cjm.render.svg import element

# Okabe-Ito
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
INK = "#1F2933"
MUTED = "#52606D"
FAINT = "#9AA5B1"
RULE = "#D9E2EC"
PAPER = "#FFFFFF"
LANE = "#F5F7FA"
HEADER = "#243B53"


@dataclass(frozen=True)
class Style:
    """How one category looks: colour, a light tint, a shape, a word and a short cue."""

    colour: str
    tint: str
    shape: str  # triangle, diamond, circle, square, hexagon
    label: str
    cue: str


PRIORITY = {
    PriorityClass.DISSATISFIER: Style(
        VERMILLION, "#FBE3D3", "triangle", "Dissatisfier", "Fix first"
    ),
    PriorityClass.LOYALTY_INHIBITOR: Style(
        ORANGE, "#FCEFD2", "diamond", "Loyalty inhibitor", "Fix next"
    ),
    PriorityClass.ENHANCER: Style(SKY_BLUE, "#DDEFFA", "circle", "Enhancer", "Then"),
}
UNCLASSIFIED = Style(FAINT, "#EEF1F4", "square", "Not classified", "Classify")

HORIZON = {
    Horizon.QUICK_WIN: Style(BLUISH_GREEN, "#D5F0E7", "bolt", "Quick win", "Easy, high impact"),
    Horizon.LONG_TERM: Style(BLUE, "#D6E6F3", "hourglass", "Long term", "Larger project"),
}
NO_HORIZON = Style(FAINT, "#EEF1F4", "square", "No horizon", "")

LIGHTS = {
    "green": Style(BLUISH_GREEN, "#D5F0E7", "check", "Green", "on target"),
    "yellow": Style("#B8A200", "#FBF7CF", "bang", "Yellow", "watch"),
    "red": Style(VERMILLION, "#FBE3D3", "cross", "Red", "act now"),
    "insufficient_data": Style(FAINT, "#EEF1F4", "query", "No data", "insufficient data"),
}

EMOTION_WORDS = {
    -2: "very negative",
    -1: "negative",
    0: "neutral",
    1: "positive",
    2: "very positive",
}
DESIGNED = BLUE
MEASURED = REDDISH_PURPLE


def priority_style(priority: PriorityClass | str | None) -> Style:
    """The style of a priority class (``UNCLASSIFIED`` when none or unknown)."""
    try:
        return PRIORITY[PriorityClass(priority)] if priority else UNCLASSIFIED
    except ValueError:
        return UNCLASSIFIED


def horizon_style(horizon: Horizon | str | None) -> Style:
    """The style of an opportunity horizon."""
    try:
        return HORIZON[Horizon(horizon)] if horizon else NO_HORIZON
    except ValueError:
        return NO_HORIZON


def light_style(status: str | None) -> Style:
    """The style of a JPI or KPI status; anything unknown reads as no data."""
    return LIGHTS.get(status or "", LIGHTS["insufficient_data"])


def shape(kind: str, cx: float, cy: float, r: float, fill: str, stroke: str = PAPER) -> str:
    """A marker of the given shape centred on (cx, cy) with radius ``r``."""
    if kind == "triangle":
        points = f"{cx},{cy - r} {cx + r},{cy + r * 0.8} {cx - r},{cy + r * 0.8}"
        return element("polygon", points=_points(points), fill=fill, stroke=stroke)
    if kind == "diamond":
        points = f"{cx},{cy - r} {cx + r},{cy} {cx},{cy + r} {cx - r},{cy}"
        return element("polygon", points=_points(points), fill=fill, stroke=stroke)
    if kind == "square":
        side = r * 1.6
        return element(
            "rect",
            x=cx - side / 2,
            y=cy - side / 2,
            width=side,
            height=side,
            fill=fill,
            stroke=stroke,
        )
    if kind == "down":
        points = f"{cx - r},{cy - r * 0.8} {cx + r},{cy - r * 0.8} {cx},{cy + r}"
        return element("polygon", points=_points(points), fill=fill, stroke=stroke)
    if kind in ("bolt", "hourglass"):
        return _badge_glyph(kind, cx, cy, r, fill)
    if kind in ("check", "bang", "cross", "query"):
        return _light(kind, cx, cy, r, fill, stroke)
    return element("circle", cx=float(cx), cy=float(cy), r=float(r), fill=fill, stroke=stroke)


def _points(text: str) -> str:
    def fmt(value: str) -> str:
        return f"{float(value):.1f}".rstrip("0").rstrip(".")

    return " ".join(",".join(fmt(v) for v in pair.split(",")) for pair in text.split())


def _badge_glyph(kind: str, cx: float, cy: float, r: float, fill: str) -> str:
    if kind == "bolt":
        d = (
            f"M{cx + r * 0.2:.1f},{cy - r:.1f} L{cx - r * 0.6:.1f},{cy + r * 0.15:.1f} "
            f"L{cx - r * 0.05:.1f},{cy + r * 0.15:.1f} L{cx - r * 0.25:.1f},{cy + r:.1f} "
            f"L{cx + r * 0.6:.1f},{cy - r * 0.2:.1f} L{cx + r * 0.05:.1f},{cy - r * 0.2:.1f} Z"
        )
    else:
        d = (
            f"M{cx - r * 0.6:.1f},{cy - r:.1f} L{cx + r * 0.6:.1f},{cy - r:.1f} "
            f"L{cx:.1f},{cy:.1f} L{cx + r * 0.6:.1f},{cy + r:.1f} "
            f"L{cx - r * 0.6:.1f},{cy + r:.1f} L{cx:.1f},{cy:.1f} Z"
        )
    return element("path", d=d, fill=fill)


def _light(kind: str, cx: float, cy: float, r: float, fill: str, stroke: str) -> str:
    hollow = kind == "query"
    disc = element(
        "circle",
        cx=float(cx),
        cy=float(cy),
        r=float(r),
        fill=PAPER if hollow else fill,
        stroke=fill if hollow else stroke,
        stroke_width=1.5,
    )
    mark = {"check": "✓", "bang": "!", "cross": "✕", "query": "?"}[kind]
    glyph = element(
        "text",
        mark,
        x=float(cx),
        y=float(cy + r * 0.42),
        font_size=round(r * 1.25, 1),
        font_weight="bold",
        text_anchor="middle",
        fill=fill if hollow else PAPER,
    )
    return disc + glyph


def channel_icon(channel: str, x: float, y: float, colour: str = INK) -> str:
    """A 14-pixel line icon for a channel with its top-left corner at (x, y)."""
    s = {"fill": "none", "stroke": colour, "stroke-width": "1.4", "stroke-linecap": "round"}
    style = " ".join(f'{k}="{v}"' for k, v in s.items())
    body = _ICONS.get(channel, _ICONS["other"])
    return f'<g transform="translate({x:.1f},{y:.1f})" {style}>{body}</g>'


_ICONS = {
    "web": '<circle cx="7" cy="7" r="6"/><ellipse cx="7" cy="7" rx="2.6" ry="6"/>'
    '<path d="M1 7h12"/>',
    "app": '<rect x="3.5" y="1" width="7" height="12" rx="1.5"/><path d="M6 11h2"/>',
    "phone": '<path d="M3 1.5l2.5 0 1 3-1.7 1.2a7 7 0 0 0 3.5 3.5l1.2-1.7 3 1v2.5a1.5 1.5 0 0 1'
    '-1.5 1.5A11 11 0 0 1 1.5 3 1.5 1.5 0 0 1 3 1.5z"/>',
    "ivr": '<rect x="2" y="1.5" width="10" height="11" rx="1.5"/><path d="M5 5h.1M7 5h.1M9 5h.1'
    'M5 7.5h.1M7 7.5h.1M9 7.5h.1M5 10h.1M7 10h.1M9 10h.1"/>',
    "email": '<rect x="1" y="3" width="12" height="8.5" rx="1"/><path d="M1.5 3.5L7 8l5.5-4.5"/>',
    "chat": '<path d="M2 2.5h10a1 1 0 0 1 1 1v6a1 1 0 0 1-1 1H6l-3 2.5v-2.5H2a1 1 0 0 1-1-1v-6'
    'a1 1 0 0 1 1-1z"/>',
    "sms": '<path d="M2 2.5h10a1 1 0 0 1 1 1v6a1 1 0 0 1-1 1H6l-3 2.5v-2.5H2a1 1 0 0 1-1-1v-6'
    'a1 1 0 0 1 1-1z"/><path d="M4.5 6.5h.1M7 6.5h.1M9.5 6.5h.1"/>',
    "social": '<circle cx="3" cy="7" r="1.8"/><circle cx="11" cy="3" r="1.8"/>'
    '<circle cx="11" cy="11" r="1.8"/><path d="M4.6 6.2l4.8-2.4M4.6 7.8l4.8 2.4"/>',
    "in_person": '<circle cx="7" cy="4" r="2.5"/><path d="M2 13a5 5 0 0 1 10 0"/>',
    "self_service": '<path d="M2 2h4a2 2 0 0 1 1 .5 2 2 0 0 1 1-.5h4v10H8a1 1 0 0 0-1 1'
    ' 1 1 0 0 0-1-1H2z"/><path d="M7 2.5V12.5"/>',
    "mail": '<rect x="1.5" y="4" width="11" height="8" rx="0.5"/><path d="M1.5 6.5h11M5 4V2h4v2"/>',
    "partner": '<path d="M1 7l3-3 3 2 3-2 3 3-3 3.5-3-2-3 2z"/>',
    "other": '<circle cx="7" cy="7" r="6"/><path d="M4.5 7h.1M7 7h.1M9.5 7h.1"/>',
}
