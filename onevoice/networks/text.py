"""How networks count text: graphemes (Bluesky) or code points with URLs at a fixed length (Mastodon)."""

from __future__ import annotations

import regex

# Mastodon's own rule: http(s) URLs count as 23 characters whatever their length.
URL_PATTERN = regex.compile(r"https?://[^\s<>\"']+", regex.IGNORECASE)
GRAPHEME = regex.compile(r"\X")


def count_graphemes(text: str) -> int:
    """Count what a reader sees as one character: 👍🏽 and é (e + accent) are one each."""
    return len(GRAPHEME.findall(text))


def count_characters_url_fixed(text: str, url_length: int) -> int:
    """Count graphemes, with every http(s) URL counted as `url_length` whatever its length."""
    total = 0
    position = 0
    for match in URL_PATTERN.finditer(text):
        total += count_graphemes(text[position : match.start()]) + url_length
        position = match.end()
    return total + count_graphemes(text[position:])
