"""A few functions that write SVG elements as text, escaped, with rounded coordinates.

>>> element("rect", x=1.234, y=0, width=10, height=5, fill="#fff")
'<rect x="1.2" y="0" width="10" height="5" fill="#fff"/>'
>>> text_lines(["a < b"], 0, 10, size=12)
'<text x="0" y="10" font-size="12"><tspan x="0" y="10">a &lt; b</tspan></text>'
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from cjm.render.text import line_height


def number(value: float) -> str:
    """A coordinate with at most one decimal: stable output for golden files."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def attributes(**attrs: object) -> str:
    """``key="value"`` pairs; ``None`` values are left out, ``_`` in names becomes ``-``."""
    parts = []
    for key, value in attrs.items():
        if value is None:
            continue
        name = key.rstrip("_").replace("_", "-")
        shown = number(value) if isinstance(value, float) else str(value)
        parts.append(f'{name}="{escape(shown)}"')
    return " ".join(parts)


def element(tag: str, content: str | None = None, **attrs: object) -> str:
    """One SVG element; self-closing when it has no content."""
    head = f"<{tag} {attributes(**attrs)}" if attrs else f"<{tag}"
    return f"{head}/>" if content is None else f"{head}>{content}</{tag}>"


def rect(x: float, y: float, width: float, height: float, **attrs: object) -> str:
    """A rectangle; ``class_="frame"`` marks the box the browser tests keep text inside."""
    size = {"x": float(x), "y": float(y), "width": float(width), "height": float(height)}
    return element("rect", None, **size, **attrs)


def group(children: Iterable[str], **attrs: object) -> str:
    """A ``<g>`` around the children."""
    return element("g", "".join(children), **attrs)


def text_lines(lines: list[str], x: float, y: float, *, size: float, **attrs: object) -> str:
    """A ``<text>`` whose lines are tspans; ``y`` is the first baseline."""
    step = line_height(size)
    spans = "".join(
        element("tspan", escape(line), x=float(x), y=float(y + i * step))
        for i, line in enumerate(lines)
    )
    return element("text", spans, x=float(x), y=float(y), font_size=size, **attrs)


def title(text: str) -> str:
    """A tooltip and accessible name for the enclosing element."""
    return element("title", escape(text))
