"""A typed, read-only view of ``analysis.json`` for drawing: what render needs, nothing more.

The renderer reads the file rather than importing the analytics engine, so a report can be
drawn from an analysis made elsewhere. Sections that later analyses add (``feedback``,
``pain_points``, ``opportunities``, ``kpis``, ``jpi``; see docs/reference/analysis.md) are
optional: when a section is missing its lane or chart says so instead of failing. Readers
are tolerant of a list or an object holding the list (``{"stages": [...]}``, ``{"ranked":
[...]}``), so the layout does not break when those sections grow fields.

>>> view = AnalysisView.from_json({"journey": {"id": "j", "name": "J"}, "funnel": {}})
>>> view.journey_id, view.has_feedback, view.kpi("nps") is None
('j', False, True)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cjm.errors import InvalidInput, NotFound

Interval = tuple[float, float]


@dataclass(frozen=True)
class FunnelRow:
    """One stage of the ordered funnel."""

    stage: str
    reached: int
    conversion: float | None
    ci95: Interval | None
    drop_off: int | None
    median_s: float | None


@dataclass(frozen=True)
class FeedbackStage:
    """What customers said about one stage: how many items, mean sentiment (-1..+1), themes."""

    stage: str
    items: int
    sentiment: float | None
    ci95: Interval | None
    themes: list[tuple[str, int]]


@dataclass(frozen=True)
class DetectedPain:
    """A pain point found in the evidence, with how many customers it touches."""

    id: str
    name: str
    stage: str | None
    touchpoint: str | None
    priority: str | None
    customers_affected: int | None
    signal: str | None
    effect: float | None
    effect_ci95: Interval | None
    raw: dict[str, Any] = field(repr=False, default_factory=dict)


@dataclass(frozen=True)
class KpiValue:
    """A KPI measured: value, interval and its light."""

    id: str
    name: str | None
    stage: str | None
    value: float | None
    target: float | None
    ci95: Interval | None
    status: str
    reason: str | None


@dataclass(frozen=True)
class Light:
    """A JPI status with the reasons that explain it."""

    status: str
    reasons: list[str]


@dataclass(frozen=True)
class AnalysisView:
    """The parts of ``analysis.json`` that render draws."""

    data: dict[str, Any] = field(repr=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AnalysisView:
        """Wrap a parsed ``analysis.json`` document."""
        if not isinstance(data, dict) or "journey" not in data:
            raise InvalidInput(
                "this is not an analysis.json: it has no 'journey' key",
                hint="give the folder that 'cjm analyze' wrote (with analysis.json in it)",
            )
        return cls(data)

    @property
    def journey_id(self) -> str:
        return str(self.data["journey"].get("id", ""))

    @property
    def journey_file(self) -> Path | None:
        """The map file the analysis was made from, if it was read from one."""
        file = self.data["journey"].get("file")
        return Path(file) if file else None

    @property
    def journey_name(self) -> str:
        return str(self.data["journey"].get("name", self.journey_id))

    @property
    def inputs(self) -> dict[str, Any]:
        return dict(self.data.get("inputs") or {})

    def funnel(self, mode: str = "ordered") -> list[FunnelRow]:
        """The funnel rows, in stage order (empty when the analysis has none)."""
        rows = (self.data.get("funnel") or {}).get(mode) or []
        return [
            FunnelRow(
                stage=str(row.get("stage", "")),
                reached=int(row.get("reached") or 0),
                conversion=_float(row.get("conversion")),
                ci95=_interval(row.get("ci95")),
                drop_off=row.get("drop_off"),
                median_s=_float(row.get("median_s")),
            )
            for row in rows
        ]

    def funnel_row(self, stage: str) -> FunnelRow | None:
        return next((row for row in self.funnel() if row.stage == stage), None)

    @property
    def transitions(self) -> list[dict[str, Any]]:
        """Directly-follows edges between touchpoints, most frequent first."""
        return list((self.data.get("flow") or {}).get("touchpoints") or [])

    def variants(self, by: str = "stages") -> list[dict[str, Any]]:
        """Top variants: ``path``, ``customers``, ``share``."""
        return list(((self.data.get("variants") or {}).get(by) or {}).get("top") or [])

    def touchpoint_activity(self) -> dict[str, dict[str, Any]]:
        """Per touchpoint id: events, customers, contacts, repeats."""
        return {
            tp["id"]: tp
            for stage in self.data.get("stages") or []
            for tp in stage.get("touchpoints") or []
        }

    @property
    def has_feedback(self) -> bool:
        return bool(self.feedback())

    def feedback(self) -> dict[str, FeedbackStage]:
        """Per stage id, what feedback says (empty until the analysis carries feedback)."""
        result = {}
        for row in _items(self.data.get("feedback"), "stages"):
            sentiment = row.get("sentiment")
            mean = sentiment.get("mean") if isinstance(sentiment, dict) else sentiment
            ci = sentiment.get("ci95") if isinstance(sentiment, dict) else row.get("ci95")
            stage = str(row.get("stage", ""))
            result[stage] = FeedbackStage(
                stage=stage,
                items=int(row.get("items") or 0),
                sentiment=_float(mean if mean is not None else row.get("sentiment_mean")),
                ci95=_interval(ci if ci is not None else row.get("sentiment_ci95")),
                themes=[_theme(theme) for theme in row.get("themes") or []],
            )
        return result

    def detected_pain_points(self) -> list[DetectedPain]:
        """Pain points the analysis found (empty until it carries ``pain_points``)."""
        return [
            DetectedPain(
                id=str(row.get("id", "")),
                name=str(row.get("name") or row.get("id", "")),
                stage=row.get("stage"),
                touchpoint=row.get("touchpoint"),
                priority=row.get("priority"),
                customers_affected=_int(row.get("customers_affected", row.get("customers"))),
                signal=row.get("signal"),
                effect=_float(_effect(row).get("value")),
                effect_ci95=_interval(_effect(row).get("ci95")),
                raw=row,
            )
            for row in _items(self.data.get("pain_points"), "ranked")
        ]

    def opportunities(self) -> list[dict[str, Any]]:
        """The ranked opportunity portfolio (empty until the analysis carries it)."""
        return _items(self.data.get("opportunities"), "ranked")

    def kpis(self) -> list[KpiValue]:
        """Measured KPIs with their status (empty until the analysis carries ``kpis``)."""
        return [
            KpiValue(
                id=str(row.get("id", "")),
                name=row.get("name"),
                stage=row.get("stage"),
                value=_float(row.get("value")),
                target=_float(row.get("target")),
                ci95=_interval(row.get("ci95")),
                status=str(row.get("status") or "insufficient_data"),
                reason=row.get("reason") or _first(row.get("reasons")),
            )
            for row in _items(self.data.get("kpis"), "items")
        ]

    def kpi(self, kpi_id: str) -> KpiValue | None:
        return next((k for k in self.kpis() if k.id == kpi_id), None)

    def jpi(self) -> Light | None:
        """The journey's JPI, when the analysis computed it."""
        journey = (self.data.get("jpi") or {}).get("journey")
        return _light(journey) if journey else None

    def stage_jpi(self) -> dict[str, Light]:
        """Per stage id, its JPI (empty until the analysis carries ``jpi``)."""
        stages = (self.data.get("jpi") or {}).get("stages") or []
        if isinstance(stages, dict):
            return {key: _light(value) for key, value in stages.items()}
        return {str(row.get("stage", "")): _light(row) for row in stages}


