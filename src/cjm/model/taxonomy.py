"""Every closed vocabulary of a journey map, each value with a short description.

The meanings come from the seed articles: the two stock stage sets, the five-step dissection
of a pain point (owner area, kind, interaction, priority class), pain-point categories,
opportunity types and horizons, and the KPIs of a balanced scorecard. Descriptions travel into
the JSON Schema (``enumDescriptions``) so editors show them while people type.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Self

from pydantic import GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema


class Taxonomy(StrEnum):
    """A string enum whose members carry a one-line description."""

    description: str

    def __new__(cls, value: str, description: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.description = description
        return member

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema = handler.resolve_ref_schema(schema)
        schema["description"] = (cls.__doc__ or "").strip()
        schema["enumDescriptions"] = [member.description for member in cls]
        return schema

    @classmethod
    def values(cls) -> list[str]:
        """All allowed values, in declaration order."""
        return [member.value for member in cls]

    @classmethod
    def describe(cls) -> dict[str, Any]:
        """``{value: description}`` for documentation."""
        return {member.value: member.description for member in cls}


class DiscoveryStage(Taxonomy):
    """The seeds' first stock stage set: discovery to advocate."""

    DISCOVERY = "discovery", "The customer first learns that the product or service exists."
    CONSIDERATION = "consideration", "The customer compares options and weighs the decision."
    PURCHASE = "purchase", "The customer buys, signs up or places the order."
    USE = "use", "The customer uses what they bought for the first times."
    ADOPT = "adopt", "Use becomes a habit: the customer relies on it and comes back."
    ADVOCATE = "advocate", "The customer recommends the brand to others."


class AwarenessStage(Taxonomy):
    """The seeds' second stock stage set: awareness to advocacy."""

    AWARENESS = "awareness", "The customer becomes aware of the brand and of their need."
    CONSIDERATION = "consideration", "The customer researches, compares and reads reviews."
    PURCHASE = "purchase", "The customer buys or subscribes."
    ONBOARDING = "onboarding", "The customer sets up and reaches first value."
    RETENTION = "retention", "The customer keeps using, renews and buys again."
    ADVOCACY = "advocacy", "The customer tells others and refers new customers."


class StageSet(Taxonomy):
    """Which stages a new journey map starts with (``cjm init --stages``)."""

    DISCOVERY = "discovery", "discovery, consideration, purchase, use, adopt, advocate."
    AWARENESS = "awareness", "awareness, consideration, purchase, onboarding, retention, advocacy."
    CUSTOM = "custom", "Three placeholder stages (before, during, after) to rename."


class ScopeKind(Taxonomy):
    """What part of the customer experience a journey map covers."""

    WHOLE_EXPERIENCE = (
        "whole_experience",
        "The entire experience, from before start to after finish.",
    )
    SEGMENT = "segment", "One customer segment's experience."
    PRODUCT = "product", "The experience of one product."
    SERVICE = "service", "The experience of one service."


class ReviewCadence(Taxonomy):
    """How often the map must be checked against real customers before it counts as stale."""

    MONTHLY = "monthly", "Every 31 days."
    QUARTERLY = "quarterly", "Every 92 days."
    HALF_YEARLY = "half_yearly", "Every 183 days."
    YEARLY = "yearly", "Every 366 days."

    @property
    def days(self) -> int:
        """Days after the last validation at which the map becomes stale."""
        return {"monthly": 31, "quarterly": 92, "half_yearly": 183, "yearly": 366}[self.value]


class Channel(Taxonomy):
    """Where the customer meets the company at a touchpoint."""

    WEB = "web", "Website pages and web flows."
    APP = "app", "Mobile or desktop application."
    PHONE = "phone", "A call with a person."
    IVR = "ivr", "Automated phone menu (interactive voice response)."
    EMAIL = "email", "Email sent or received."
    CHAT = "chat", "Live chat or chatbot."
    SMS = "sms", "Text messages."
    SOCIAL = "social", "Social media, communities and review sites."
    IN_PERSON = "in_person", "Face to face: store, branch, field visit."
    SELF_SERVICE = "self_service", "Self-service portal, help centre or knowledge base."
    MAIL = "mail", "Postal mail and parcels."
    PARTNER = "partner", "A reseller, courier or other third party acting for the company."
    OTHER = "other", "Any other channel."


