"""Bundled example journeys, drawn from the seeds' own examples.

- ``repair-return``: an instrument repair-and-return service (loaners, turnaround, logistics);
- ``subscription``: a subscription product from awareness to advocacy;
- ``help-desk`` and ``loan-application``: maps of two real public event logs (an IT help desk,
  BPI Challenge 2012 loan applications), read in place from ``../shared/data/real``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from cjm.errors import NotFound

_FILES = {
    "repair-return": "repair_return.yaml",
    "subscription": "subscription.yaml",
    "help-desk": "help_desk.yaml",
    "loan-application": "loan_application.yaml",
}


def example_names() -> list[str]:
    """The names of the bundled example journeys."""
    return list(_FILES)


def example_path(name: str) -> Path:
    """The path of a bundled example map file.

    >>> example_path("subscription").name
    'subscription.yaml'
    """
    if name not in _FILES:
        raise NotFound(
            f"no bundled example named '{name}'",
            hint=f"the examples are: {', '.join(_FILES)}",
        )
    return Path(str(resources.files(__package__).joinpath(_FILES[name])))
