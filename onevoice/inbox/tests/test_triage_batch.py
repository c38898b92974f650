"""`classify_many` (a page of messages at once) gives every message exactly what `classify` gives it alone."""

from __future__ import annotations

import json
import random

import pytest

from onevoice.inbox.triage import classify, classify_many, lexicon
from onevoice.inbox.triage.lexicon import DATA
from onevoice.inbox.triage.model import CLASSES, opinion, opinions, training_rows
from onevoice.inbox.triage.text import clean, has_stretched_letters, join_spaced_letters

ADVERSARIAL = [
    "",
    "   \n\t ",
    "<script>alert('Idiot')</script> Danke!",
    "<b>Danke</b> &amp; Gruß <a href='https://example.org/x'>hier</a> @muster",
    "Danke\x00\x07\x1b[31m für nichts\r\n",
    "ꓢсһеіѕѕе",  # look-alike letters from other scripts
    "\u202edlrow olleh\u202c",
    "e\u0301\u0301\u0301 Zalgo T\u0336\u0337e\u0338x\u0335t",
    "\ud800 lone surrogate",
    "😀" * 2000,
    "1234567890 !!!! ???? ....",
    "Scheiße " * 20_000,
    ("Ich warte seit Wochen auf eine Antwort, das ist unverschämt. " * 5000) + "Idiot",
    "A r s c h l o c h",
    "I d i o t e n!!",
    "a.r.s.c.h und s.o. weiter",
    "Idiooooten",
    "Vollidiooten",
    "F*ck you",
    "Sch*** Laden",
    "W1chser",
    "Sch31ß Laden",
    "𝐒𝐜𝐡𝐞𝐢ß",
    "ｆｕｌｌ－ｗｉｄｔｈ Idiot",
    "\u200bIdi\u200bot und Idi\u00adot",
    "du Clown",
    "Die Affen im Zoo sind süß",
    "x'ich weiß, wo du wohnst, icon",
    "Danke für die „schnelle“ Hilfe 🙄",
    "na toll, schon wieder kaputt!!",
    "Ich weiß, wo euer Büro ist.",
    "Ausländer raus",
    "Geile Scheiße, danke! :-) <3",
    "Thank you so much for the quick and friendly help yesterday!",
    "this is bad, really bad and so slow, not good",
    "Halt die Klappe!!!",
    "Nicht schlecht, aber geholfen hat es nicht?",
    "Danke im Voraus und viele Grüße",
    "\x00\x01\x02",
    "Wo bleibt meine Lieferung? heute Paket bitte wirklich gut. Bestellung 100123",
]
HINTS = ["", "de", "en", "de-DE", "fr", "xx"]


def _labelled_texts() -> list[str]:
    with (DATA / "labelled_de.jsonl").open(encoding="utf-8") as lines:
        return [str(json.loads(line)["text"]) for line in lines]


def _pairs() -> list[tuple[str, str]]:
    """Every labelled message (all splits) and every odd text, each with several declared languages."""
    texts = _labelled_texts() + ADVERSARIAL
    return [(text, HINTS[n % len(HINTS)]) for n, text in enumerate(texts)] + [(text, "de") for text in texts]


class TestClassifyMany:
    def test_a_page_gives_what_each_message_gives_alone(self) -> None:
        pairs = _pairs()
        alone = [classify(text, language_hint=hint) for text, hint in pairs]
        assert classify_many([text for text, _ in pairs], [hint for _, hint in pairs]) == alone

    @pytest.mark.parametrize("size", [1, 7, 500])
    def test_the_answer_does_not_depend_on_the_rest_of_the_page(self, size: int) -> None:
        pairs = _pairs()
        alone = {pair: classify(pair[0], language_hint=pair[1]) for pair in pairs}
        shuffled = list(pairs)
        random.Random(size).shuffle(shuffled)
        for start in range(0, len(shuffled), size):
            page = shuffled[start : start + size]
            got = classify_many([text for text, _ in page], [hint for _, hint in page])
            assert got == [alone[pair] for pair in page]

    def test_without_hints_and_for_an_empty_page(self) -> None:
        texts = _labelled_texts()[:20]
        assert classify_many(texts) == [classify(text) for text in texts]
        assert classify_many([]) == []
        with pytest.raises(ValueError):
            classify_many(["a", "b"], ["de"])


class TestBatchModel:
    def test_the_matrix_product_equals_the_plain_arithmetic(self) -> None:
        texts = [clean(text) for text in _labelled_texts() + ADVERSARIAL]
        for got, expected in zip(opinions(texts), map(opinion, texts), strict=True):
            for label in CLASSES:
                assert got.sentiment[label] == pytest.approx(expected.sentiment[label], abs=1e-12)
            assert got.offensive == pytest.approx(expected.offensive, abs=1e-12)

    def test_the_matrix_product_matches_scikit_learn(self) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        rows = training_rows()
        train = [clean(str(row["text"])) for row in rows]
        vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True, lowercase=False
        )
        features = vectorizer.fit_transform(train)
        reference = LogisticRegression(C=3, max_iter=2000, class_weight="balanced").fit(
            features, [row["sentiment"] for row in rows]
        )
        probe = [clean(text) for text in _labelled_texts()[::7]]
        expected = reference.predict_proba(vectorizer.transform(probe))
        for got, row in zip(opinions(probe), expected, strict=True):
            assert [got.sentiment[label] for label in CLASSES] == pytest.approx(list(row), abs=1e-9)


class TestShortcuts:
    """The cheap tests that let triage skip work must never skip a match."""

    def test_phrases_are_searched_only_where_a_keyword_occurs(self) -> None:
        texts = [clean(text) for text in _labelled_texts() + ADVERSARIAL]
        _categories, offensive = lexicon.offensive_phrases()
        _cues, cues = lexicon.sentiment_cues()
        for index in (offensive, cues):
            for text in texts:
                words = set(text.split()) | {word.strip(".,!?") for word in text.split()}
                kept = set(index.candidates_in(words, text))
                for i in index.candidates(words):
                    if index.phrases[i].pattern.search(text):
                        assert i in kept, (index.phrases[i].pattern.pattern, text)

    @pytest.mark.parametrize(
        "text", ["Idiooot", "aaa", "ab aab", "x\u00e4\u00e4\u00e4y", "a a a", "", "Vollidiooten!", "22 333"]
    )
    def test_stretched_letters_are_found_word_by_word(self, text: str) -> None:
        import re

        assert has_stretched_letters(text) == (re.search(r"([^\W\d_])\1{2,}", text) is not None)

    @pytest.mark.parametrize(
        "text", ["A r s c h", "a.r.s.c.h", "a b", "s.o. weiter", "I d i o t!", "x y z w"]
    )
    def test_spaced_letters_are_joined_as_before(self, text: str) -> None:
        import re

        spaced = re.compile(r"(?<!\w)(?:[^\W\d_][ .]){3,}[^\W\d_](?!\w)")
        expected = spaced.sub(lambda match: match.group(0).replace(" ", "").replace(".", ""), text)
        assert join_spaced_letters(text) == expected
