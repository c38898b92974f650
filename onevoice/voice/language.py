"""Which language a text is written in, by lingua, among the languages our organisations post in.

One detector, built on first use and kept: building it and loading its models takes a moment, detecting a
post afterwards well under a millisecond. Short texts (fewer than `MIN_LETTERS` letters, after links,
hashtags, mentions and emoji are removed) are not judged at all: a greeting or a hashtag line says
too little. Long texts are judged by their first 1,000 characters.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from typing import Any

import regex

MIN_LETTERS = 20
MAX_CHARS = 1000  # lingua is sure long before this; the rest of a long post would only cost time
SUPPORTED = ("de", "en", "fr", "it", "es", "nl", "pl", "tr")

_NOISE = regex.compile(r"https?://\S+|www\.\S+|[#@][\p{L}\p{N}_.]+")
_LETTER = regex.compile(r"\p{L}")
_lock = threading.Lock()


@dataclass(frozen=True)
class DetectedLanguage:
    code: str  # ISO 639-1, e.g. "de"
    confidence: float  # 0 … 1
    all: tuple[tuple[str, float], ...] = ()  # every supported language, most likely first

    def confidence_of(self, code: str) -> float:
        return dict(self.all).get(code, 0.0)


@functools.cache
def _detector() -> Any:
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in SUPPORTED]
    return LanguageDetectorBuilder.from_languages(*languages).build()


def prose(text: str) -> str:
    """The text without links, hashtags and mentions, which are not written in any language."""
    return _NOISE.sub(" ", text)


@functools.lru_cache(maxsize=128)
def detect_language(text: str) -> DetectedLanguage | None:
    """The most likely language of the text and how sure lingua is, or None for a text too short to judge."""
    cleaned = prose(text)
    if len(_LETTER.findall(cleaned)) < MIN_LETTERS:
        return None
    if len(cleaned) > MAX_CHARS:
        cleaned = cleaned[: cleaned.rfind(" ", 0, MAX_CHARS) if " " in cleaned[:MAX_CHARS] else MAX_CHARS]
    with _lock:  # one detector for all threads; lingua's detector is not documented as thread-safe
        values = _detector().compute_language_confidence_values(cleaned)
    ranked = tuple((value.language.iso_code_639_1.name.lower(), float(value.value)) for value in values)
    if not ranked:
        return None
    code, confidence = ranked[0]
    return DetectedLanguage(code=code, confidence=confidence, all=ranked)
