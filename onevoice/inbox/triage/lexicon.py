"""The word lists triage reads, loaded once from the committed files in `data/` (their sources: README.md)."""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import regex

from .text import Kept

DATA = Path(__file__).resolve().parent / "data"

# Groups people are attacked for; stands for GROUP in offensive_phrases.txt.
GROUPS = (
    r"(?:ausländer\w*|flüchtling\w*|migrant\w*|muslim\w*|moslem\w*|juden|jüdinnen|türken|araber|afrikaner\w*"
    r"|schwarze[n]?|schwule[n]?|lesben|homos?|transen|frauen|weiber|zigeuner\w*|sinti|roma|asylant\w*"
    r"|kanaken|polen|russen|immigrants?|refugees|muslims|jews|women|gays)"
)
# Numbers as words, for "seit drei Wochen"; NUM in cues.txt.
NUMBER = r"(?:\d+|ein(?:e|er|em|en)?|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf|zwanzig|dreissig|hundert)"
ORDINAL = r"(?:\d+\.|zweite[n]?|dritte[n]?|vierte[n]?|fünfte[n]?|sechste[n]?|zehnte[n]?)"


@dataclass(frozen=True)
class OffensiveTerm:
    term: str
    mode: str  # word | start | end | part | target
    category: str  # profanity | insult | slur


def _lines(name: str) -> list[list[str]]:
    """The entries of a data file: its lines without comments and blank lines, split on whitespace."""
    rows = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.split())
    return rows


@functools.cache
def sentiment_words(language: str) -> dict[str, float]:
    """Word → weight for a language ("de", "en"); the first entry of a word wins."""
    words: dict[str, float] = {}
    for word, weight in _lines(f"sentiment_{language}.txt"):
        words.setdefault(word.replace("ß", "ss"), float(weight))
    return words


@functools.cache
def emoji_weights() -> dict[str, float]:
    """Emoji or emoticon → weight."""
    return {symbol: float(weight) for symbol, weight in _lines("emoji.txt")}


@functools.cache
def offensive_terms() -> tuple[OffensiveTerm, ...]:
    """Every offensive term with how it must occur in a word."""
    return tuple(
        OffensiveTerm(term.replace("ß", "ss"), mode, category)
        for term, mode, category in _lines("offensive.txt")
    )


@functools.cache
def offensive_allowed() -> frozenset[str]:
    """Ordinary words that contain an offensive term."""
    return frozenset(row[0] for row in _lines("offensive_allow.txt"))


def _patterns(name: str) -> list[tuple[str, str]]:
    pairs = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            head, pattern = line.split("\t", 1)
            pattern = pattern.replace("GROUP", GROUPS).replace("NUM", NUMBER).replace("ORD", ORDINAL)
            pairs.append((head, pattern.replace("ß", "ss")))
    return pairs


@functools.cache
def offensive_phrases() -> tuple[tuple[str, ...], PhraseIndex]:
    """Categories and phrases of the insults, threats and hate that no single word gives away."""
    pairs = _patterns("offensive_phrases.txt")
    return tuple(category for category, _ in pairs), PhraseIndex([_phrase(pattern) for _, pattern in pairs])


@dataclass(frozen=True)
class Phrase:
    pattern: regex.Pattern[str]
    keywords: tuple[str, ...]  # words one of which a match starts with; empty: the pattern does not say


