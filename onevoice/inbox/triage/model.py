"""A small learned second opinion for the messages the word lists have nothing to say about.

The lists are precise but miss wording they don't contain ("Knalltüten", "passiert da noch was?"). Two
logistic regressions over character 3–5-grams (sentiment: three classes; offensive: yes/no) catch some of
that. They are trained with scikit-learn on first use from the `dev` split of the committed labelled set,
in well under a second; nothing is downloaded, and the `test` and `holdout` splits stay unseen so their
figures are honest. Scoring does not call scikit-learn (its per-call overhead alone is about a millisecond):
`opinions` scores a whole page at once, the n-gram counts of all its messages as one sparse matrix times
the weights (one product instead of dict arithmetic per n-gram); `opinion` is the same arithmetic in plain
Python for one message, kept as the reference the tests compare both with.
"""

from __future__ import annotations

import functools
import json
import math
import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
from scipy.sparse import csr_matrix

from .lexicon import DATA
from .text import clean

NGRAMS = (3, 5)
# From this many messages on, a page's n-gram counts are a sparse product (see `page_counts`).
PRODUCT_FROM = 8
CLASSES = ("negative", "neutral", "positive")
_SPACES = re.compile(r"\s\s+")
_lock = threading.Lock()


@dataclass(frozen=True)
class Opinion:
    sentiment: dict[str, float]  # class → probability
    offensive: float  # probability


@functools.lru_cache(maxsize=65536)
def _word_ngrams(word: str) -> tuple[str, ...]:
    """The n-grams of one word padded with spaces; kept, since most words of a message were seen before."""
    low, high = NGRAMS
    padded = f" {word} "
    size = len(padded)
    grams: list[str] = []
    for n in range(low, high + 1):
        if size <= n:
            grams.append(padded)
            break
        grams.extend([padded[offset : offset + n] for offset in range(size - n + 1)])
    return tuple(grams)


def ngrams(text: str) -> Counter[str]:
    """The character n-grams of each word padded with spaces, as scikit-learn's `char_wb` analyser makes them."""
    return Counter(chain.from_iterable(map(_word_ngrams, _SPACES.sub(" ", text).split())))


@functools.lru_cache(maxsize=65536)
def _known_ngrams(word: str) -> tuple[str, ...]:
    """The n-grams of one word that the model has a weight for."""
    known = _table().grams
    return tuple(gram for gram in _word_ngrams(word) if gram in known)


