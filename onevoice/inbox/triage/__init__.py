"""Triage signals for one message: language, sentiment and an offensive flag, computed offline.

`classify` is a pure function: the inbox stores its answer on the message and the case, routing rules and
the spike alert read it, and a person can correct it (kept as `TriageCorrection`).

Everything is read from committed, hand-curated lists in `data/` (sources and licences: README.md); nothing
is fetched at run time. German first, English second.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from onevoice.voice.language import detect_language

from .declared import confirms, declared_code
from .model import opinion
from .offensive import find_offensive
from .sentiment import score
from .text import clean

# A message whose word-list score is at least this far from 0 leans that way; below it, it is neutral.
POSITIVE_AT = 0.2
NEGATIVE_AT = -0.2
# Where the word lists find nothing, the learned model decides when it is at least this sure.
MODEL_SENTIMENT_AT = 0.7
MODEL_OFFENSIVE_AT = 0.7


@dataclass(frozen=True)
class Signals:
    language: str  # ISO 639-1 ("de", "en" …), "" when unsure
    sentiment: str  # "positive" | "neutral" | "negative"
    offensive: bool
    sentiment_score: float = 0.0  # -1 … 1
    offensive_terms: tuple[str, ...] = field(default_factory=tuple)


def classify(text: str, *, language_hint: str = "") -> Signals:
    """The signals of `text`; `language_hint` is the language the network declares: taken when the message's
    function words confirm it (see `declared.py`), else the detector decides and the hint is used when
    the detector is unsure."""
    if language_hint and confirms(text, language_hint):
        language = declared_code(language_hint)
    else:
        detected = detect_language(text)
        language = detected.code if detected is not None else language_hint
    cleaned = clean(text)
    finding = find_offensive(cleaned)
    value = score(cleaned, language=language or "de", offensive_categories=finding.categories)
    offensive = finding.offensive
    if value >= POSITIVE_AT:
        sentiment = "positive"
    elif value <= NEGATIVE_AT:
        sentiment = "negative"
    else:
        sentiment = "neutral"
    if sentiment == "neutral" or not offensive:
        learned = opinion(cleaned)
        offensive = offensive or learned.offensive >= MODEL_OFFENSIVE_AT
        leaning = max(("negative", "positive"), key=lambda label: learned.sentiment[label])
        if sentiment == "neutral" and learned.sentiment[leaning] >= MODEL_SENTIMENT_AT:
            sentiment = leaning
            value = learned.sentiment["positive"] - learned.sentiment["negative"]
    return Signals(
        language=language,
        sentiment=sentiment,
        offensive=offensive,
        sentiment_score=round(value, 3),
        offensive_terms=finding.terms,
    )
