"""The journey vocabulary as typed pydantic models.

A :class:`Journey` validates at construction: field types, ranges, slugs, unknown keys, and
every cross-reference (duplicate ids, dangling references, a stage order that repeats). An
invalid map cannot exist in memory.

>>> Journey(id="j", name="J", stages=[Stage(id="use", name="Use")]).stages[0].name
'Use'
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    model_validator,
)

from cjm.model.references import reference_problems
from cjm.model.taxonomy import (
    Behaviour,
    Channel,
    Direction,
    EvidenceSource,
    Horizon,
    Interaction,
    Metric,
    Operator,
    OpportunityStatus,
    OpportunityType,
    Origin,
    OwnerArea,
    PainCategory,
    PainKind,
    PainStatus,
    PriorityClass,
    ReviewCadence,
    ScopeKind,
    Unit,
)

SLUG_PATTERN = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"

Slug = Annotated[
    str,
    Field(
        pattern=SLUG_PATTERN,
        max_length=64,
        description="A short id: lowercase letters, digits, '-' or '_' (e.g. 'repeat-calls').",
    ),
]


def _printable(text: str) -> str:
    if "\x00" in text:
        raise ValueError("text must not contain NUL characters")
    return text


Text = Annotated[str, Field(min_length=1, max_length=10_000), AfterValidator(_printable)]
Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_printable)]
# Numbers are strict: true, false and "3" are not numbers in a map file.
Score = Annotated[int, Field(ge=1, le=5, strict=True, description="1 (lowest) to 5 (highest).")]
Emotion = Annotated[
    int,
    Field(ge=-2, le=2, strict=True, description="-2 (very negative) to +2 (very positive)."),
]
Number = Annotated[float, Field(strict=True)]
Scalar = str | int | float | bool
FORMAT_VERSION: Literal[1] = 1


class Node(BaseModel):
    """Base of every part of a map: unknown keys are errors, assignment is validated."""

    model_config = ConfigDict(
        extra="forbid",
        validate_assignment=True,
        str_strip_whitespace=True,
        allow_inf_nan=False,
        populate_by_name=True,
    )


class Condition(Node):
    """A test on one attribute of an event or a customer."""

    attribute: Name = Field(description="The attribute (column) to test, e.g. 'channel'.")
    op: Operator = Field(default=Operator.EQ, description="How to compare.")
    value: Scalar | list[Scalar] | None = Field(
        default=None, description="What to compare with; a list for 'in' and 'not_in'."
    )

    @model_validator(mode="after")
    def _value_fits_operator(self) -> Condition:
        if self.op is Operator.EXISTS:
            if self.value is not None:
                raise ValueError("operator 'exists' takes no value: remove 'value'")
        elif self.value is None:
            raise ValueError(f"operator '{self.op.value}' needs a 'value'")
        elif self.op in (Operator.IN, Operator.NOT_IN) and not isinstance(self.value, list):
            raise ValueError(f"operator '{self.op.value}' needs a list of values, e.g. [a, b]")
        elif self.op not in (Operator.IN, Operator.NOT_IN) and isinstance(self.value, list):
            raise ValueError(f"operator '{self.op.value}' takes one value, not a list: use 'in'")
        return self


class EventRule(Node):
    """Which raw events belong to a touchpoint.

    An event matches when its name is one of ``names`` or matches one of ``patterns``
    (when either is given) and every condition in ``where`` holds.
    """

    names: list[Name] = Field(default_factory=list, description="Exact event names.")
    patterns: list[Name] = Field(
        default_factory=list, description="Glob patterns on event names, e.g. 'checkout_*'."
    )
    where: list[Condition] = Field(
        default_factory=list, description="Conditions on event attributes; all must hold."
    )

    @model_validator(mode="after")
    def _not_empty(self) -> EventRule:
        if not (self.names or self.patterns or self.where):
            raise ValueError("an event rule needs at least one of 'names', 'patterns' or 'where'")
        return self


class PersonaRule(Node):
    """Which customers a persona selects: attribute conditions and/or a behaviour."""

    where: list[Condition] = Field(
        default_factory=list, description="Conditions on customer attributes; all must hold."
    )
    behaviour: Behaviour | None = Field(default=None, description="A behavioural segment.")

    @model_validator(mode="after")
    def _not_empty(self) -> PersonaRule:
        if not (self.where or self.behaviour):
            raise ValueError("a persona rule needs 'where' conditions or a 'behaviour'")
        return self


class Scope(Node):
    """What the map covers."""

    kind: ScopeKind = Field(description="Whole experience, or one segment, product or service.")
    focus: Name | None = Field(
        default=None, description="Which segment, product or service, when not the whole."
    )


class Persona(Node):
    """Who walks the journey."""

    id: Slug
    name: Name = Field(description="The persona's name as people say it.")
    description: Text | None = Field(default=None, description="More about the persona.")
    rule: PersonaRule | None = Field(
        default=None, description="The data rule that selects this persona's customers."
    )


class Team(Node):
    """A team that owns touchpoints, pain points or opportunities (the backstage)."""

    id: Slug
    name: Name = Field(description="The team's name as people say it.")
    area: OwnerArea | None = Field(default=None, description="Its area in the company.")
    description: Text | None = Field(default=None, description="More about the team.")
    contact: Name | None = Field(default=None, description="Who to ask: a person or a channel.")


class Touchpoint(Node):
    """Where the customer meets the company inside a stage."""

    id: Slug
    name: Name = Field(description="The touchpoint's name as people say it.")
    channel: Channel = Field(description="Where the customer meets the company.")
    owner: Slug | None = Field(default=None, description="The owning team's id.")
    description: Text | None = Field(default=None, description="More about the touchpoint.")
    events: EventRule | None = Field(
        default=None, description="Which raw events map onto this touchpoint."
    )
    keywords: list[Name] = Field(
        default_factory=list, description="Words customers use about it (for feedback)."
    )


class Stage(Node):
    """An ordered phase of the journey; the list order of ``stages`` is the journey order."""

    id: Slug
    name: Name = Field(description="The stage's name as people say it.")
    description: Text | None = Field(default=None, description="More about the stage.")
    customer_goal: Text | None = Field(
        default=None, description="What the customer wants to achieve."
    )
    actions: list[Text] = Field(default_factory=list, description="What the customer does.")
    thoughts: list[Text] = Field(
        default_factory=list, description="What the customer thinks or asks."
    )
    emotion: Emotion | None = Field(default=None, description="The designed emotion, -2..+2.")
    touchpoints: list[Touchpoint] = Field(
        default_factory=list, description="Where the customer meets the company here."
    )
    keywords: list[Name] = Field(
        default_factory=list, description="Words customers use about it (for feedback)."
    )


class Evidence(Node):
    """A piece of evidence behind a pain point."""

    source: EvidenceSource = Field(description="Where the evidence comes from.")
    summary: Text = Field(description="What the evidence says, in one or two sentences.")
    url: Name | None = Field(default=None, description="Where to read it.")
    date: dt.date | None = Field(default=None, description="When it was gathered.")


class PainPoint(Node):
    """A moment of frustration, confusion or dissatisfaction, dissected in five steps."""

    id: Slug
    name: Name = Field(description="The pain point's name as people say it.")
    description: Text | None = Field(default=None, description="More about the pain point.")
    stage: Slug = Field(description="Step 1: the stage where it occurs.")
    touchpoint: Slug | None = Field(default=None, description="Step 1: the touchpoint, if one.")
    persona: Slug | None = Field(default=None, description="Step 1: the persona, if one.")
    owner_area: OwnerArea | None = Field(default=None, description="Step 2: owner area.")
    kind: PainKind | None = Field(default=None, description="Step 3: kind of pain.")
    interaction: Interaction | None = Field(default=None, description="Step 4: interaction.")
    priority: PriorityClass | None = Field(default=None, description="Step 5: priority class.")
    category: PainCategory | None = Field(
        default=None, description="Support, productivity or process pain."
    )
    evidence: list[Evidence] = Field(
        default_factory=list, description="What shows it is real, not an assumption."
    )
    status: PainStatus = Field(default=PainStatus.OPEN, description="Where it stands.")
    origin: Origin = Field(
        default=Origin.WRITTEN, description="Written by a person or detected in the data."
    )


class Opportunity(Node):
    """An improvement that addresses pain points; the portfolio ranks them."""

    id: Slug
    name: Name = Field(description="The opportunity's name as people say it.")
    description: Text | None = Field(default=None, description="More about the opportunity.")
    type: OpportunityType | None = Field(
        default=None, description="Delight, streamline or proactive."
    )
    impact: Score | None = Field(default=None, description="Customer impact, 1-5.")
    financial_potential: Score | None = Field(default=None, description="Money at stake, 1-5.")
    effort: Score | None = Field(default=None, description="Effort to deliver, 1-5 (feasibility).")
    horizon: Horizon | None = Field(default=None, description="Quick win or long term.")
    owner: Slug | None = Field(default=None, description="The owning team's id.")
    assignee: Name | None = Field(default=None, description="The person who drives it.")
    due: dt.date | None = Field(default=None, description="Due date.")
    status: OpportunityStatus = Field(
        default=OpportunityStatus.IDEA, description="Where it stands."
    )
    addresses: list[Slug] = Field(
        default_factory=list, description="Ids of the pain points it addresses."
    )
    target_kpis: list[Slug] = Field(
        default_factory=list, description="Ids of the KPIs it should move."
    )


class KPI(Node):
    """A measure on a stage or on the whole journey, with its target and thresholds.

    ``yellow`` and ``red`` are the values at which the KPI turns yellow and red: for a KPI
    where higher is better, ``red <= yellow <= target``; where lower is better, the reverse.
    """

    id: Slug
    name: Name = Field(description="The KPI's name as people say it.")
    metric: Metric = Field(description="What it measures.")
    stage: Slug | None = Field(default=None, description="The stage; none for the journey.")
    touchpoint: Slug | None = Field(default=None, description="The touchpoint, if one.")
    description: Text | None = Field(default=None, description="More about the KPI.")
    direction: Direction | None = Field(
        default=None, description="Better when higher or lower; defaults to the metric's."
    )
    unit: Unit | None = Field(
        default=None, description="The unit of values, target and thresholds."
    )
    target: Number | None = Field(default=None, description="The value to reach.")
    yellow: Number | None = Field(default=None, description="Threshold for yellow.")
    red: Number | None = Field(default=None, description="Threshold for red.")
    weight: Number = Field(default=1.0, gt=0, le=100, description="Weight in the JPI.")

    @property
    def better(self) -> Direction:
        """The direction in which this KPI is better (explicit, or the metric's default)."""
        return self.direction or self.metric.default_direction

    @model_validator(mode="after")
    def _thresholds_in_order(self) -> KPI:
        higher = self.better is Direction.HIGHER
        order = "red ≤ yellow ≤ target" if higher else "target ≤ yellow ≤ red"
        points = [("target", self.target), ("yellow", self.yellow), ("red", self.red)]
        given = [(name, value) for name, value in points if value is not None]
        for (near, near_value), (far, far_value) in itertools.pairwise(given):
            if (far_value > near_value) if higher else (far_value < near_value):
                side = "above" if higher else "below"
                raise ValueError(
                    f"{far} {far_value:g} is {side} {near} {near_value:g}; "
                    f"a KPI that is better when {self.better.value} needs {order}"
                )
        return self


class Journey(Node):
    """One end-to-end customer journey, from before start to after finish."""

    format_version: Literal[1] = Field(
        default=FORMAT_VERSION, description="Version of the cjm file format."
    )
    id: Slug
    name: Name = Field(description="The journey's name as people say it.")
    description: Text | None = Field(default=None, description="More about the journey.")
    scope: Scope | None = Field(default=None, description="What part of the experience it covers.")
    purpose: Text | None = Field(
        default=None, description="What the map is for, e.g. 'reduce churn in onboarding'."
    )
    owner: Name | None = Field(default=None, description="Who owns the journey.")
    review_cadence: ReviewCadence | None = Field(
        default=None, description="How often the map must be validated."
    )
    last_validated: dt.date | None = Field(
        default=None, description="When the map was last checked against real customers."
    )
    revision: int | None = Field(
        default=None,
        ge=1,
        lt=2**31,
        strict=True,
        description="The stored revision this file came from; cjm writes it on push and pull.",
    )
    personas: list[Persona] = Field(default_factory=list, description="Who walks the journey.")
    teams: list[Team] = Field(default_factory=list, description="The backstage: owning teams.")
    stages: list[Stage] = Field(min_length=1, description="The stages, in journey order.")
    pain_points: list[PainPoint] = Field(
        default_factory=list, description="Where it hurts, each dissected in five steps."
    )
    opportunities: list[Opportunity] = Field(
        default_factory=list, description="Improvements that address pain points."
    )
    kpis: list[KPI] = Field(
        default_factory=list, description="Measures of the stages and the journey."
    )

    @model_validator(mode="after")
    def _references_hold(self, info: ValidationInfo) -> Journey:
        if info.context and info.context.get("skip_references"):
            return self
        problems = reference_problems(self.model_dump(mode="python"))
        if problems:
            raise ValueError("; ".join(f"{p.where}: {p.message}" for p in problems))
        return self

    # Lookups used across cjm; maps are small, so plain scans are fine.
    def stage(self, stage_id: str) -> Stage:
        """The stage with this id (``KeyError`` if none)."""
        for stage in self.stages:
            if stage.id == stage_id:
                return stage
        raise KeyError(stage_id)

    def touchpoints(self) -> list[tuple[Stage, Touchpoint]]:
        """Every touchpoint with its stage, in journey order."""
        return [(stage, tp) for stage in self.stages for tp in stage.touchpoints]

    def content(self) -> dict[str, Any]:
        """The map's content as plain JSON data, without the ``revision`` bookkeeping."""
        return self.model_dump(mode="json", exclude={"revision"})

    def _repr_html_(self) -> str:
        """The map as a picture in Jupyter (drawn by ``cjm.render``, imported on first use)."""
        from cjm.render.notebook import journey_html  # render depends on model, not back

        return journey_html(self)
