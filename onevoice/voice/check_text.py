"""What the checker looks for in a text besides words: links, hashtags, emoji."""

from __future__ import annotations

import functools

import regex

_URL = regex.compile(r"(?:https?://|www\.)[^\s<>\"'«»„“”]+", regex.IGNORECASE)
_URL_TRAILING = ".,;:!?)]}…"
_HASHTAG = regex.compile(r"(?<![\p{L}\p{N}_&/])#([\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*)")
# A grapheme cluster that starts with a pictograph or a flag letter is one emoji, however many code points
# (👩‍👩‍👧, 👍🏽, 🇩🇪). ©, ® and ™ count only in their emoji presentation (with U+FE0F).
_EMOJI = regex.compile(r"(?=[\p{Extended_Pictographic}\p{Regional_Indicator}])(?![©®™‼⁉](?!\uFE0F))\X")


@functools.lru_cache(maxsize=64)
def urls(text: str) -> tuple[tuple[int, int], ...]:
    """The spans of the links in the text, without punctuation that ends the sentence after them."""
    spans = []
    for match in _URL.finditer(text):
        start, end = match.span()
        while end > start and text[end - 1] in _URL_TRAILING:
            end -= 1
        spans.append((start, end))
    return tuple(spans)


def hashtags(text: str) -> list[tuple[int, int]]:
    """The spans of the hashtags (with their #), outside links."""
    links = urls(text)
    return [
        m.span() for m in _HASHTAG.finditer(text) if not any(start <= m.start() < end for start, end in links)
    ]


@functools.lru_cache(maxsize=64)
def emoji(text: str) -> tuple[tuple[int, int], ...]:
    """The spans of the emoji, one per emoji as a reader sees it."""
    return tuple(m.span() for m in _EMOJI.finditer(text))
