"""How a message feels about the organisation: words and emoji with a weight, read with their neighbours.

- negation flips the nearest weighted word in the same clause ("nicht gut", "gefällt mir nicht", "kein
  Problem"); a flipped praise word counts a little less, a flipped complaint word half (people who write
  "nicht schlecht" mean mildly good);
- intensifiers ("sehr", "echt", "total" …) strengthen the next weighted word, "!!" strengthens the message;
- after "aber" / "but" the clause counts more than the one before ("Freundlich, aber geholfen hat es nicht");
- phrases typical of messages to a company count once each: waiting ("seit 3 Wochen keine Antwort"),
  repeating ("schon wieder", "zum dritten Mal"), leaving ("nie wieder"), thanks ("Danke für die schnelle
  Hilfe"), and sarcasm markers ("na toll", "Danke für nichts", praise in quotes);
- questions are mostly requests: their words count half; polite closings ("Danke im Voraus") not at all.
"""

from __future__ import annotations

import functools
import math
import re
from itertools import chain, compress

import regex

from . import lexicon
from .text import Kept

NEGATORS = frozenset(
    [
        "nicht",
        "kein",
        "keine",
        "keinen",
        "keiner",
        "keinem",
        "keines",
        "nie",
        "niemals",
        "nichts",
        "ohne",
        "weder",
        "not",
        "no",
        "never",
        "nothing",
        "dont",
        "don't",
        "isn't",
        "wasn't",
        "didn't",
        "doesn't",
        "can't",
        "cannot",
        "won't",
        "nobody",
    ]
)
INTENSIFIERS = dict.fromkeys(
    [
        "sehr",
        "echt",
        "total",
        "absolut",
        "wirklich",
        "mega",
        "extrem",
        "völlig",
        "voellig",
        "richtig",
        "voll",
        "unglaublich",
        "masslos",
        "äusserst",
        "besonders",
        "ganz",
        "wahnsinnig",
        "irre",
        "komplett",
        "zutiefst",
        "höchst",
        "super",
        "so",
        "really",
        "very",
        "totally",
        "extremely",
        "absolutely",
        "so",
        "truly",
    ],
    1.5,
)
INTENSIFIERS.update({"ziemlich": 1.2, "recht": 1.2, "etwas": 0.6, "bisschen": 0.6, "kaum": -0.5})
CONTRAST = frozenset(["aber", "jedoch", "allerdings", "trotzdem", "dennoch", "but", "however", "though"])
NO_FLIP = frozenset(["leider", "danke", "dank", "bitte", "endlich", "gerne", "gern"])
SARCASTIC_EMOJI = ("🙄", "😒")
# English words that are German words too (with another meaning): read only in an English message.
ENGLISH_ONLY = frozenset(["bad", "fast", "still", "also", "hate", "will", "like", "well", "wrong", "late"])

# Polite closings and openings say nothing about how the writer feels.
_POLITE = regex.compile(
    r"\b(?:(?:vielen\s+|besten\s+|herzlichen\s+)?dank\s+(?:im\s+voraus|vorab|schon\s+mal|schonmal)"
    r"|danke\s+(?:im\s+voraus|vorab|schon\s+mal|schonmal)"
    r"|vielen\s+dank\s+und\s+(?:viele|liebe|beste|freundliche)\s+grüsse"
    r"|(?:viele|liebe|beste|freundliche|schöne)\s+grüsse|mit\s+freundlichen\s+grüssen|thanks\s+in\s+advance)\b"
)
_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?|[.;:]+|[!?]+|,")
_TOKENS_OF = Kept(lambda part: tuple(_TOKEN.findall(part)))
_EXCLAIM = regex.compile(r"!{2,}|!\s*\?|\?\s*!")


@functools.cache
def _emoji_pattern() -> regex.Pattern[str]:
    symbols = sorted(lexicon.emoji_weights(), key=len, reverse=True)
    emoticons = [regex.escape(s) + r"(?=\s|$|[.,!?])" for s in symbols if s.isascii()]
    pictographs = [regex.escape(s) for s in symbols if not s.isascii()]
    return regex.compile("|".join([*pictographs, r"(?<=^|\s)(?:" + "|".join(emoticons) + ")"]))


@functools.cache
def _emoji_starts() -> tuple[tuple[str, ...], frozenset[str]]:
    """The first characters of the emoji and emoticons, those in ASCII and the others: a match of
    `_emoji_pattern` begins with one of them, so a message without any has none."""
    starts = {symbol[0] for symbol in lexicon.emoji_weights()}
    return tuple(sorted(start for start in starts if start.isascii())), frozenset(
        start for start in starts if not start.isascii()
    )


@functools.cache
def _words(language: str) -> dict[str, float]:
    """The weights read for a message in `language`: German and English, German meanings first."""
    words = dict(lexicon.sentiment_words("de"))
    if language == "en":
        words.update(lexicon.sentiment_words("en"))  # "problem", "super": the English weight for English text
        return words
    for word, weight in lexicon.sentiment_words("en").items():
        if word not in ENGLISH_ONLY:
            words.setdefault(word, weight)
    return words


def _weight(token: str, language: str) -> float:
    """The weight of a word, or of the word without a usual ending ("tolle" → "toll")."""
    words = _words(language)
    weight = words.get(token)
    if weight is not None:
        return weight
    for ending in ("en", "em", "er", "es", "e", "n", "s", "st", "t"):
        if token.endswith(ending) and len(token) - len(ending) >= 3:
            weight = words.get(token[: -len(ending)])
            if weight is not None:
                return weight
    return 0.0