class PhraseIndex:
    """Phrases by the first two letters of their keywords: a message only runs the patterns whose keyword
    could start one of its words, a handful instead of all of them."""

    def __init__(self, phrases: list[Phrase]) -> None:
        self.phrases = tuple(phrases)
        self._always = tuple(i for i, phrase in enumerate(phrases) if not phrase.keywords)
        by_prefix: dict[str, set[int]] = {}
        for i, phrase in enumerate(phrases):
            for keyword in phrase.keywords:
                by_prefix.setdefault(keyword[:2], set()).add(i)
        self._by_prefix = by_prefix
        # For `candidates_among`, as bits of an int (bit i: phrase i): the phrases without keywords, those
        # with keywords, and per phrase the keywords that hold whitespace (the others are found in a part).
        self._size = len(phrases)
        self._always_bits = sum(1 << i for i in self._always)
        self._keyword_bits = sum(1 << i for i, phrase in enumerate(phrases) if phrase.keywords)
        # Keywords without whitespace → the bits (from `size` up) of the phrases that have them; one pattern
        # finds, at every position of a part, the longest such keyword that starts there: the keywords
        # that start there too are its beginnings (`_within`: a keyword → the bits of all its beginnings).
        plain: dict[str, int] = {}
        for i, phrase in enumerate(phrases):
            for keyword in phrase.keywords:
                if keyword.split() == [keyword]:
                    plain[keyword] = plain.get(keyword, 0) | 1 << (self._size + i)
        self._within = {
            keyword: functools.reduce(
                operator.or_, (bits for start, bits in plain.items() if keyword.startswith(start)), 0
            )
            for keyword in plain
        }
        longest_first = sorted(plain, key=len, reverse=True)
        self._plain = re.compile("(?=(" + "|".join(map(re.escape, longest_first)) + "))") if plain else None
        self._spaced = {
            i: spaced
            for i, phrase in enumerate(phrases)
            if (spaced := tuple(keyword for keyword in phrase.keywords if keyword.split() != [keyword]))
        }
        self._spaced_bits = sum(1 << i for i in self._spaced)
        self._part_bits: dict[tuple[re.Pattern[str], bool], Kept[int]] = {}

        # word → the phrases its first two letters may start (kept per word: most words were seen before)
        self._hits = functools.lru_cache(maxsize=65536)(self._prefix_hits)

    def _prefix_hits(self, word: str) -> frozenset[int]:
        return frozenset(self._by_prefix.get(word[:2], ()))

    def candidates(self, words: set[str]) -> list[int]:
        """The indexes, in file order, of the phrases that may match a text with these words."""
        found = set(self._always)
        found.update(*map(self._hits, words))
        return sorted(found)

    def candidates_in(self, words: set[str], text: str) -> list[int]:
        """`candidates` without the phrases none of whose keywords occurs in the text at all: a match
        starts with one of them, so those cannot match (fewer searches, the same matches)."""
        phrases = self.phrases
        found = []
        for i in self.candidates(words):
            keywords = phrases[i].keywords
            if not keywords:
                found.append(i)
                continue
            for keyword in keywords:
                if keyword in text:
                    found.append(i)
                    break
        return found

    def candidates_among(
        self, parts: Sequence[str], text: str, words: re.Pattern[str], letters_only: bool
    ) -> list[int]:
        """`candidates_in(words, text)` of a text given also as its whitespace-separated parts
        (`text.split()`), its words being those `words` finds (`letters_only`: only those that begin with
        a letter). A word never spans whitespace, and a keyword without whitespace occurs in the text
        exactly when it occurs in one of its parts: so both are read part by part, and each part's answer
        is kept (most parts were seen before). The same phrases, in the same order."""
        kept = self._part_bits.get((words, letters_only))
        if kept is None:
            kept = self._part_bits.setdefault(
                (words, letters_only),
                Kept(functools.partial(self._bits_of_part, words=words, letters_only=letters_only)),
            )
        found = functools.reduce(operator.or_, map(kept.__getitem__, parts), 0)
        size = self._size
        prefixed = found & ((1 << size) - 1)
        contained = found >> size
        chosen = self._always_bits | (prefixed & contained)
        for i in _bits(prefixed & ~contained & self._spaced_bits):
            if any(keyword in text for keyword in self._spaced[i]):
                chosen |= 1 << i
        return list(_bits(chosen))

    def _bits_of_part(self, part: str, words: re.Pattern[str], letters_only: bool) -> int:
        """The phrases the words of one part may start (bits 0 … size - 1) and those with a keyword
        without whitespace in the part (bits size …)."""
        bits = 0
        for word in words.findall(part):
            if not letters_only or word[0].isalpha():
                for i in self._by_prefix.get(word[:2], ()):
                    bits |= 1 << i
        if self._plain is not None:
            for keyword in self._plain.findall(part):
                bits |= self._within[keyword]
        return bits


def _bits(bits: int) -> Iterator[int]:
    """The positions of the set bits, lowest first."""
    while bits:
        low = bits & -bits
        yield low.bit_length() - 1
        bits ^= low


_META = set("\\()[]?*+{|.^$")


def keywords(pattern: str) -> tuple[str, ...]:
    """The literal words a match of `pattern` must start with, or () when the pattern does not say."""
    rest = pattern.removeprefix(r"\b")
    if rest.startswith("(?:"):
        depth, end = 0, -1
        for i, char in enumerate(rest):
            if char == "(" and (i == 0 or rest[i - 1] != "\\"):
                depth += 1
            elif char == ")" and rest[i - 1] != "\\":
                depth -= 1
                if depth == 0:
                    end = i
                    break
        if end < 0 or rest[end + 1 : end + 2] in ("?", "*", "{"):
            return ()
        alternatives, depth, current = [], 0, ""
        for char in rest[3:end]:
            depth += char == "("
            depth -= char == ")"
            if char == "|" and depth == 0:
                alternatives.append(current)
                current = ""
            else:
                current += char
        alternatives.append(current)
    else:
        alternatives = [rest]
    found = []
    for alternative in alternatives:
        literal = ""
        for char in alternative:
            if char in _META:
                if char in "?*{" and literal:
                    literal = literal[:-1]
                break
            literal += char
        if len(literal) < 2:
            return ()
        found.append(literal)
    return tuple(found)


def _phrase(pattern: str) -> Phrase:
    return Phrase(regex.compile(pattern), keywords(pattern))


@dataclass(frozen=True)
class Cue:
    weight: float
    sarcasm: bool  # when found, the message's praise counts against it
    phrase: Phrase


@functools.cache
def sentiment_cues() -> tuple[tuple[Cue, ...], PhraseIndex]:
    """The phrases typical of complaints, praise and sarcasm, and their index."""
    cues = tuple(
        Cue(float(weight.lstrip("~")), weight.startswith("~"), _phrase(pattern))
        for weight, pattern in _patterns("cues.txt")
    )
    return cues, PhraseIndex([cue.phrase for cue in cues])
