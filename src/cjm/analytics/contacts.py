"""Contacts, repeat contacts and channel switches.

A *contact* is a run of consecutive events of one customer at one touchpoint, no more than
``SESSION_GAP`` apart (a call with three logged steps is one contact; two calls are two).
A *repeat* is a contact at the same touchpoint as an earlier contact of that customer within
the window (three calls in seven days are two repeats). A *channel switch* is a contact on
another channel than the customer's previous contact, within the window (self-service, then
the phone: failed self-service is the classic).
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir
from ibis import _

from cjm.analytics.portable import elapsed
from cjm.analytics.settings import REPEAT_WINDOW, SESSION_GAP
from cjm.analytics.tables import journey_window


def with_previous(table: ir.Table, column: str) -> ir.Table:
    """``table`` with ``_previous`` (the customer's previous ``column``) and ``_gap`` (seconds
    since the customer's previous row)."""
    order = journey_window()
    return table.mutate(
        _previous=table[column].lag().over(order),
        _gap=elapsed(table.timestamp, table.timestamp.lag().over(order), "second"),
    )


def contacts(on_map: ir.Table, channels: dict[str, str]) -> ir.Table:
    """One row per contact: customer, touchpoint, channel, start."""
    marked = with_previous(on_map, "touchpoint")
    starts = marked.filter(
        marked._previous.isnull()
        | (marked._previous != marked.touchpoint)
        | (marked._gap > int(SESSION_GAP.total_seconds()))
    )
    return starts.select(
        "customer_id",
        "touchpoint",
        "timestamp",
        "seq",
        channel=starts.touchpoint.substitute(channels, else_=ibis.null("string")),
    )


def repeat_contacts(contact: ir.Table, window: dt.timedelta = REPEAT_WINDOW) -> ir.Table:
    """Per touchpoint: contacts, repeat contacts within ``window``, customers who repeated."""
    same_place = ibis.window(group_by=["customer_id", "touchpoint"], order_by=["timestamp", "seq"])
    gap = elapsed(contact.timestamp, contact.timestamp.lag().over(same_place), "second")
    marked = contact.mutate(repeat=gap.notnull() & (gap <= int(window.total_seconds())))
    return marked.group_by("touchpoint").aggregate(
        contacts=_.count(),
        repeats=marked.repeat.sum(),
        repeat_customers=marked.customer_id.nunique(where=marked.repeat),
    )


def channel_switches(contact: ir.Table, window: dt.timedelta = REPEAT_WINDOW) -> ir.Table:
    """Switches from one channel to another within ``window``, with how many customers."""
    marked = with_previous(contact, "channel")
    switched = marked.filter(
        marked._previous.notnull()
        & (marked._previous != marked.channel)
        & (marked._gap <= int(window.total_seconds()))
    )
    return switched.group_by(
        from_channel=switched._previous, to_channel=switched.channel
    ).aggregate(switches=_.count(), customers=switched.customer_id.nunique())
