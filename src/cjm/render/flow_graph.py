"""The flow between touchpoints as a directed graph of the top transitions (our own SVG).

Touchpoints stand in columns by stage, in map order. Each arrow is a directly-follows
transition between two different touchpoints; its width is its count. Arrows that go
forward run left to right in blue; arrows back to an earlier stage run under the graph,
dashed and vermillion, because going back is where journeys stall. Repeats at the same
touchpoint are written on the touchpoint instead of drawn as loops.

>>> from cjm import example_path, load_journey
>>> svg = flow_svg(load_journey(example_path("subscription")), [
...     {"source": "pricing-page", "target": "trial-signup", "count": 40, "median_s": 60}])
>>> "Pricing page" in svg and 'data-edge="pricing-page trial-signup"' in svg
True
"""

from __future__ import annotations

from html import escape

from cjm.model.journey import Journey
from cjm.render import formats
from cjm.render.palette import BLUE, HEADER, INK, MUTED, PAPER, RULE, VERMILLION
from cjm.render.svg import element, group, text_lines, title
from cjm.render.text import FONT_FAMILY, wrap

NODE_W, NODE_H, COLUMN_W, ROW_H, TOP, LEFT = 150, 52, 210, 70, 44, 16


def flow_svg(journey: Journey, edges: list[dict[str, object]], top: int = 18) -> str:
    """The top transitions between different touchpoints as an SVG document: the three most
    frequent between each pair of stages, the three most frequent back to an earlier stage, and
    the ``top // 4`` most frequent within a stage."""
    places: dict[str, tuple[float, float, int]] = {}
    names: dict[str, str] = {}
    for column, stage in enumerate(journey.stages):
        for row, tp in enumerate(stage.touchpoints):
            places[tp.id] = (LEFT + column * COLUMN_W, TOP + row * ROW_H, column)
            names[tp.id] = tp.name
    repeats = {e["source"]: int(e["count"]) for e in edges if e["source"] == e["target"]}  # type: ignore[call-overload]
    between = [e for e in edges if e["source"] in places and e["target"] in places]
    across = [e for e in between if places[str(e["source"])][2] != places[str(e["target"])][2]]
    within = [e for e in between if e not in across and e["source"] != e["target"]]
    back = [e for e in across if places[str(e["target"])][2] < places[str(e["source"])][2]]
    ahead = [e for e in across if e not in back]
    shown = _per_boundary(ahead, places, 3) + back[:3] + within[: top // 4]
    rows = max((len(stage.touchpoints) for stage in journey.stages), default=1)
    backward = [e for e in shown if places[str(e["target"])][2] < places[str(e["source"])][2]]
    height = TOP + rows * ROW_H + 30 + 16 * len(backward) + 40
    width = LEFT * 2 + len(journey.stages) * COLUMN_W - (COLUMN_W - NODE_W)
    biggest = max((int(e["count"]) for e in shown), default=1)  # type: ignore[call-overload]
    parts = [element("rect", x=0, y=0, width=width, height=height, fill=PAPER)]
    for column, stage in enumerate(journey.stages):
        parts.append(
            element(
                "text",
                f"{column + 1}. {stage.name}",
                x=float(LEFT + column * COLUMN_W),
                y=20.0,
                font_size=12,
                font_weight="bold",
                fill=HEADER,
            )
        )
    base = TOP + rows * ROW_H + 10
    for rank, edge in enumerate(sorted(shown, key=lambda e: -int(e["count"]))):  # type: ignore[call-overload]
        parts.append(_edge(edge, places, names, biggest, rank, base, backward))
    for tp_id, (x, y, _column) in places.items():
        parts.append(_node(tp_id, names[tp_id], x, y, repeats.get(tp_id)))
    parts.append(
        element(
            "text",
            "Arrow width: transitions between touchpoints. Blue: forward. "
            "Dashed vermillion: back to an earlier stage.",
            x=float(LEFT),
            y=float(height - 12),
            font_size=10.5,
            fill=MUTED,
        )
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height:.0f}" '
        f'viewBox="0 0 {width} {height:.0f}" font-family="{FONT_FAMILY}" role="img" '
        f'aria-label="Flow between touchpoints" class="cjm-flow">{"".join(parts)}</svg>'
    )


