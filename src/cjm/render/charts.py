"""The report's charts as Vega-Lite specifications, drawn to SVG offline by vl-convert.

vl-convert ships the Vega engine inside its wheel: no browser, no network. Each function
returns the specification (a plain dict, easy to test and to reuse in a notebook) and
:func:`to_svg` draws one.

>>> spec = emotion_chart([("Use", 1, None, None)])
>>> spec["layer"][0]["mark"]["type"]
'line'
"""

from __future__ import annotations

from typing import Any

from cjm.model.journey import Journey
from cjm.render import formats
from cjm.render.palette import (
    BLUE,
    BLUISH_GREEN,
    DESIGNED,
    FAINT,
    INK,
    MEASURED,
    MUTED,
    RULE,
)
from cjm.render.results import AnalysisView

Spec = dict[str, Any]
SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
FONT = "DejaVu Sans"
WIDTH = 640


def _base(data: list[dict[str, Any]], height: float, width: float = WIDTH) -> Spec:
    return {
        "$schema": SCHEMA,
        "width": width,
        "height": height,
        "data": {"values": data},
        "background": "white",
        "config": {
            "font": FONT,
            "view": {"stroke": None},
            "axis": {
                "labelColor": MUTED,
                "titleColor": INK,
                "gridColor": RULE,
                "labelFontSize": 11,
                "titleFontSize": 11,
                "titleFontWeight": "normal",
            },
            "legend": {"labelFontSize": 11, "titleFontSize": 11, "orient": "bottom"},
        },
    }


def _labelled_bars(y: Spec, field: str, colour: str, x_axis: Spec) -> list[Spec]:
    """Horizontal bars with their label at the end of each bar."""
    x = {"field": field, "type": "quantitative"}
    return [
        {
            "mark": {"type": "bar", "color": colour, "cornerRadiusEnd": 3},
            "encoding": {"y": y, "x": {**x, **x_axis}},
        },
        {
            "mark": {"type": "text", "align": "left", "dx": 4, "color": INK, "fontSize": 11},
            "encoding": {"y": y, "x": x, "text": {"field": "label"}},
        },
    ]


def funnel_chart(journey: Journey, analysis: AnalysisView) -> Spec:
    """Customers reaching each stage (bars) and conversion from the previous stage with its
    95% interval (points and rules)."""
    names = {stage.id: stage.name for stage in journey.stages}
    rows = [
        {
            "stage": f"{i}. {names.get(row.stage, row.stage)}",
            "reached": row.reached,
            "conversion": row.conversion,
            "low": row.ci95[0] if row.ci95 else None,
            "high": row.ci95[1] if row.ci95 else None,
            "label": f"{row.reached:,}",
        }
        for i, row in enumerate(analysis.funnel(), start=1)
    ]
    order = [row["stage"] for row in rows]
    y = {
        "field": "stage",
        "type": "nominal",
        "sort": order,
        "title": None,
        "axis": {"labelFontSize": 12, "labelColor": INK, "labelLimit": 220},
    }
    reached = {
        "width": 330,
        "layer": _labelled_bars(y, "reached", BLUE, {"title": "customers who reached the stage"}),
    }
    conversion = {
        "width": 220,
        "transform": [{"filter": "datum.conversion != null"}],
        "layer": [
            {
                "mark": {"type": "rule", "color": MUTED, "strokeWidth": 2},
                "encoding": {
                    "y": {**y, "axis": None},
                    "x": {
                        "field": "low",
                        "type": "quantitative",
                        "axis": {"format": "%", "values": [0, 0.25, 0.5, 0.75, 1]},
                        "scale": {"domain": [0, 1]},
                        "title": "conversion from previous stage (95% CI)",
                    },
                    "x2": {"field": "high"},
                },
            },
            {
                "mark": {"type": "point", "filled": True, "size": 70, "color": INK},
                "encoding": {
                    "y": {**y, "axis": None},
                    "x": {"field": "conversion", "type": "quantitative"},
                    "tooltip": [{"field": "conversion", "format": ".1%"}],
                },
            },
            {
                "mark": {"type": "text", "dy": -11, "fontSize": 10, "color": INK},
                "encoding": {
                    "y": {**y, "axis": None},
                    "x": {"field": "conversion", "type": "quantitative"},
                    "text": {"field": "conversion", "format": ".0%"},
                },
            },
        ],
    }
    spec = _base(rows, 34 * len(rows))
    del spec["width"], spec["height"]
    spec["hconcat"] = [
        {**reached, "height": 34 * len(rows)},
        {**conversion, "height": 34 * len(rows)},
    ]
    return spec


