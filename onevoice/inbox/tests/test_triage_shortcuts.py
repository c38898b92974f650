"""The shortcuts that make triage cheap give exactly what the plain reading gives: words and tokens read part by
part (between whitespace), phrase candidates from kept bits, the n-gram counts of a page from a sparse product,
the function-word check without a Counter, and the cleaning steps skipped when they cannot change the text."""

from __future__ import annotations

import json
from collections import Counter
from itertools import chain

import pytest

from onevoice.inbox.tests.test_triage_batch import ADVERSARIAL, HINTS
from onevoice.inbox.triage import declared, lexicon
from onevoice.inbox.triage.lexicon import DATA
from onevoice.inbox.triage.model import _SPACES, _known_columns, page_counts
from onevoice.inbox.triage.offensive import _LETTERS, _WORD
from onevoice.inbox.triage.sentiment import _TOKEN, _TOKENS_OF
from onevoice.inbox.triage.text import _CONTROL, _INVISIBLE, clean

ODD = [
    "a\u2028b\x1c:)\x1d;-) c\u00a0d\u3000e",
    "don' t don't 'quote' x'y ½ab ²cd",
    "na toll!! danke im voraus, viele grüsse :-( <3 🙄",
    "ihr seid alle idioten, ich weiss wo euer büro ist. ausländer raus",
    "seit 3 wochen keine antwort, schon wieder? zum dritten mal!",
]


def _texts() -> list[str]:
    with (DATA / "labelled_de.jsonl").open(encoding="utf-8") as lines:
        labelled = [str(json.loads(line)["text"]) for line in lines]
    return [clean(text) for text in labelled + ADVERSARIAL] + ODD


def test_every_character_the_cleaning_removes_is_unprintable() -> None:
    # `clean` skips `_INVISIBLE` and `_CONTROL` when `str.isprintable()` says the text has nothing to remove.
    for code in range(0x110000):
        char = chr(code)
        if char.isprintable():
            assert _INVISIBLE.search(char) is None, hex(code)
            assert _CONTROL.search(char) is None, hex(code)


def test_tokens_read_part_by_part_are_the_tokens_of_the_text() -> None:
    for text in _texts():
        parts = text.split()
        assert list(chain.from_iterable(map(_TOKENS_OF.__getitem__, parts))) == _TOKEN.findall(text)
        for pattern in (_WORD, _LETTERS):
            assert list(chain.from_iterable(map(pattern.findall, parts))) == pattern.findall(text)


def test_phrase_candidates_from_parts_are_those_from_words() -> None:
    _categories, offensive = lexicon.offensive_phrases()
    _cues, cues = lexicon.sentiment_cues()
    for text in _texts():
        parts = text.split()
        letters = set(_LETTERS.findall(text))
        assert offensive.candidates_among(parts, text, _LETTERS, False) == offensive.candidates_in(
            letters, text
        )
        words = {token for token in _TOKEN.findall(text) if token[0].isalpha()}
        assert cues.candidates_among(parts, text, _TOKEN, True) == cues.candidates_in(words, text)


@pytest.mark.parametrize("size", [1, 7, 500])
def test_the_counts_of_a_page_are_those_of_each_message(size: int) -> None:
    texts = _texts()
    for start in range(0, len(texts), size):
        page = texts[start : start + size]
        counts = page_counts([text.split() for text in page])
        for row, text in enumerate(page):
            expected = sorted(
                Counter(chain.from_iterable(map(_known_columns, _SPACES.sub(" ", text).split()))).items()
            )
            begin, end = counts.indptr[row], counts.indptr[row + 1]
            got = list(zip(counts.indices[begin:end].tolist(), counts.data[begin:end].tolist(), strict=True))
            assert got == expected


def _confirms_with_a_counter(text: str, hint: str) -> bool:
    """`declared.confirms` as it was first written."""
    code = declared.declared_code(hint)
    if not code:
        return False
    hits = dict.fromkeys(declared.FUNCTION_WORDS, 0)
    words = text[: declared.MAX_CHARS].lower().split()
    hits.update(Counter(chain.from_iterable(map(declared._languages_of, words))))
    mine = hits.pop(code)
    return mine >= declared.MIN_HITS and all(mine >= 2 * other for other in hits.values())


def test_the_declared_language_check_is_the_counting_one() -> None:
    with (DATA / "labelled_de.jsonl").open(encoding="utf-8") as lines:
        labelled = [str(json.loads(line)["text"]) for line in lines]
    mixed = ["the the the der", "der die das the", "die die die the the", "die die die the", "le la les der"]
    for text in labelled + ADVERSARIAL + ODD + mixed:
        for hint in [*HINTS, "it", "es", "nl", "pl", "tr", "EN_us"]:
            assert declared.confirms(text, hint) == _confirms_with_a_counter(text, hint), (text, hint)


def test_every_language_but_english_reads_the_same_weights() -> None:
    # `sentiment` keeps two tables of token weights, English and the rest.
    from onevoice.inbox.triage.sentiment import _words

    for language in ["", "de", "fr", "it", "es", "nl", "pl", "tr", "xx"]:
        assert _words(language) == _words("de")
