"""Which language a feedback text is in: English is kept for the text models, others counted.

Most English text carries a couple of common function words, which a set lookup finds at
no cost; only the rest goes to py3langid (a naive Bayes identifier over 97 languages, shipped
in its package). A text is called another language only when py3langid is confident, so
short texts ("ok", "thanks!") stay English.

>>> detect_languages(["The app keeps crashing when I pay", "Le service client est nul", None])
['en', 'fr', None]
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

ENGLISH = "en"
CONFIDENT = 0.5
_WORD = re.compile(r"[^\W\d_]+")
_COMMON = frozenset(
    """a about after again all am an and any are as at be been before but by can could did do
    does don't for from get got had has have he her here him his how i i'm if in into is it
    it's its just me more my no not now of on once one only or our out so than that the their
    them then there they this to too up us very was we were what when where which while who
    why will with would you your""".split()  # noqa: SIM905 (a word list reads better as text)
)

# the common words that are whole words to _WORD (no apostrophe), for the fast path
_COMMON_WORDS = frozenset(w for w in _COMMON if _WORD.fullmatch(w))


def detect_languages(texts: list[str | None]) -> list[str | None]:
    """An ISO 639-1 code per text (None for no text); see the module docstring."""
    return [None if text is None else _language(text) for text in texts]


def _language(text: str) -> str:
    head = text[:500].lower()
    if len(_COMMON_WORDS.intersection(head.split())) >= 2:
        return ENGLISH  # the common case, without a regex: split words are whole words too
    words = _WORD.findall(head)
    if len(words) < 3 or len(_COMMON.intersection(words)) >= 2:
        return ENGLISH
    language, probability = _identifier().classify(text[:500])
    return str(language) if probability >= CONFIDENT else ENGLISH


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