def variants_chart(journey: Journey, analysis: AnalysisView, top: int = 8) -> Spec:
    """The most common paths through the stages, by share of customers."""
    names = {stage.id: stage.name for stage in journey.stages}
    rows = [
        {
            "path": " → ".join(names.get(step, step) for step in variant["path"]),
            "share": variant["share"],
            "label": f"{variant['customers']:,} ({variant['share']:.0%})",
        }
        for variant in analysis.variants("stages")[:top]
    ]
    y = {
        "field": "path",
        "type": "nominal",
        "sort": None,
        "title": None,
        "axis": {"labelLimit": 420, "labelColor": INK, "labelFontSize": 11},
    }
    spec = _base(rows, 28 * max(len(rows), 1), width=260)
    spec["layer"] = _labelled_bars(
        y, "share", BLUISH_GREEN, {"axis": {"format": "%"}, "title": "share of customers"}
    )
    return spec


def emotion_points(
    journey: Journey, analysis: AnalysisView | None
) -> list[tuple[str, float | None, float | None, tuple[float, float] | None]]:
    """Per stage: name, designed emotion, measured sentiment ×2 and its interval ×2."""
    feedback = analysis.feedback() if analysis else {}
    result: list[tuple[str, float | None, float | None, tuple[float, float] | None]] = []
    for stage in journey.stages:
        found = feedback.get(stage.id)
        measured = found.sentiment * 2 if found and found.sentiment is not None else None
        ci = (found.ci95[0] * 2, found.ci95[1] * 2) if found and found.ci95 else None
        result.append((stage.name, stage.emotion, measured, ci))
    return result


def emotion_chart(
    points: list[tuple[str, float | None, float | None, tuple[float, float] | None]],
) -> Spec:
    """The designed emotion by stage, and beside it the measured one (feedback sentiment on
    the same −2..+2 scale, with its 95% interval) when there is feedback."""
    rows = []
    for i, (name, designed, measured, ci) in enumerate(points, start=1):
        stage = f"{i}. {name}"
        if designed is not None:
            rows.append({"stage": stage, "value": designed, "series": "designed"})
        if measured is not None:
            rows.append(
                {
                    "stage": stage,
                    "value": measured,
                    "series": "measured",
                    "low": ci[0] if ci else None,
                    "high": ci[1] if ci else None,
                }
            )
    order = [f"{i}. {name}" for i, (name, *_rest) in enumerate(points, start=1)]
    x = {
        "field": "stage",
        "type": "ordinal",
        "sort": order,
        "title": None,
        "axis": {"labelAngle": 0, "labelColor": INK, "labelFontSize": 11, "labelLimit": 110},
    }
    colour = {
        "field": "series",
        "type": "nominal",
        "title": "emotion",
        "scale": {"domain": ["designed", "measured"], "range": [DESIGNED, MEASURED]},
    }
    shape = {
        "field": "series",
        "type": "nominal",
        "title": "emotion",
        "scale": {"domain": ["designed", "measured"], "range": ["triangle-up", "square"]},
    }
    y = {
        "field": "value",
        "type": "quantitative",
        "scale": {"domain": [-2.2, 2.2]},
        "axis": {"values": [-2, -1, 0, 1, 2]},
        "title": "emotion (−2 very negative … +2)",
    }
    spec = _base(rows, 220)
    spec["layer"] = [
        {
            "mark": {"type": "line", "interpolate": "monotone", "strokeWidth": 2.5},
            "encoding": {
                "x": x,
                "y": y,
                "color": colour,
                "strokeDash": {
                    "field": "series",
                    "type": "nominal",
                    "legend": None,
                    "scale": {"domain": ["designed", "measured"], "range": [[1, 0], [6, 4]]},
                },
            },
        },
        {
            "transform": [{"filter": "datum.low != null"}],
            "mark": {"type": "rule", "strokeWidth": 2, "color": MEASURED},
            "encoding": {
                "x": x,
                "y": {"field": "low", "type": "quantitative"},
                "y2": {"field": "high"},
            },
        },
        {
            "mark": {"type": "point", "filled": True, "size": 90},
            "encoding": {"x": x, "y": y, "color": colour, "shape": shape},
        },
        {
            "mark": {"type": "rule", "color": FAINT, "strokeDash": [3, 3]},
            "data": {"values": [{"zero": 0}]},
            "encoding": {"y": {"field": "zero", "type": "quantitative"}},
        },
    ]
    return spec