class Behaviour(Taxonomy):
    """Behavioural segments a persona can select by (the seeds' examples)."""

    FIRST_TIME = "first_time", "Customers on their first journey."
    RETURNING = "returning", "Customers who have walked the journey before."
    FORMER = "former", "Customers who have left (churned)."
    POWER = "power", "The most active customers (top activity quantile)."
    CASUAL = "casual", "The least active customers (bottom activity quantile)."


class Operator(Taxonomy):
    """How a condition compares an attribute with its value."""

    EQ = "eq", "Equal to the value."
    NE = "ne", "Not equal to the value."
    LT = "lt", "Less than the value."
    LE = "le", "Less than or equal to the value."
    GT = "gt", "Greater than the value."
    GE = "ge", "Greater than or equal to the value."
    IN = "in", "One of the values (a list)."
    NOT_IN = "not_in", "None of the values (a list)."
    EXISTS = "exists", "The attribute is present and not empty (no value needed)."
    MATCHES = "matches", "Matches a glob pattern such as 'refund_*'."


class OwnerArea(Taxonomy):
    """Dissection step 2: where in the company the pain point belongs, and who owns the fix."""

    STRATEGY = (
        "strategy",
        ("At odds with values, mission or persona: the journey-map stakeholders own it."),
    )
    PROCESS = (
        "process",
        (
            "A gap between what customers are expected to do and what they do: digital strategy "
            "or marketing owns it."
        ),
    )
    CONTENT = "content", "The information delivered to the customer: the content team owns it."
    TECHNOLOGY = "technology", "The technology the customer interacts with: IT owns it."


class PainKind(Taxonomy):
    """Dissection step 3: what kind of pain the customer experiences."""

    EMOTIONAL = "emotional", "How the customer feels: anxiety, frustration, confusion."
    RELATIONSHIP = "relationship", "The customer's relationship with the company."
    TRANSACTION = "transaction", "A sticking point at the time of a transaction."
    PHYSICAL = "physical", "The physical interaction with the company or brand."
    LOYALTY = "loyalty", "The customer feels their loyalty is not acknowledged."


class Interaction(Taxonomy):
    """Dissection step 4: which kind of interaction the pain occurs in."""

    TRANSACTION = (
        "transaction",
        ("A basic transaction: a cart that is not saved, a customer number typed again and again."),
    )
    KNOWLEDGE = "knowledge", "The knowledge base or content the company provides."
    LOYALTY = "loyalty", "A loyalty-based interaction further along the journey."


class PriorityClass(Taxonomy):
    """Dissection step 5: the priority class that says what to fix first."""

    DISSATISFIER = (
        "dissatisfier",
        ("Fix first: the 'how did we not notice this before?' quick fixes that dissatisfy."),
    )
    LOYALTY_INHIBITOR = (
        "loyalty_inhibitor",
        ("Fix next: keeps customers from becoming habitual users, adopters and advocates."),
    )
    ENHANCER = (
        "enhancer",
        (
            "Then: delights but is not demanded; may become a must as customers and "
            "technology evolve."
        ),
    )

    @property
    def rank(self) -> int:
        """1 for what to fix first."""
        return {"dissatisfier": 1, "loyalty_inhibitor": 2, "enhancer": 3}[self.value]


class PainCategory(Taxonomy):
    """The kind of obstacle, as support, productivity or process pain."""

    SUPPORT = "support", "Ineffective channels or unknowledgeable, unempathetic support."
    PRODUCTIVITY = "productivity", "Tasks that waste time: manual entry, repetition, no automation."
    PROCESS = "process", "Obstacles in the company's processes: navigation, waits, returns."


class PainStatus(Taxonomy):
    """Where a pain point stands in its life."""

    OPEN = "open", "Known and not yet addressed."
    INVESTIGATING = "investigating", "Being researched: evidence and root cause."
    ADDRESSED = "addressed", "An opportunity addressing it is under way."
    RESOLVED = "resolved", "Fixed, and the evidence shows it."
    WONT_FIX = "wont_fix", "Accepted: it will not be addressed."