def training_rows() -> list[dict[str, object]]:
    """The labelled messages the model learns from: the `dev` split."""
    rows = []
    with (DATA / "labelled_de.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if row["split"] == "dev":
                rows.append(row)
    return rows


@functools.lru_cache(maxsize=65536)
def _known_columns(word: str) -> tuple[int, ...]:
    """The columns (see `_Table.columns`) of the n-grams of one word that the model has a weight for."""
    columns = _table().columns
    return tuple(columns[gram] for gram in _word_ngrams(word) if gram in columns)


@dataclass(frozen=True)
class _Table:
    # n-gram → (idf, idf × coefficient for negative, neutral, positive, offensive)
    grams: dict[str, tuple[float, float, float, float, float]]
    intercepts: tuple[float, float, float, float]
    # The same numbers as arrays for a page of messages: n-gram → column; per column its idf and its
    # idf × coefficient for negative, neutral, positive, offensive.
    columns: dict[str, int]
    idf: np.ndarray
    weights: np.ndarray


def _train() -> _Table:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    rows = training_rows()
    texts = [clean(str(row["text"])) for row in rows]
    vectorizer = TfidfVectorizer(
        analyzer="char_wb", ngram_range=NGRAMS, min_df=2, sublinear_tf=True, lowercase=False
    )
    features = vectorizer.fit_transform(texts)
    sentiment = LogisticRegression(C=3, max_iter=2000, class_weight="balanced").fit(
        features, [row["sentiment"] for row in rows]
    )
    offensive = LogisticRegression(C=3, max_iter=2000, class_weight="balanced").fit(
        features, [bool(row["offensive"]) for row in rows]
    )
    if tuple(sentiment.classes_) != CLASSES:
        raise ValueError(f"the labelled set must have the classes {CLASSES}, not {tuple(sentiment.classes_)}")
    grams = {}
    for i, (name, idf) in enumerate(zip(vectorizer.get_feature_names_out(), vectorizer.idf_, strict=True)):
        neg, neu, pos = (float(idf * sentiment.coef_[k][i]) for k in range(3))
        grams[str(name)] = (float(idf), neg, neu, pos, float(idf * offensive.coef_[0][i]))
    neg, neu, pos = (float(value) for value in sentiment.intercept_)
    columns = {gram: column for column, gram in enumerate(grams)}
    values = np.array(list(grams.values()), dtype=np.float64).reshape(len(grams), 5)
    return _Table(
        grams,
        (neg, neu, pos, float(offensive.intercept_[0])),
        columns,
        np.ascontiguousarray(values[:, 0]),
        np.ascontiguousarray(values[:, 1:]),
    )


_trained: _Table | None = None


def _table() -> _Table:
    """The trained model, trained once per process (one thread trains, the others wait for it)."""
    global _trained
    if _trained is None:
        with _lock:
            if _trained is None:
                _trained = _train()
    return _trained


def opinion(cleaned: str) -> Opinion:
    """The model's probabilities for a cleaned message (see `text.clean`): sublinear, L2-normalised tf-idf
    features times the coefficients, softmax for sentiment and the logistic function for offensive."""
    table = _table()
    known = table.grams
    norm = neg = neu = pos = off = 0.0
    counts = Counter(chain.from_iterable(map(_known_ngrams, _SPACES.sub(" ", cleaned).split())))
    for gram, count in counts.items():
        row = known[gram]
        tf = 1.0 + math.log(count) if count > 1 else 1.0
        norm += (tf * row[0]) ** 2
        neg += tf * row[1]
        neu += tf * row[2]
        pos += tf * row[3]
        off += tf * row[4]
    return _probabilities(table, norm, neg, neu, pos, off)


def _probabilities(table: _Table, norm: float, neg: float, neu: float, pos: float, off: float) -> Opinion:
    """Softmax and logistic function of the L2-normalised sums (the same scalar code for both paths)."""
    scale = 1.0 / math.sqrt(norm) if norm else 0.0
    i_neg, i_neu, i_pos, i_off = table.intercepts
    decision = (neg * scale + i_neg, neu * scale + i_neu, pos * scale + i_pos)
    top = max(decision)
    exps = [math.exp(value - top) for value in decision]
    total = sum(exps)
    return Opinion(
        sentiment={label: exp / total for label, exp in zip(CLASSES, exps, strict=True)},
        offensive=1.0 / (1.0 + math.exp(-(off * scale + i_off))),
    )


def opinions(cleaned: Sequence[str], parts: Sequence[list[str]] | None = None) -> list[Opinion]:
    """`opinion` of many cleaned messages at once: their n-gram counts as one sparse matrix (a row per
    message, its columns in ascending order), times the weights. Each row's sums run over its own entries
    in column order, so a message's answer does not depend on the others in the page; it equals
    `opinion`'s up to the order of the additions (last bits of a float). `parts`: each message's
    `text.split()` when the caller has them already."""
    words_of = [text.split() for text in cleaned] if parts is None else parts
    if len(words_of) != len(cleaned):
        raise ValueError("one list of parts per message")
    count = len(cleaned)
    if not count:
        return []
    table = _table()
    width = len(table.columns)
    ngram_counts = page_counts(words_of)
    counts = ngram_counts.data
    columns = ngram_counts.indices
    indptr = ngram_counts.indptr
    tf = _sublinear(counts)
    sums = csr_matrix((tf, columns, indptr), shape=(count, width)) @ table.weights
    weighted = tf * table.idf[columns]
    norms = csr_matrix((weighted * weighted, columns, indptr), shape=(count, width)) @ np.ones((width, 1))
    return [
        _probabilities(table, norm, neg, neu, pos, off)
        for norm, (neg, neu, pos, off) in zip(norms[:, 0].tolist(), sums.tolist(), strict=True)
    ]


def page_counts(words_of: Sequence[list[str]]) -> csr_matrix:
    """How often each n-gram the model knows occurs in each message of a page, given as its words
    (`text.split()`): a sparse matrix of integers, a row per message, its columns in ascending order.

    Computed as (messages × words) @ (words × n-grams): each distinct word of the page is broken into
    n-grams once, however often the page has it. (str.split() splits at runs of whitespace as `_SPACES`
    does.) The counts are integers, so the product is exact."""
    count = len(words_of)
    width = len(_table().columns)
    if count < PRODUCT_FROM:
        return _sorted_counts(words_of, width)
    ids = {word: i for i, word in enumerate(dict.fromkeys(chain.from_iterable(words_of)))}
    lengths = np.fromiter(map(len, words_of), dtype=np.int64, count=count)
    total = int(lengths.sum())
    found = np.fromiter(map(ids.__getitem__, chain.from_iterable(words_of)), dtype=np.int64, count=total)
    indptr = np.zeros(count + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    words = csr_matrix((np.ones(total, dtype=np.int64), found, indptr), shape=(count, len(ids)))
    grams_of = list(map(_known_columns, ids))
    grams_lengths = np.fromiter(map(len, grams_of), dtype=np.int64, count=len(grams_of))
    grams_indptr = np.zeros(len(grams_of) + 1, dtype=np.int64)
    np.cumsum(grams_lengths, out=grams_indptr[1:])
    grams = np.fromiter(chain.from_iterable(grams_of), dtype=np.int64, count=int(grams_indptr[-1]))
    grams_of_words = csr_matrix(
        (np.ones(len(grams), dtype=np.int64), grams, grams_indptr), shape=(len(grams_of), width)
    )
    # The product's entries come in no particular order; through the column-major form and back they are
    # put in column order in each row (two linear passes, cheaper than sorting every row).
    counts = (words @ grams_of_words).tocsc().tocsr()
    counts.sort_indices()  # a no-op: they are in order already (and scipy knows it)
    return counts


def _sorted_counts(words_of: Sequence[list[str]], width: int) -> csr_matrix:
    """`page_counts` of a few messages: every (message, n-gram) as one key, sorted; runs of equal keys are
    the entries, row by row and in each row by column (for a page of one or a few messages this costs
    less than the product's fixed overhead)."""
    count = len(words_of)
    per_text = [list(chain.from_iterable(map(_known_columns, words))) for words in words_of]
    lengths = np.fromiter(map(len, per_text), dtype=np.int64, count=count)
    found = np.fromiter(chain.from_iterable(per_text), dtype=np.int64, count=int(lengths.sum()))
    # A stable sort of integers is a radix/merge sort: faster than np.unique's.
    keys = np.repeat(np.arange(count, dtype=np.int64) * width, lengths) + found
    keys.sort(kind="stable")
    starts = np.flatnonzero(np.concatenate(([len(keys) > 0], keys[1:] != keys[:-1])))
    counts = np.diff(np.append(starts, len(keys)))
    keys = keys[starts]
    rows = keys // width
    columns = keys - rows * width
    indptr = np.zeros(count + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=count), out=indptr[1:])
    return csr_matrix((counts, columns, indptr), shape=(count, width))


def _sublinear(counts: np.ndarray) -> np.ndarray:
    """1 + log(count), as `opinion` computes it, for each count."""
    top = int(counts.max()) if len(counts) else 0
    table = np.array([1.0, 1.0] + [1.0 + math.log(n) for n in range(2, top + 1)], dtype=np.float64)
    return table[counts]
