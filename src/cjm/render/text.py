"""Text measured by the font's own advance widths, and wrapped to fit a box.

>>> text_width("Awareness", 12) > text_width("Use", 12)
True
>>> wrap("Stop losing weekends to spreadsheets", 100, 12)
['Stop losing', 'weekends to', 'spreadsheets']
"""

from __future__ import annotations

from cjm.render.fontwidths import BOLD, REGULAR

FONT_FAMILY = "'DejaVu Sans', Verdana, Arial, sans-serif"
LINE_HEIGHT = 1.3
_FALLBACK = 1000  # an em for characters the table does not know (wide, so text still fits)


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width in pixels of ``text`` set in DejaVu Sans at ``size`` pixels."""
    table = BOLD if bold else REGULAR
    return sum(table.get(ord(char), _FALLBACK) for char in text) * size / 1000


def wrap(
    text: str, width: float, size: float, bold: bool = False, max_lines: int | None = None
) -> list[str]:
    """Break ``text`` into lines no wider than ``width``; words longer than a line are split.

    With ``max_lines``, the last kept line ends in an ellipsis when text was cut.
    """
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, size, bold) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        for piece in _split_word(word, width, size, bold):
            if current:
                lines.append(current)
            current = piece
    if current:
        lines.append(current)
    if max_lines is not None and len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], _ellipsis(lines[max_lines - 1], width, size, bold)]
    return lines or [""]


def _split_word(word: str, width: float, size: float, bold: bool) -> list[str]:
    pieces, current = [], ""
    for char in word:
        if current and text_width(current + char, size, bold) > width:
            pieces.append(current)
            current = ""
        current += char
    return [*pieces, current]


def _ellipsis(line: str, width: float, size: float, bold: bool) -> str:
    while line and text_width(line + "…", size, bold) > width:
        line = line[:-1]
    return line.rstrip() + "…"


def line_height(size: float) -> float:
    """The distance between baselines for text of ``size`` pixels."""
    return size * LINE_HEIGHT