def opportunity_matrix(journey: Journey) -> Spec:
    """Impact against effort; the quick-win corner (little effort, high impact) is marked.

    Each point carries the opportunity's number in the map's order (the report's table lists
    them by number), so labels never run over each other; points that coincide sit side by
    side."""
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[int, int], int] = {}
    for number, opp in enumerate(journey.opportunities, start=1):
        if opp.impact is None or opp.effort is None:
            continue
        nudge = seen.get((opp.effort, opp.impact), 0)
        seen[(opp.effort, opp.impact)] = nudge + 1
        rows.append(
            {
                "name": f"{number}. {opp.name}",
                "impact": opp.impact,
                "effort": opp.effort + 0.2 * nudge,
                "horizon": (formats.words(opp.horizon.value) if opp.horizon else "no horizon"),
                "label": str(number),
            }
        )
    domain = ["quick win", "long term", "no horizon"]
    colour = {
        "field": "horizon",
        "type": "nominal",
        "title": "horizon",
        "scale": {"domain": domain, "range": [BLUISH_GREEN, BLUE, FAINT]},
    }
    x = {
        "field": "effort",
        "type": "quantitative",
        "scale": {"domain": [0.5, 5.9]},
        "axis": {"values": [1, 2, 3, 4, 5], "format": "d"},
        "title": "effort (1 easy … 5 hard)",
    }
    y = {
        "field": "impact",
        "type": "quantitative",
        "scale": {"domain": [0.5, 6]},
        "axis": {"values": [1, 2, 3, 4, 5], "format": "d"},
        "title": "customer impact (1 … 5)",
    }
    spec = _base(rows, 360)
    spec["layer"] = [
        {
            "data": {"values": [{"x": 0.5, "x2": 2.5, "y": 3.5, "y2": 6}]},
            "mark": {"type": "rect", "color": BLUISH_GREEN, "opacity": 0.12},
            "encoding": {
                "x": {"field": "x", "type": "quantitative"},
                "x2": {"field": "x2"},
                "y": {"field": "y", "type": "quantitative"},
                "y2": {"field": "y2"},
            },
        },
        {
            "data": {
                "values": [{"x": 0.6, "y": 5.78, "text": "QUICK WINS: little effort, high impact"}]
            },
            "mark": {
                "type": "text",
                "align": "left",
                "fontWeight": "bold",
                "color": BLUISH_GREEN,
                "fontSize": 11,
            },
            "encoding": {
                "x": {"field": "x", "type": "quantitative"},
                "y": {"field": "y", "type": "quantitative"},
                "text": {"field": "text"},
            },
        },
        {
            "mark": {"type": "point", "filled": True, "size": 120, "opacity": 1},
            "encoding": {
                "x": x,
                "y": y,
                "color": colour,
                "shape": {
                    "field": "horizon",
                    "type": "nominal",
                    "title": "horizon",
                    "scale": {"domain": domain, "range": ["triangle-up", "diamond", "circle"]},
                },
                "tooltip": [{"field": "name"}],
            },
        },
        {
            "mark": {
                "type": "text",
                "align": "center",
                "dy": -14,
                "fontSize": 11,
                "fontWeight": "bold",
                "color": INK,
            },
            "encoding": {"x": x, "y": y, "text": {"field": "label"}},
        },
    ]
    return spec


def to_svg(spec: Spec) -> str:
    """Draw a Vega-Lite specification as SVG, offline."""
    import vl_convert  # a compiled engine: imported only when a chart is drawn

    svg: str = vl_convert.vegalite_to_svg(spec)
    return svg
