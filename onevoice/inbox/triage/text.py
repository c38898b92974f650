"""Turning a message as it arrives (HTML, control characters, odd Unicode, any length) into what triage reads.

`clean` gives the text in lower case without markup, links and mentions; `fold` turns one word as people
disguise it ("Sch31ß", "Idiooooten", "F*ck") into the spelling the offensive lexicon uses.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from typing import TypeVar

import regex

_T = TypeVar("_T")

MAX_CHARS = 5000  # a comment longer than this is read by its first 5,000 characters: triage must stay cheap

_MARKUP = regex.compile(r"<[^<>]{0,200}>|&(?:[a-z]{2,8}|#\d{1,6});")
_LINK_OR_MENTION = regex.compile(r"https?://\S+|www\.\S+|(?<![\p{L}\p{N}])@[\p{L}\p{N}_.]+")
_INVISIBLE = regex.compile(r"[[\p{Cc}\p{Cf}\p{Co}\p{Cs}]--[\n\t\u200d\ufe0f]]", flags=regex.V1)
_CONTROL = regex.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_JOINER_IN_WORD = regex.compile(r"(?<=\p{L})\u200d(?=\p{L})")
# The standard library's engine is several times faster than `regex` on these simple patterns;
# [^\W\d_] is a letter in any script.
_SPACED_LETTERS = re.compile(r"(?<!\w)(?:[^\W\d_][ .]){3,}[^\W\d_](?!\w)")
_RUN = re.compile(r"([^\W\d_])\1{2,}")
# Every run of spaced letters has a single letter between two spaces or dots: a message without one has none.
_SPACED_HINT = re.compile(r"[ .][^\W\d_][ .]")
_LEET = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "@": "a",
        "$": "s",
        "€": "e",
        "!": "i",
        "|": "i",
    }
)


def clean(text: str) -> str:
    """The message in lower case, compatibility characters folded, without markup, links or mentions."""
    text = text[:MAX_CHARS]
    if not text.isascii():
        text = unicodedata.normalize(
            "NFKC", text
        )  # 𝐒𝐜𝐡𝐞𝐢ß, full-width letters and ligatures become plain letters
        if not text.isprintable():  # every character `_INVISIBLE` removes is one Python calls unprintable
            text = _INVISIBLE.sub("", text)  # zero-width spaces and soft hyphens hide words from a filter
        if "\u200d" in text:
            text = _JOINER_IN_WORD.sub("", text)
    elif not text.isprintable():  # ASCII control characters are unprintable
        text = _CONTROL.sub(" ", text)
    if "<" in text or "&" in text:
        text = _MARKUP.sub(" ", text)
    if "/" in text or "@" in text or "www" in text:
        text = _LINK_OR_MENTION.sub(" ", text)
    return text.lower().replace("ß", "ss").replace("’", "'")


def join_spaced_letters(text: str) -> str:
    """The text with words written letter by letter ("A r s c h") joined up again."""
    if not _SPACED_HINT.search(text):
        return text
    return _SPACED_LETTERS.sub(lambda match: match.group(0).replace(" ", "").replace(".", ""), text)


def fold(word: str, *, stretched: bool = True) -> str:
    """The word with digits and symbols read as letters and a letter repeated three or more times once
    (`stretched=False` when the message has no such run: skips the search)."""
    if not word.isalpha():
        word = word.translate(_LEET)
    return _RUN.sub(r"\1", word) if stretched else word


def has_stretched_letters(text: str) -> bool:
    """Whether a letter appears three or more times in a row ("Idiooot"). Such a run has no space in it,
    so it is looked for word by word, and each word's answer is kept (most words were seen before)."""
    return any(map(_stretched, text.split()))


@functools.lru_cache(maxsize=65536)
def _stretched(word: str) -> bool:
    return _RUN.search(word) is not None


def has_stretched_letters_in(parts: list[str]) -> bool:
    """`has_stretched_letters` of a text given as its whitespace-separated parts (`text.split()`)."""
    return any(map(_stretched, parts))


class Kept(dict[str, _T]):
    """The answers of a function of one string, each computed on first use: `map(kept.__getitem__, parts)`
    runs in C for the strings seen before, which are most of a message's words. Emptied when full."""

    def __init__(self, function: Callable[[str], _T], size: int = 65536) -> None:
        super().__init__()
        self._function = function
        self._size = size

    def __missing__(self, key: str) -> _T:
        if len(self) >= self._size:
            self.clear()
        value = self._function(key)
        self[key] = value
        return value
