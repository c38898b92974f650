"""Triage quality and cost: precision, recall and F1 of the sentiment classes and of the offensive flag on the
labelled German set, and the time `classify` takes per message as a ratio to a floor measured in the same run.

    .venv/bin/python bench/bench_triage.py [--messages 5000]

Splits of `onevoice/inbox/triage/data/labelled_de.jsonl` (see the package README):
- test: written together with the dev split but never used to tune a list or a weight;
- holdout: written after the word lists and the model were frozen, in new wording — the fairest figure;
- dev: what the word lists were tuned on and the model is trained on (not a quality figure);
- all: everything.

The floor is a plain `str.lower()` plus one regex pass over the same texts; times are CPU time of this
process (best of three rounds; one round for `classify`, whose language detection caches per text). Each timed text gets a number
appended so the language detector's per-text cache misses, as it would on 50,000 different messages.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from onevoice.inbox.triage import classify, classify_many  # noqa: E402
from onevoice.inbox.triage.lexicon import DATA  # noqa: E402
from onevoice.inbox.triage.model import opinion  # noqa: E402
from onevoice.inbox.triage.offensive import find_offensive  # noqa: E402
from onevoice.inbox.triage.sentiment import score  # noqa: E402
from onevoice.inbox.triage.text import clean  # noqa: E402

CLASSES = ("positive", "neutral", "negative")
SPLITS = ("test", "holdout", "dev", "all")


def load() -> list[dict[str, object]]:
    with (DATA / "labelled_de.jsonl").open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def _prf(tp: int, predicted: int, actual: int) -> tuple[float, float, float]:
    precision = tp / predicted if predicted else 0.0
    recall = tp / actual if actual else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def quality(rows: list[dict[str, object]]) -> dict[str, tuple[float, float, float, int]]:
    """(precision, recall, F1, support) per sentiment class and for the offensive flag."""
    pairs: Counter[tuple[object, str]] = Counter()
    offensive: Counter[tuple[bool, bool]] = Counter()
    for row in rows:
        signals = classify(str(row["text"]))
        pairs[(row["sentiment"], signals.sentiment)] += 1
        offensive[(bool(row["offensive"]), signals.offensive)] += 1
    result = {}
    for label in CLASSES:
        actual = sum(n for (gold, _), n in pairs.items() if gold == label)
        predicted = sum(n for (_, guess), n in pairs.items() if guess == label)
        result[label] = (*_prf(pairs[(label, label)], predicted, actual), actual)
    actual = offensive[(True, True)] + offensive[(True, False)]
    predicted = offensive[(True, True)] + offensive[(False, True)]
    result["offensive"] = (*_prf(offensive[(True, True)], predicted, actual), actual)
    result["accuracy"] = (
        sum(n for (gold, guess), n in pairs.items() if gold == guess) / len(rows),
        0,
        0,
        len(rows),
    )
    return result


def _per_message(texts: list[str], work: object, rounds: int = 3) -> float:
    """The best of `rounds` mean CPU times per text, in microseconds. CPU time, not wall time: on a machine
    shared with other work the wall clock also counts the time this process waited for a CPU."""
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for text in texts:
            work(text)  # type: ignore[operator]
        best = min(best, (time.process_time() - start) / len(texts) * 1e6)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=5000)
    args = parser.parse_args()
    rows = load()

    start = time.perf_counter()
    classify("Warm-up: Danke für die schnelle Hilfe, das Problem ist gelöst.")
    warm_up = time.perf_counter() - start

    print(f"Labelled set: {len(rows)} German messages ({dict(Counter(str(row['split']) for row in rows))})\n")
    for split in SPLITS:
        chosen = rows if split == "all" else [row for row in rows if row["split"] == split]
        figures = quality(chosen)
        print(f"{split:8} n={len(chosen):3}  accuracy of sentiment {figures['accuracy'][0]:.2f}")
        for label in (*CLASSES, "offensive"):
            precision, recall, f1, support = figures[label]
            print(
                f"    {label:10} precision {precision:.2f}  recall {recall:.2f}  F1 {f1:.2f}  (n={support})"
            )
    print()

    base = [str(row["text"]) for row in rows]
    texts = [f"{base[i % len(base)]} {i}" for i in range(args.messages)]
    floor_pattern = re.compile(r"\w+")

    def floor(text: str) -> object:
        return floor_pattern.findall(text.lower())

    def triage_only(text: str) -> object:
        cleaned = clean(text)
        finding = find_offensive(cleaned)
        return score(cleaned, offensive_categories=finding.categories), opinion(cleaned)

    floor_us = _per_message(texts, floor)
    triage_us = _per_message(texts, triage_only)
    classify_us = _per_message(texts, classify, rounds=1)  # one round: a second would hit lingua's cache
    # A page of 500 at once, declared German as networks declare it (a confirmed declaration skips lingua).
    pages = [texts[i : i + 500] for i in range(0, len(texts), 500)]
    started = time.process_time()
    for page in pages:
        classify_many([f"{text} !" for text in page], ["de"] * len(page))  # new texts: lingua's cache misses
    many_us = (time.process_time() - started) / len(texts) * 1e6
    lengths = [len(text) for text in texts]
    print(
        f"CPU time per message ({args.messages} messages, median {statistics.median(lengths):.0f} characters):"
    )
    print(f"    floor (lower + one regex pass)       {floor_us:8.1f} µs")
    print(
        f"    triage without language detection    {triage_us:8.1f} µs   {triage_us / floor_us:6.1f}× the floor"
    )
    print(
        f"    classify (with lingua detection)     {classify_us:8.1f} µs   {classify_us / floor_us:6.1f}× the floor"
    )
    print(
        f"    classify_many, pages of 500, hint de {many_us:8.1f} µs   {many_us / floor_us:6.1f}× the floor"
    )
    print(f"    first call (trains the model, loads lingua): {warm_up:.2f} s")


if __name__ == "__main__":
    main()
