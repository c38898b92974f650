"""Whether a message insults, swears, threatens or attacks a group: words from `data/offensive.txt`, phrases
from `data/offensive_phrases.txt`.

A word counts only where the lexicon says it may stand (whole word, first or last part of a compound, aimed
at someone), so "Schwanzflosse", "idiotensicher", "Analyse" and "Shitstorm" stay clean. Disguises are read
through: digits and symbols for letters ("Sch31ß"), stretched letters ("Idiooooten"), stars ("F*ck") and
words spelt letter by letter ("A r s c h").
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import regex

from . import lexicon
from .text import Kept, fold, has_stretched_letters_in, join_spaced_letters

ENDINGS = ("", "e", "en", "er", "es", "em", "n", "s", "in", "innen", "ern")
TARGETS = frozenset(
    [
        "du",
        "dich",
        "dir",
        "ihr",
        "euch",
        "diese",
        "dieser",
        "dieses",
        "diesen",
        "typisch",
        "für",
        "so",
        "eure",
        "euer",
        "euren",
        "eurer",
        "dein",
        "deine",
        "deinen",
        "dumme",
        "dummer",
        "dummes",
        "dummen",
        "blöde",
        "blöder",
        "blödes",
        "blöden",
        "alte",
        "alter",
        "alten",
        "faule",
        "faulen",
        "verlogene",
        "verlogenen",
        "elende",
        "elender",
        "elenden",
        "miese",
        "mieser",
        "haufen",
        "bist",
        "seid",
        "allesamt",
        "you",
        "such",
        "your",
        "bunch",
    ]
)

_WORD = re.compile(r"[\w@$€*!|]*[^\W\d_][\w@$€*!|]*")  # a word, with the digits and symbols that disguise it
_MASK = regex.compile(r"\*+")
_RUN = re.compile(r"([^\W\d_])\1{2,}")
_LETTERS = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Finding:
    offensive: bool
    terms: tuple[str, ...]  # as written in the message
    categories: frozenset[str]  # profanity | insult | slur | threat | hate


@dataclass(frozen=True)
class _Index:
    exact: dict[str, tuple[str, str]]  # every spelling (term with each ending) → (mode, category)
    starts: tuple[str, ...]  # terms that begin a compound
    ends: tuple[str, ...]  # terms with each ending that end a compound
    parts: tuple[str, ...]  # terms found anywhere in a word
    category: dict[str, str]  # term (with ending) → category
    allowed: frozenset[str]


@functools.cache
def _index() -> _Index:
    exact: dict[str, tuple[str, str]] = {}
    starts: list[str] = []
    ends: list[str] = []
    parts: list[str] = []
    category: dict[str, str] = {}
    for entry in lexicon.offensive_terms():
        for ending in ENDINGS if entry.mode != "target" else ("",):  # "sau" must not find "sauer"
            exact.setdefault(entry.term + ending, (entry.mode, entry.category))
        if entry.mode == "start":
            starts.append(entry.term)
        elif entry.mode == "part":
            parts.append(entry.term)
        elif entry.mode == "end":
            ends.extend(entry.term + ending for ending in ENDINGS)
        for ending in ENDINGS:
            category.setdefault(entry.term + ending, entry.category)
    return _Index(exact, tuple(starts), tuple(ends), tuple(parts), category, lexicon.offensive_allowed())


@functools.cache
def _masked(pattern: str) -> str:
    """The category of the term a starred word ("f*ck", "sch***") stands for, or ""."""
    exact = _index().exact
    stars = regex.compile(
        "".join(
            f"[a-zäöü]{{{len(part)},{len(part) + 2}}}" if part.startswith("*") else regex.escape(part)
            for part in regex.split(r"(\*+)", pattern)
            if part
        )
    )
    for spelling, (mode, category) in exact.items():
        if mode != "target" and stars.fullmatch(spelling):
            return category
    return ""


@functools.lru_cache(maxsize=65536)
def _word_category(word: str) -> tuple[str, bool]:
    """The category of the folded word on its own, and whether it counts only when aimed at someone (kept
    per word: most words of a message were seen before)."""
    index = _index()
    if word in index.allowed:
        return "", False
    hit = index.exact.get(word)
    if hit is not None:
        mode, category = hit
        return category, mode == "target"
    return _compound_category(word), False


def _compound_category(word: str) -> str:
    index = _index()
    if len(word) < 4:
        return ""
    # str.startswith/endswith with a tuple run in C: cheap for the many clean words; name the term only on a hit.
    if word.startswith(index.starts):
        return next(index.category[term] for term in index.starts if word.startswith(term))
    if word.endswith(index.ends):
        return next(index.category[term] for term in index.ends if word.endswith(term))
    for term in index.parts:
        if term in word:
            return index.category[term]
    return ""


@functools.lru_cache(maxsize=65536)
def _read(found: str, stretched: bool) -> tuple[str, str, bool, tuple[str, bool] | None]:
    """What one word found in a message says on its own (kept per word: most words were seen before): the
    word as written, the category of the term it is and whether that counts only when aimed at someone,
    and, when it has stretched letters that may hide a double letter, the same for that reading."""
    written = found.strip("!|")
    if "*" in written and _MASK.sub("", written):
        return written, _masked(fold(written)), False, None
    word = fold(written, stretched=stretched)
    category, aimed = _word_category(word)
    second = None
    if stretched and word != written:  # "Vollidiooten": stretched letters may hide a double letter
        second = _word_category(_RUN.sub(r"\1\1", written.translate(_LEET_ONLY)))
    return written, category, aimed, second


def _says_nothing(part: str, stretched: bool) -> bool:
    """Whether no word of one whitespace-separated part of a message is an offensive term, wherever it
    stands (kept per part: most parts were seen before)."""
    for found in _WORD.findall(part):
        _written, category, _aimed, second = _read(found, stretched)
        if category or (second is not None and second[0]):
            return False
    return True


_SAYS_NOTHING = {
    stretched: Kept(functools.partial(_says_nothing, stretched=stretched)) for stretched in (False, True)
}


def find_offensive(text: str, parts: list[str] | None = None) -> Finding:
    """The offensive words and phrases of a cleaned message (see `text.clean`); `parts`: `text.split()`
    when the caller has it already."""
    terms: list[str] = []
    categories: set[str] = set()
    if parts is None:
        parts = text.split()
    stretched = has_stretched_letters_in(parts)
    joined = join_spaced_letters(text)
    # A word never spans whitespace: when no part of the message holds a term, none of its words does,
    # wherever it stands, and the words need not be read one by one.
    if not all(map(_SAYS_NOTHING[stretched].__getitem__, parts if joined is text else joined.split())):
        previous: list[str] = []
        for found in _WORD.findall(joined):
            written, category, aimed, second = _read(found, stretched)
            if category and aimed and not any(token in TARGETS for token in previous[-3:]):
                category = ""
            if not category and second is not None:
                category, aimed = second
                if category and aimed and not any(token in TARGETS for token in previous[-3:]):
                    category = ""
            if category:
                terms.append(written)
                categories.add(category)
            previous.append(written)
    phrase_categories, index = lexicon.offensive_phrases()
    for i in index.candidates_among(parts, text, _LETTERS, False):
        match = index.phrases[i].pattern.search(text)
        if match:
            terms.append(match.group(0))
            categories.add(phrase_categories[i])
    return Finding(
        offensive=bool(categories), terms=tuple(dict.fromkeys(terms)), categories=frozenset(categories)
    )


_LEET_ONLY = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "€": "e"}
)
