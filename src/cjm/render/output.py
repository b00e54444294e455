"""The map in the format a file name asks for: SVG, HTML, PNG or PDF.

SVG is the source; HTML wraps it in a page that works offline; PNG and PDF are drawn from
the SVG by vl-convert's renderer (resvg), so no browser is needed.

>>> from cjm import example_path, load_journey
>>> render_map(load_journey(example_path("subscription")), fmt="html")[:15]
'<!doctype html>'
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any, Literal, overload

from cjm.errors import InvalidInput
from cjm.model.files import write_text
from cjm.model.journey import Journey
from cjm.render.journey_map import map_svg
from cjm.render.results import AnalysisView, read_analysis

Format = Literal["svg", "html", "png", "pdf"]
FORMATS: tuple[str, ...] = ("svg", "html", "png", "pdf")
PNG_SCALE = 2.0  # twice the SVG's pixels: sharp on screens and on an A3 print

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ margin: 0; background: #E4E7EB; }}
.map {{ overflow: auto; padding: 16px; }}
.map svg {{ display: block; margin: 0 auto; box-shadow: 0 1px 6px rgba(0,0,0,.15); }}
@media print {{ body {{ background: white; }} .map {{ padding: 0; }}
  .map svg {{ width: 100%; height: auto; box-shadow: none; }} }}
</style></head>
<body><main class="map">{svg}</main></body></html>
"""


@overload
def render_map(journey: Journey, analysis: Any = ..., fmt: Literal["svg", "html"] = ...) -> str: ...
@overload
def render_map(journey: Journey, analysis: Any = ..., *, fmt: Literal["png", "pdf"]) -> bytes: ...
@overload
def render_map(journey: Journey, analysis: Any, fmt: Literal["png", "pdf"]) -> bytes: ...


def render_map(
    journey: Journey,
    analysis: AnalysisView | str | Path | dict[str, Any] | None = None,
    fmt: Format = "svg",
) -> str | bytes:
    """The journey map, with the evidence of ``analysis`` (a folder, a file or a document)
    when given: text for ``svg`` and ``html``, bytes for ``png`` and ``pdf``."""
    view = read_analysis(analysis) if analysis is not None else None
    svg = map_svg(journey, view)
    if fmt == "svg":
        return svg
    if fmt == "html":
        return map_page(journey.name, svg)
    import vl_convert  # the compiled renderer loads only when a picture is asked for

    if fmt == "png":
        png: bytes = vl_convert.svg_to_png(svg, scale=PNG_SCALE)
        return png
    if fmt == "pdf":
        pdf: bytes = vl_convert.svg_to_pdf(svg)
        return pdf
    raise InvalidInput(f"cannot draw a map as {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")


def map_page(name: str, svg: str) -> str:
    """A self-contained HTML page showing the map."""
    return PAGE.format(title=escape(f"Journey map: {name}"), svg=svg)


def write_map(
    journey: Journey,
    path: str | Path,
    analysis: AnalysisView | str | Path | dict[str, Any] | None = None,
) -> Path:
    """Write the map to ``path``; the suffix (.svg, .html, .png, .pdf) picks the format."""
    target = Path(path)
    fmt = target.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise InvalidInput(
            f"{target} does not end in .svg, .html, .png or .pdf",
            hint="name the output like map.html, map.svg, map.png or map.pdf",
        )
    result = render_map(journey, analysis, fmt=fmt)  # type: ignore[call-overload]
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(result, bytes):
        target.write_bytes(result)
    else:
        write_text(target, result)
    return target
