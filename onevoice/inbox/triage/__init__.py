"""Triage signals for one message: language, sentiment and an offensive flag, computed offline.

`classify` is a pure function: the inbox stores its answer on the message and the case, routing rules and
the spike alert read it, and a person can correct it (kept as `TriageCorrection`).

Everything is read from committed, hand-curated lists in `data/` (sources and licences: README.md); nothing
is fetched at run time. German first, English second.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from onevoice.voice.language import detect_language

from .declared import confirms, declared_code
from .model import opinions
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
    return classify_many([text], [language_hint])[0]


def classify_many(texts: Sequence[str], language_hints: Sequence[str] | None = None) -> list[Signals]:
    """`classify` of many texts at once (a page of messages), each with its declared language (or none):
    the same answer for every text as `classify` gives it alone, whatever else is in the page. The word
    lists read one message at a time; the learned model scores all the messages it is asked about with
    one sparse matrix product."""
    hints = list(language_hints) if language_hints is not None else [""] * len(texts)
    if len(hints) != len(texts):
        raise ValueError("one language hint per text")
    read: list[tuple[str, str, float, bool, tuple[str, ...]]] = []
    asked: list[int] = []  # the messages the lists leave to the model
    asked_texts: list[str] = []
    asked_parts: list[list[str]] = []
    for text, hint in zip(texts, hints, strict=True):
        if hint and confirms(text, hint):
            language = declared_code(hint)
        else:
            detected = detect_language(text)
            language = detected.code if detected is not None else hint
        cleaned = clean(text)
        parts = cleaned.split()  # read by each of the three
        finding = find_offensive(cleaned, parts)
        value = score(
            cleaned, language=language or "de", offensive_categories=finding.categories, parts=parts
        )
        if value >= POSITIVE_AT:
            sentiment = "positive"
        elif value <= NEGATIVE_AT:
            sentiment = "negative"
        else:
            sentiment = "neutral"
        if sentiment == "neutral" or not finding.offensive:
            asked.append(len(read))
            asked_texts.append(cleaned)
            asked_parts.append(parts)
        read.append((language, sentiment, value, finding.offensive, finding.terms))
    learned_of = dict(zip(asked, opinions(asked_texts, asked_parts), strict=True))
    signals = []
    for i, (language, sentiment, value, offensive, terms) in enumerate(read):
        learned = learned_of.get(i)
        if learned is not None:
            offensive = offensive or learned.offensive >= MODEL_OFFENSIVE_AT
            leaning = max(("negative", "positive"), key=lambda label: learned.sentiment[label])
            if sentiment == "neutral" and learned.sentiment[leaning] >= MODEL_SENTIMENT_AT:
                sentiment = leaning
                value = learned.sentiment["positive"] - learned.sentiment["negative"]
        signals.append(
            Signals(
                language=language,
                sentiment=sentiment,
                offensive=offensive,
                sentiment_score=round(value, 3),
                offensive_terms=terms,
            )
        )
    return signals