class _Weights(dict[str, float]):
    """Token → weight in one language (0 for punctuation), filled on first sight: `map(weights.__getitem__,
    tokens)` runs in C for the tokens seen before, which are most of them. Bounded: emptied when full."""

    def __init__(self, language: str) -> None:
        super().__init__()
        self.language = language

    def __missing__(self, token: str) -> float:
        if len(self) >= 65536:
            self.clear()
        weight = _weight(token, self.language) if token[0].isalpha() else 0.0
        self[token] = weight
        return weight


class _ClauseEnds(dict[str, int]):
    """Token → 2 when it ends a question, 1 when it ends another clause, else 0 (filled on first sight)."""

    def __missing__(self, token: str) -> int:
        if len(self) >= 4096:
            self.clear()
        end = (2 if "?" in token else 1) if token[0] in ".;:!?" else 0
        self[token] = end
        return end


_CLAUSE_ENDS = _ClauseEnds()
# `_words` reads English text one way and every other language another: two tables are all there is.
_WEIGHTS_EN = _Weights("en")
_WEIGHTS_OTHER = _Weights("de")


def _weights(language: str) -> _Weights:
    return _WEIGHTS_EN if language == "en" else _WEIGHTS_OTHER


def score(
    text: str,
    *,
    language: str = "de",
    offensive_categories: frozenset[str] = frozenset(),
    parts: list[str] | None = None,
) -> float:
    """The sentiment of a cleaned message (see `text.clean`) from -1 (very negative) to 1 (very positive);
    `parts`: `text.split()` when the caller has it already."""
    if "dank" in text or "grüss" in text or "thank" in text:
        polite = _POLITE.sub(" ", text)
        if polite != text:
            text, parts = polite, None
    if parts is None:
        parts = text.split()
    # No token holds whitespace, so a text's tokens are those of its parts one after the other.
    tokens = list(chain.from_iterable(map(_TOKENS_OF.__getitem__, parts)))
    count = len(tokens)
    questions = [False] * count

    # Which tokens belong to a question: those of a clause run that ends with "?" (a "?" is always a token).
    if "?" in text:
        ends = list(map(_CLAUSE_ENDS.__getitem__, tokens))
        start = 0
        for i in compress(range(count), ends):  # the tokens that end a clause
            if ends[i] == 2:
                questions[start:i] = [True] * (i - start)
            start = i + 1

    weights = list(map(_weights(language).__getitem__, tokens))

    # Negation: the nearest weighted word after it in the clause, else the nearest before it.
    negations = (
        [] if NEGATORS.isdisjoint(tokens) else [i for i, token in enumerate(tokens) if token in NEGATORS]
    )
    for i in negations:
        target = -1
        for j in range(i + 1, min(i + 4, len(tokens))):
            if not tokens[j][0].isalpha() and tokens[j] != ",":
                break
            if weights[j] and tokens[j] not in NO_FLIP:
                target = j
                break
        if target < 0:
            for j in range(i - 1, max(i - 5, -1), -1):
                if not tokens[j][0].isalpha():
                    break
                if weights[j] and tokens[j] not in NO_FLIP and tokens[j] not in NEGATORS:
                    target = j
                    break
        if target >= 0:
            weights[target] = -weights[target] * (0.8 if weights[target] > 0 else 0.5)

    # Sarcasm: a marker phrase or an eye-roll turns the message's praise against it.
    total = 0.0
    sarcastic = False
    cues, index = lexicon.sentiment_cues()
    for i in index.candidates_among(parts, text, _TOKEN, True):
        cue = cues[i]
        if (cue.sarcasm or not sarcastic or cue.weight < 0) and cue.phrase.pattern.search(text):
            total += cue.weight
            sarcastic = sarcastic or cue.sarcasm
    emoji = []
    ascii_starts, other_starts = _emoji_starts()
    if (not text.isascii() or ":" in text or ";" in text or "<3" in text) and (
        any(start in text for start in ascii_starts)
        or (not text.isascii() and not other_starts.isdisjoint(text))
    ):
        emoji = [lexicon.emoji_weights()[match.group(0)] for match in _emoji_pattern().finditer(text)]
    sarcastic = sarcastic or (not text.isascii() and any(match in text for match in SARCASTIC_EMOJI))
    if sarcastic:
        weights = [-weight * 0.5 if weight > 0 else weight for weight in weights]
        emoji = [-weight * 0.5 if weight > 0 else weight for weight in emoji]
    total += sum(emoji)

    # Intensifiers, contrast and questions.
    factor = 1.0
    # Only the weighted words and the contrast words change the total: the others are skipped.
    weighted = list(compress(range(count), weights))
    if not CONTRAST.isdisjoint(tokens):
        weighted = [i for i, weight in enumerate(weights) if weight or tokens[i] in CONTRAST]
    elif INTENSIFIERS.keys().isdisjoint(tokens):
        # No contrast and no intensifier: the factor stays 1 and each weight counts as it is (or half).
        for i in weighted:
            weight = weights[i]
            if questions[i]:
                weight *= 0.5
            total += weight
        weighted = []
    for i in weighted:
        if tokens[i] in CONTRAST:
            total *= 0.5
            factor = 1.5
        weight = weights[i]
        if not weight:
            continue
        for j in (i - 1, i - 2):
            if j >= 0 and tokens[j] in INTENSIFIERS and not (tokens[j] == "super" and weights[j]):
                weight *= INTENSIFIERS[tokens[j]]
                break
        if questions[i]:
            weight *= 0.5
        total += weight * factor

    if total and "!" in text and _EXCLAIM.search(text):  # every exclamation `_EXCLAIM` finds has a "!"
        total *= 1.2
    if offensive_categories & {"insult", "slur", "threat", "hate"}:
        total = min(total - 2.5, -1.5)  # an attack on people is never good news, whatever else it says
    elif "profanity" in offensive_categories:
        total -= 1.0
    return math.tanh(total / 3)
