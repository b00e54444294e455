"""Variants: the full ordered sequence of each customer's events, and how many share it.

Equal to pm4py's ``get_variants`` on the same log (a test proves it).
"""

from __future__ import annotations

import ibis.expr.types as ir
from ibis import _

from cjm.analytics.portable import ordered_collect


def variants(events: ir.Table, by: str = "event") -> ir.Table:
    """Each distinct path with its number of ``customers`` and their ``share``."""
    paths = events.group_by("customer_id").aggregate(
        path=ordered_collect(events[by], [events.timestamp, events.seq])
    )
    counted = paths.group_by("path").aggregate(customers=_.count())
    return counted.mutate(share=counted.customers / counted.customers.sum().over())