def read_analysis(source: str | Path | dict[str, Any] | AnalysisView) -> AnalysisView:
    """An :class:`AnalysisView` of a folder, an ``analysis.json`` file or a parsed document."""
    if isinstance(source, AnalysisView):
        return source
    if isinstance(source, dict):
        return AnalysisView.from_json(source)
    path = Path(source)
    if path.is_dir():
        path = path / "analysis.json"
    if not path.exists():
        raise NotFound(
            f"{path} does not exist",
            hint="run 'cjm analyze MAP --events LOG --out DIR' first, then give DIR",
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(
            f"{path} is not valid JSON: {exc}", hint="write it again with 'cjm analyze'"
        ) from None
    return AnalysisView.from_json(data)


def _items(section: Any, key: str) -> list[dict[str, Any]]:
    if isinstance(section, dict):
        section = section.get(key) or section.get("items") or []
    return [row for row in section or [] if isinstance(row, dict)]


def _light(row: Any) -> Light:
    if isinstance(row, str):
        return Light(row, [])
    reasons = row.get("reasons") or row.get("reason") or []
    return Light(str(row.get("status") or "insufficient_data"), _strings(reasons))


def _strings(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _first(value: Any) -> str | None:
    strings = _strings(value or [])
    return strings[0] if strings else None


def _effect(row: dict[str, Any]) -> dict[str, Any]:
    effect = row.get("effect")
    return effect if isinstance(effect, dict) else {"value": effect}


def _theme(theme: Any) -> tuple[str, int]:
    if isinstance(theme, str):
        return theme, 0
    name = theme.get("theme") or theme.get("name") or theme.get("label") or "?"
    return str(name), int(theme.get("count") or theme.get("items") or 0)


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _interval(value: Any) -> Interval | None:
    if isinstance(value, list | tuple) and len(value) == 2 and None not in value:
        return float(value[0]), float(value[1])
    if isinstance(value, dict) and value.get("low") is not None:
        return float(value["low"]), float(value["high"])
    return None
