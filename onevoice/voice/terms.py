"""Terms that find their inflected forms and compounds, case-insensitively, on word boundaries.

"Kunde" finds Kunde, Kunden, Kundin, Kundinnen, Kundenkarte and Stammkunden, but not Kundgebung, and not the
gender-fair "Kund*innen"/"Kund:innen" a rule may suggest instead. The stem is the word without a final
-e/-en/-innen/-s; one of the German (and English) endings may follow it. A single word of five letters
or more is also found inside a compound (Stamm|kunden, Kunden|karte); shorter words and phrases only as whole
words, so that "Rat" does not find "Karat". A few nouns whose plural changes the stem (Arzt → Ärzte) come
from a small table. The whole word is what gets highlighted.
"""

from __future__ import annotations

import contextlib
import functools
import re
from dataclasses import dataclass

import regex

ENDINGS = frozenset({"", "innen", "in", "en", "ern", "er", "em", "es", "e", "n", "s"})
_LINKS = ("en", "er", "es", "s", "n", "e")  # Fugenelemente between the parts of a compound
_IRREGULAR = {
    "arzt": ("arzt", "ärzt"),
    "ärztin": ("arzt", "ärzt"),
    "kaufmann": ("kaufmann", "kaufmänn", "kaufleute", "kauffrau"),
    "fachmann": ("fachmann", "fachmänn", "fachleute", "fachfrau"),
    "koch": ("koch", "köch"),
    "anwalt": ("anwalt", "anwält"),
    "bauer": ("bauer", "bäuer"),
}
_STRIP = ("innen", "en", "e", "s")
_GENDER_MARKS = "*:_·/|"


def stems(word: str) -> tuple[str, ...]:
    """The stems an inflected form of this word starts with."""
    lower = word.lower()
    if lower in _IRREGULAR:
        return _IRREGULAR[lower]
    for ending in _STRIP:
        if lower.endswith(ending) and len(lower) - len(ending) >= 3:
            return (lower[: -len(ending)],)
    return (lower,)


@dataclass(frozen=True)
class _Word:
    term: str  # lowercase
    compounds: bool


class TermMatcher:
    """Finds a rule's terms (inflected), phrases and raw patterns in a text."""

    def __init__(
        self, terms: tuple[str, ...], patterns: tuple[str, ...] = (), *, compounds: bool = True
    ) -> None:
        self.words: dict[str, _Word] = {}
        phrases: list[str] = []
        raws: list[str] = []
        for term in terms:
            parts = term.lower().split()
            if not parts:
                continue
            if len(parts) == 1 and parts[0].isalpha() and len(parts[0]) >= 3:
                for stem in stems(parts[0]):
                    self.words.setdefault(stem, _Word(parts[0], compounds and len(parts[0]) >= 5))
            else:
                phrases.append(_phrase_pattern(parts))
        for raw in patterns:
            try:
                regex.compile(raw)
            except regex.error as error:
                raise ValueError(str(error)) from error
            raws.append(f"(?:{raw})")
        if not self.words and not phrases and not raws:
            raise ValueError("no terms")
        # Terms are matched in the lowercased text with the standard library's `re`: several times faster
        # than a case-insensitive search, and the checker runs hundreds of these on every keystroke.
        stems_by_length = sorted(self.words, key=len, reverse=True)
        self.stem_re = re.compile("|".join(re.escape(s) for s in stems_by_length)) if self.words else None
        phrases.sort(key=len, reverse=True)  # "konkurrent ag" before "konkurrent"
        self.phrase_re = re.compile("|".join(phrases)) if phrases else None
        self.raw_re = regex.compile("|".join(raws), regex.IGNORECASE | regex.VERSION1) if raws else None

    def find(self, text: str) -> list[tuple[int, int]]:
        """The spans of every match, in order, not overlapping."""
        lowered = _lowered(text)
        spans: list[tuple[int, int]] = []
        if self.stem_re is not None:
            for match in self.stem_re.finditer(lowered):
                span = self._word_match(text, lowered, match.start(), match.end())
                if span is not None and (not spans or span[0] >= spans[-1][1]):
                    spans.append(span)
        if self.phrase_re is not None:
            spans.extend(
                m.span()
                for m in self.phrase_re.finditer(lowered)
                if m.start() == 0 or not lowered[m.start() - 1].isalnum()
            )
        if self.raw_re is not None:
            with contextlib.suppress(TimeoutError):  # a user's pattern that runs away is cut off
                spans.extend(
                    m.span() for m in self.raw_re.finditer(text, timeout=0.05) if m.end() > m.start()
                )
        if self.phrase_re is not None or self.raw_re is not None:
            spans = _without_overlaps(sorted(spans))
        return spans

    def _word_match(self, text: str, lowered: str, start: int, end: int) -> tuple[int, int] | None:
        word = self.words[lowered[start:end]]
        word_start = start
        while word_start > 0 and text[word_start - 1].isalpha():
            word_start -= 1
        word_end = end
        while word_end < len(text) and text[word_end].isalnum():
            word_end += 1
        if word_end + 1 < len(text) and text[word_end] in _GENDER_MARKS and text[word_end + 1].isalpha():
            return None  # "Kund*innen" is the gender-fair form, not the term
        if word_start < start and not word.compounds:
            return None
        rest = lowered[end:word_end]
        if rest in ENDINGS:
            return word_start, word_end
        if not word.compounds:
            return None
        joined = lowered[start:word_end]
        if joined.startswith(word.term) and len(joined) - len(word.term) >= 3:
            return word_start, word_end
        if any(rest.startswith(link) and len(rest) - len(link) >= 3 for link in _LINKS):
            return word_start, word_end
        return None


def _phrase_pattern(words: list[str]) -> str:
    """A phrase (lowercase words) for `re` on lowercased text; its last word may be inflected."""
    last = words[-1]
    if last.isalpha() and len(last) >= 3:
        endings = "|".join(sorted(ENDINGS - {""}, key=len, reverse=True))
        tail = "(?:" + "|".join(re.escape(s) for s in stems(last)) + f")(?:{endings})?"
    else:
        tail = re.escape(last)
    head = "".join(re.escape(w) + r"\s+" for w in words[:-1])
    return rf"{head}{tail}(?!\w)"  # the start of a word is checked after the match: a lookbehind is slow


@functools.lru_cache(maxsize=64)
def _lowered(text: str) -> str:
    """The text in lowercase with every character where it was (a few letters grow when lowercased: "İ")."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _without_overlaps(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    kept: list[tuple[int, int]] = []
    for span in spans:
        if kept and span[0] < kept[-1][1]:
            if span[1] - span[0] > kept[-1][1] - kept[-1][0]:
                kept[-1] = span
            continue
        kept.append(span)
    return kept


@functools.lru_cache(maxsize=4096)
def term_matcher(
    terms: tuple[str, ...], patterns: tuple[str, ...] = (), *, compounds: bool = True
) -> TermMatcher:
    """The matcher for these terms, built once; raises ValueError for a bad pattern or no terms at all."""
    return TermMatcher(terms, patterns, compounds=compounds)
