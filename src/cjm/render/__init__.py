"""The visual journey map and the report: SVG, HTML, PNG, PDF, Markdown, Mermaid, CSV, XLSX.

>>> import cjm, cjm.render
>>> svg = cjm.render.render_map(cjm.load_journey(cjm.example_path("subscription")))
>>> svg.startswith("<svg")
True
"""

from cjm.render.journey_map import map_svg
from cjm.render.markdown import markdown_summary
from cjm.render.mermaid import mermaid_journey
from cjm.render.output import render_map, write_map
from cjm.render.report import Report, write_report
from cjm.render.results import AnalysisView, read_analysis

__all__ = [
    "AnalysisView",
    "Report",
    "map_svg",
    "markdown_summary",
    "mermaid_journey",
    "read_analysis",
    "render_map",
    "write_map",
    "write_report",
]
