"""New journey maps from the stock stage sets (``cjm init``)."""

from __future__ import annotations

import re
import unicodedata

from cjm.errors import InvalidInput
from cjm.model.journey import Journey, Stage
from cjm.model.taxonomy import AwarenessStage, DiscoveryStage, ReviewCadence, StageSet

CUSTOM_STAGES = {
    "before": "What happens before the customer starts: the need appears, options are found.",
    "during": "The experience itself, from start to finish.",
    "after": "What happens after finish: follow-up, support, coming back.",
}


def slugify(text: str) -> str:
    """An id made from a name: ``'Café Onboarding'`` → ``'cafe-onboarding'``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:64].strip("-") or "journey"


def new_journey(name: str, stages: StageSet = StageSet.DISCOVERY) -> Journey:
    """A new map with one of the stock stage sets, ready to be filled in.

    >>> [s.id for s in new_journey("Checkout", StageSet.AWARENESS).stages][:3]
    ['awareness', 'consideration', 'purchase']
    """
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise InvalidInput(
            "a journey needs a name of 1 to 200 characters",
            hint="e.g. cjm init 'Pro plan onboarding'",
        )
    if stages is StageSet.DISCOVERY:
        described = DiscoveryStage.describe()
    elif stages is StageSet.AWARENESS:
        described = AwarenessStage.describe()
    else:
        described = CUSTOM_STAGES
    return Journey(
        id=slugify(name),
        name=name,
        purpose="Say what this map is for, e.g. 'reduce churn in onboarding'.",
        review_cadence=ReviewCadence.QUARTERLY,
        stages=[
            Stage(id=stage_id, name=stage_id.replace("_", " ").capitalize(), description=text)
            for stage_id, text in described.items()
        ],
    )
