"""Boxes that know their own height: the building blocks of the computed map layout.

A :class:`Block` is measured first (its height for a given width) and drawn later at the
place the layout gives it, so lanes grow to fit their tallest cell and nothing is
hand-placed. Every framed box is a ``<g class="box">`` with a ``<rect class="frame">``: the
browser tests check that each text stays inside its frame.

>>> block = paragraph(["A rather long sentence that must wrap"], 120, size=12)
>>> block.height > 2 * 12
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cjm.render.palette import INK, MUTED, PAPER, RULE, shape
from cjm.render.svg import element, group, rect, text_lines, title
from cjm.render.text import line_height, text_width, wrap

Draw = Callable[[float, float], str]


@dataclass(frozen=True)
class Block:
    """Something of known height that draws itself with its top-left corner at (x, y)."""

    height: float
    draw: Draw


EMPTY = Block(0, lambda x, y: "")


@dataclass(frozen=True)
class Line:
    """One run of text in a card: wrapped to the card's width."""

    text: str
    size: float = 11
    bold: bool = False
    colour: str = MUTED
    italic: bool = False
    max_lines: int | None = None


def text_block(line: Line, width: float) -> Block:
    """A wrapped run of text."""
    lines = wrap(line.text, width, line.size, line.bold, line.max_lines)
    step = line_height(line.size)
    height = step * len(lines)

    def draw(x: float, y: float) -> str:
        return text_lines(
            lines,
            x,
            y + line.size * 0.95,
            size=line.size,
            fill=line.colour,
            font_weight="bold" if line.bold else None,
            font_style="italic" if line.italic else None,
        )

    return Block(height, draw)


def paragraph(texts: Sequence[str], width: float, *, size: float = 11) -> Block:
    """Several texts, one after the other."""
    return stack([text_block(Line(t, size, colour=INK), width) for t in texts], gap=4)


def stack(blocks: Sequence[Block], gap: float = 8) -> Block:
    """Blocks one under the other."""
    shown = [b for b in blocks if b.height > 0]
    if not shown:
        return EMPTY
    height = sum(b.height for b in shown) + gap * (len(shown) - 1)

    def draw(x: float, y: float) -> str:
        parts, top = [], y
        for block in shown:
            parts.append(block.draw(x, top))
            top += block.height + gap
        return "".join(parts)

    return Block(height, draw)


def bullets(texts: Sequence[str], width: float, *, size: float = 11, mark: str = "•") -> Block:
    """A bulleted list; each item wraps under its own text, not under the bullet."""
    indent = text_width(mark + " ", size) + 2
    items = [text_block(Line(t, size, colour=INK), width - indent) for t in texts]

    def item(block: Block) -> Block:
        def draw(x: float, y: float) -> str:
            bullet = element(
                "text", mark, x=float(x), y=float(y + size * 0.95), font_size=size, fill=MUTED
            )
            return bullet + block.draw(x + indent, y)

        return Block(block.height, draw)

    return stack([item(b) for b in items], gap=5)


@dataclass(frozen=True)
class Card:
    """A framed card: a coloured stripe and glyph, a small tag, a title, details."""

    key: str
    accent: str
    tint: str
    glyph: str
    tag: str
    title: str
    details: Sequence[Line] = ()
    tooltip: str | None = None
    dashed: bool = False


PAD = 8
STRIPE = 5


def card(spec: Card, width: float) -> Block:
    """The card as a block of the given width; its height follows from its wrapped text."""
    inner = width - STRIPE - 2 * PAD
    tag = text_block(Line(spec.tag.upper(), 8.5, True, spec.accent), inner - 16)
    head = text_block(Line(spec.title, 11.5, True, INK), inner)
    details = [text_block(d, inner) for d in spec.details]
    body = stack([tag, head, *details], gap=4)
    height = body.height + 2 * PAD

    def draw(x: float, y: float) -> str:
        frame = rect(
            x,
            y,
            width,
            height,
            class_="frame",
            rx=5,
            fill=spec.tint,
            stroke=spec.accent,
            stroke_width=1,
            stroke_dasharray="4 3" if spec.dashed else None,
        )
        stripe = element(
            "rect", x=float(x), y=float(y), width=STRIPE, height=float(height), fill=spec.accent
        )
        glyph = shape(spec.glyph, x + width - PAD - 6, y + PAD + 5, 5.5, spec.accent, PAPER)
        parts = [title(spec.tooltip)] if spec.tooltip else []
        parts += [frame, stripe, glyph, body.draw(x + STRIPE + PAD, y + PAD)]
        return group(parts, class_="box", data_box=spec.key)

    return Block(height, draw)


def chip(
    key: str, width: float, icon: Draw, label: str, details: Sequence[Line], fill: str = PAPER
) -> Block:
    """A rounded box with an icon on the left: touchpoints and teams."""
    inner = width - 2 * PAD - 20
    head = text_block(Line(label, 11, True, INK), inner)
    body = stack([head, *[text_block(d, inner) for d in details]], gap=3)
    height = max(body.height, 16) + 2 * 6

    def draw(x: float, y: float) -> str:
        frame = rect(
            x,
            y,
            width,
            height,
            class_="frame",
            rx=height / 2 if height < 34 else 8,
            fill=fill,
            stroke=RULE,
        )
        return group(
            [frame, icon(x + PAD, y + 6), body.draw(x + PAD + 20, y + 6)],
            class_="box",
            data_box=key,
        )

    return Block(height, draw)


def bubble(key: str, text: str, width: float) -> Block:
    """A speech bubble holding a customer's thought, in their words."""
    inner = width - 2 * PAD
    body = text_block(Line(f"“{text}”", 11, colour=INK, italic=True), inner)
    height = body.height + 2 * PAD

    def draw(x: float, y: float) -> str:
        tail = f"M{x + 14:.1f},{y + height:.1f} l0,7 l9,-7"
        frame = rect(
            x,
            y,
            width,
            height,
            class_="frame",
            rx=10,
            fill=PAPER,
            stroke=RULE,
        )
        mouth = element("path", d=tail, fill=PAPER, stroke=RULE)
        cover = element(
            "rect", x=float(x + 14.6), y=float(y + height - 1.2), width=8, height=2, fill=PAPER
        )
        return group([frame, mouth, cover, body.draw(x + PAD, y + PAD)], class_="box", data_box=key)

    return Block(height + 7, draw)
