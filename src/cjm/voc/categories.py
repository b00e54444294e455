"""Pain-point category (support / productivity / process) and kind (emotional, relationship,
transaction, physical, loyalty) of a complaint, zero-shot from the taxonomy's own words.

Each value is described by its taxonomy description plus a few example complaints and cue
words written for it; :class:`~cjm.voc.vocabulary.ZeroShot` does the rest.
"""

from __future__ import annotations

from cjm.model.taxonomy import PainCategory, PainKind
from cjm.voc.vocabulary import Label

_CATEGORY = {
    PainCategory.SUPPORT: (
        ("Customer service did not help me", "I was on hold for an hour and nobody answered",
         "The agent was rude and did not know the answer"),
        ("customer service", "support", "agent", "on hold", "representative", "no response",
         "rude", "nobody", "call back", "answer"),
    ),
    PainCategory.PRODUCTIVITY: (
        ("I had to type everything again by hand", "It takes far too many steps",
         "The app keeps crashing and I lose my work"),
        ("manual", "manually", "again", "repeat", "steps", "slow", "crash", "bug", "error",
         "waste of time", "doesn't work", "broken"),
    ),
    PainCategory.PROCESS: (
        ("The refund is still not processed after weeks", "My order was delayed and cancelled",
         "The rules and fees make no sense"),
        ("delay", "delayed", "late", "cancelled", "refund", "fee", "policy", "wait", "waiting",
         "lost", "return", "process"),
    ),
}  # fmt: skip
_KIND = {
    PainKind.EMOTIONAL: (
        ("This is so stressful and frustrating", "I feel anxious and confused"),
        ("stress", "stressful", "anxious", "worried", "frustrating", "upset", "scared"),
    ),
    PainKind.RELATIONSHIP: (
        ("They do not care about their customers", "Nobody tells us what is going on"),
        ("care", "communication", "ignored", "lied", "honest", "respect", "trust"),
    ),
    PainKind.TRANSACTION: (
        ("I was charged twice when I paid", "The booking and payment failed"),
        ("charge", "charged", "payment", "pay", "price", "booking", "checkout", "refund"),
    ),
    PainKind.PHYSICAL: (
        ("The seat was broken and the place was dirty", "My suitcase arrived damaged"),
        ("broken", "damaged", "dirty", "seat", "bag", "line", "queue", "store", "smell"),
    ),
    PainKind.LOYALTY: (
        ("I have been a loyal customer for years and this is how you treat me",
         "My status and miles mean nothing"),
        ("loyal", "years", "member", "status", "miles", "points", "rewards", "gold"),
    ),
}  # fmt: skip


def category_labels() -> list[Label]:
    """The three pain-point categories as zero-shot labels."""
    return [_label(value, *words) for value, words in _CATEGORY.items()]


def kind_labels() -> list[Label]:
    """The five pain-point kinds as zero-shot labels."""
    return [_label(value, *words) for value, words in _KIND.items()]


def _label(
    value: PainCategory | PainKind, phrases: tuple[str, ...], keys: tuple[str, ...]
) -> Label:
    return Label(value.value, (value.description, *phrases), keys)
