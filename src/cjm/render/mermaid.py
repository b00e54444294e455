"""The map as a Mermaid ``journey`` diagram, which GitHub and many wikis draw.

Each stage is a section; each touchpoint a task scored 1-5 from the stage's designed
emotion (−2..+2), with its owning team as the actor beside the customer.

>>> from cjm import example_path, load_journey
>>> text = mermaid_journey(load_journey(example_path("subscription")))
>>> print(text.splitlines()[3])
      Bookkeeping guides: 2: Customer, Content and help centre
"""

from __future__ import annotations

import re

from cjm.model.journey import Journey


def _clean(text: str) -> str:
    """Mermaid reads ':' ';' '#' and line breaks as syntax: replace them."""
    return re.sub(r"\s+", " ", re.sub(r"[:;#]", " ", text)).strip()


def mermaid_journey(journey: Journey) -> str:
    """The Mermaid source of the journey diagram."""
    teams = {team.id: team.name for team in journey.teams}
    lines = ["journey", f"    title {_clean(journey.name)}"]
    for stage in journey.stages:
        lines.append(f"    section {_clean(stage.name)}")
        score = 3 + (stage.emotion or 0)
        tasks = stage.touchpoints or []
        if not tasks:
            lines.append(f"      {_clean(stage.customer_goal or stage.name)}: {score}: Customer")
        for tp in tasks:
            actors = ["Customer"] + ([_clean(teams.get(tp.owner, tp.owner))] if tp.owner else [])
            lines.append(f"      {_clean(tp.name)}: {score}: {', '.join(actors)}")
    return "\n".join(lines) + "\n"
