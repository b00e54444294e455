"""An emotion for a text, from its sentiment and a few cue words.

Negative texts are *anger* (strong words, shouting), *confusion* (not knowing how or why) or
else *frustration*; positive texts are *delight* (strong praise) or else *satisfaction*;
neutral texts have none.

>>> emotion("This is UNACCEPTABLE, worst airline ever", "negative", -0.9)
'anger'
>>> emotion("How do I change my plan? The page is unclear", "negative", -0.4)
'confusion'
>>> emotion("Love it, amazing support!", "positive", 0.9)
'delight'
"""

from __future__ import annotations

import re

EMOTIONS = ("anger", "frustration", "confusion", "satisfaction", "delight")
_ANGER = re.compile(
    r"\b(angry|furious|outraged|unacceptable|ridiculous|disgusting|disgrace|worst|hate|"
    r"pathetic|horrible|terrible|never again|livid|fed up)\b",
    re.IGNORECASE,
)
_CONFUSION = re.compile(
    r"\b(confus\w*|unclear|don'?t understand|do not understand|how (do|can|should) i|"
    r"where (is|do|can)|what does|makes no sense|no idea|which one)\b",
    re.IGNORECASE,
)
_DELIGHT = re.compile(
    r"\b(love|loved|amazing|awesome|fantastic|wonderful|excellent|best|brilliant|perfect|"
    r"outstanding|wow|superb)\b",
    re.IGNORECASE,
)
_SHOUT = re.compile(r"\b[A-Z]{4,}\b")


def emotion(text: str, sentiment: str, score: float) -> str | None:
    """The emotion of one text (None for a neutral one); see the module docstring."""
    if sentiment == "negative":
        if _ANGER.search(text) or (len(_SHOUT.findall(text)) >= 1 and score < -0.6):
            return "anger"
        return "confusion" if _CONFUSION.search(text) else "frustration"
    if sentiment == "positive":
        return "delight" if _DELIGHT.search(text) and score >= 0.5 else "satisfaction"
    return None
