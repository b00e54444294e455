"""How a journey and an analysis show themselves in Jupyter (``_repr_html_``).

A journey shows its map; an analysis shows its inputs and the funnel as a small table with
bars and intervals. Both are plain HTML with inline SVG: no scripts, nothing fetched.

>>> from cjm import example_path, load_journey
>>> "<svg" in journey_html(load_journey(example_path("subscription")))
True
"""

from __future__ import annotations

from html import escape
from typing import Any

from cjm.model.journey import Journey
from cjm.render import formats
from cjm.render.journey_map import map_svg
from cjm.render.palette import BLUE, RULE
from cjm.render.results import AnalysisView


def journey_html(journey: Journey) -> str:
    """The map in a scrolling box that fits a notebook cell."""
    return (
        '<div class="cjm-journey" style="overflow:auto;max-height:720px;'
        f'border:1px solid {RULE};border-radius:6px">{map_svg(journey)}</div>'
    )


def analysis_html(document: dict[str, Any]) -> str:
    """The evidence at a glance and the ordered funnel of an ``analysis.json`` document."""
    view = AnalysisView.from_json(document)
    names = {stage["id"]: stage.get("name", stage["id"]) for stage in document.get("stages", [])}
    inputs = view.inputs
    funnel = view.funnel()
    top = max((row.reached for row in funnel), default=0) or 1
    rows = "".join(
        "<tr>"
        f"<td>{escape(names.get(row.stage, row.stage))}</td>"
        f'<td style="text-align:right">{formats.count(row.reached)}</td>'
        f'<td><div style="background:{BLUE};height:10px;width:{200 * row.reached / top:.0f}px">'
        "</div></td>"
        f"<td>{formats.percent(row.conversion, 1)}</td>"
        f"<td>{formats.interval(*row.ci95) if row.ci95 else ''}</td>"
        f"<td>{formats.duration(row.median_s)}</td>"
        "</tr>"
        for row in funnel
    )
    return (
        f'<div class="cjm-analysis"><b>{escape(view.journey_name)}</b>: '
        f"{formats.count(inputs.get('customers'))} customers, "
        f"{formats.count(inputs.get('rows'))} events"
        "<table><thead><tr><th>Stage</th><th>Reached</th><th></th><th>Conversion</th>"
        f"<th>95% CI</th><th>Median time</th></tr></thead><tbody>{rows}</tbody></table></div>"
    )