def _per_boundary(
    edges: list[dict[str, object]], places: dict[str, tuple[float, float, int]], each: int
) -> list[dict[str, object]]:
    """The ``each`` most frequent transitions of every pair of stages, so the whole journey
    shows, not only its busy start."""
    taken: dict[tuple[int, int], int] = {}
    result = []
    for edge in edges:
        pair = (places[str(edge["source"])][2], places[str(edge["target"])][2])
        if taken.get(pair, 0) < each:
            taken[pair] = taken.get(pair, 0) + 1
            result.append(edge)
    return result


def _arrowhead(x: float, y: float, direction: str, colour: str) -> str:
    """A filled arrowhead whose tip is at (x, y), pointing right, left or up."""
    dx, dy = {"right": (-9, 5), "left": (9, 5), "up": (5, 9)}[direction]
    if direction == "up":
        points = f"{x:.1f},{y:.1f} {x - dx:.1f},{y + dy:.1f} {x + dx:.1f},{y + dy:.1f}"
    else:
        points = f"{x:.1f},{y:.1f} {x + dx:.1f},{y - dy:.1f} {x + dx:.1f},{y + dy:.1f}"
    return element("polygon", points=points, fill=colour)


def _edge(
    edge: dict[str, object],
    places: dict[str, tuple[float, float, int]],
    names: dict[str, str],
    biggest: int,
    rank: int,
    base: float,
    backward: list[dict[str, object]],
) -> str:
    source, target = str(edge["source"]), str(edge["target"])
    count = int(edge["count"])  # type: ignore[call-overload]
    (x0, y0, c0), (x1, y1, c1) = places[source], places[target]
    label = f"{names[source]} → {names[target]}: {count:,} transitions"
    if edge.get("median_s") is not None:
        label += f", median {formats.duration(float(edge['median_s']))}"  # type: ignore[arg-type]
    colour, dash = BLUE, None
    if c1 < c0:
        depth = base + 16 * (backward.index(edge) + 1)
        sx, tx = x0 + NODE_W / 2, x1 + NODE_W / 2
        d = _bezier(sx, y0 + NODE_H, sx, depth, tx, depth, tx, y1 + NODE_H + 9)
        colour, dash = VERMILLION, "6 4"
        head = _arrowhead(tx, y1 + NODE_H + 1, "up", colour)
    elif c1 == c0:
        bulge, sy, ty = x0 + NODE_W + 26 + 6 * (rank % 3), y0 + NODE_H / 2, y1 + NODE_H / 2
        d = _bezier(x0 + NODE_W, sy, bulge, sy, bulge, ty, x1 + NODE_W + 8, ty)
        head = _arrowhead(x1 + NODE_W + 1, ty, "left", colour)
    else:
        mid, sy, ty = (x0 + NODE_W + x1) / 2, y0 + NODE_H / 2, y1 + NODE_H / 2
        d = _bezier(x0 + NODE_W, sy, mid, sy, mid, ty, x1 - 8, ty)
        head = _arrowhead(x1 - 1, ty, "right", colour)
    width = round(1.5 + 7 * count / biggest, 1)
    path = element(
        "path",
        d=d,
        fill="none",
        stroke=colour,
        stroke_width=width,
        stroke_opacity=0.55,
        stroke_dasharray=dash,
    )
    return group([title(label), path, head], class_="edge", data_edge=f"{source} {target}")


def _bezier(*points: float) -> str:
    """``M x0,y0 C c1 c2 x1,y1`` from eight numbers."""
    pairs = [f"{points[i]:.1f},{points[i + 1]:.1f}" for i in range(0, 8, 2)]
    return f"M{pairs[0]} C{pairs[1]} {pairs[2]} {pairs[3]}"


def _node(tp_id: str, name: str, x: float, y: float, repeats: int | None) -> str:
    lines = wrap(name, NODE_W - 16, 10.5, bold=True, max_lines=2)
    frame = element(
        "rect",
        class_="frame",
        x=float(x),
        y=float(y),
        width=NODE_W,
        height=NODE_H,
        rx=6,
        fill=PAPER,
        stroke=RULE,
        stroke_width=1.5,
    )
    parts = [
        frame,
        text_lines(
            lines,
            x + 8,
            y + 16 if len(lines) > 1 else y + 20,
            size=10.5,
            font_weight="bold",
            fill=INK,
        ),
    ]
    if repeats:
        parts.append(
            element(
                "text",
                f"↻ {repeats:,} repeats",
                x=float(x + 8),
                y=float(y + NODE_H - 7),
                font_size=9,
                fill=MUTED,
            )
        )
    return group(parts, class_="box", data_box=f"node:{escape(tp_id)}")