class Origin(Taxonomy):
    """Whether a person wrote the item or cjm detected it in the data."""

    WRITTEN = "written", "Written by a person."
    DETECTED = "detected", "Detected by cjm in the evidence."


class EvidenceSource(Taxonomy):
    """Where a piece of evidence comes from."""

    EVENT_LOG = "event_log", "Behavioural event log or product analytics."
    SURVEY = "survey", "Survey answers (CSAT, NPS, CES or free text)."
    INTERVIEW = "interview", "Customer interview or focus group."
    TICKET = "ticket", "Support tickets and call notes."
    REVIEW = "review", "Public or app-store reviews."
    SOCIAL = "social", "Social media conversations."
    CHURN = "churn", "Churn or cancellation data."
    EMPLOYEE = "employee", "Insights from employees who talk to customers daily."
    OBSERVATION = "observation", "Observation of customers (shadowing, usability test)."
    OTHER = "other", "Any other source."


class OpportunityType(Taxonomy):
    """How an opportunity improves the experience."""

    DELIGHT = "delight", "Unexpected positive experiences: personalisation, a thoughtful note."
    STREAMLINE = "streamline", "Remove cumbersome steps: simpler forms, one-click payment."
    PROACTIVE = "proactive", "Reach out before customers get stuck: proactive chat or emails."


class Horizon(Taxonomy):
    """When an opportunity pays off."""

    QUICK_WIN = "quick_win", "Easy to do, high impact: do it now."
    LONG_TERM = "long_term", "A larger project with more resources and time."


class OpportunityStatus(Taxonomy):
    """Where an opportunity stands: idea → planned → in progress → done → validated / refuted."""

    IDEA = "idea", "Proposed, not yet planned."
    PLANNED = "planned", "Accepted and scheduled."
    IN_PROGRESS = "in_progress", "Being worked on."
    DONE = "done", "Shipped; its effect not yet measured."
    VALIDATED = "validated", "Shipped, and the target KPIs moved as hoped."
    REFUTED = "refuted", "Shipped, and the target KPIs did not move."


class Direction(Taxonomy):
    """Whether a KPI is better when higher or when lower."""

    HIGHER = "higher", "Higher values are better."
    LOWER = "lower", "Lower values are better."


class Metric(Taxonomy):
    """What a KPI measures (a balanced scorecard, not one number)."""

    CONVERSION = "conversion", "Share of customers who reach the next stage."
    DROP_OFF = "drop_off", "Share of customers who leave at this stage."
    TIME_TO_NEXT_STAGE = "time_to_next_stage", "Time from entering the stage to the next one."
    TASK_SUCCESS_RATE = "task_success_rate", "Share of attempts that succeed."
    INTERACTION_TIME = "interaction_time", "Time spent in an interaction."
    CSAT = "csat", "Customer satisfaction score (1-5)."
    NPS = "nps", "Net Promoter Score (-100..100)."
    CES = "ces", "Customer effort score (1-7)."
    TICKETS_PER_CUSTOMER = "tickets_per_customer", "Support tickets per customer."
    COST_TO_SERVE = "cost_to_serve", "Operational cost per customer."
    REPEAT_CONTACT_RATE = "repeat_contact_rate", "Share of contacts repeated within a window."
    RETENTION_RATE = "retention_rate", "Share of customers who stay."
    MARGIN = "margin", "Margin per customer or order."
    CUSTOM = "custom", "Any other measure, described in the KPI's description."

    @property
    def default_direction(self) -> Direction:
        """The direction in which this metric is better."""
        lower = {
            "drop_off",
            "time_to_next_stage",
            "interaction_time",
            "ces",
            "tickets_per_customer",
            "cost_to_serve",
            "repeat_contact_rate",
        }
        return Direction.LOWER if self.value in lower else Direction.HIGHER


class Unit(Taxonomy):
    """The unit a KPI's values, target and thresholds are written in."""

    RATIO = "ratio", "A share between 0 and 1 (0.6 means 60%)."
    PERCENT = "percent", "A share between 0 and 100."
    SECONDS = "seconds", "A duration in seconds."
    HOURS = "hours", "A duration in hours."
    DAYS = "days", "A duration in days."
    SCORE = "score", "A survey score (CSAT, NPS, CES)."
    COUNT = "count", "A count."
    CURRENCY = "currency", "Money."
