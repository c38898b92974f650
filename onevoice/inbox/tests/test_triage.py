"""Triage signals: sentiment with negation and customer-service phrasing, the offensive flag with its disguises
and the ordinary words that contain a bad one, odd input, and the quality on the labelled German set."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from onevoice.inbox.triage import Signals, classify
from onevoice.inbox.triage.lexicon import DATA, keywords
from onevoice.inbox.triage.model import CLASSES, ngrams, opinion, training_rows
from onevoice.inbox.triage.text import clean

SENTIMENT = [
    # German: thanks, praise, complaints, negation, questions
    ("Danke für die schnelle Hilfe, das Problem ist gelöst! 👍", "positive"),
    ("Super Service, sehr freundliche Beratung. Gerne wieder!", "positive"),
    ("Nicht schlecht, gefällt mir richtig gut.", "positive"),
    ("Kein Problem, hat alles geklappt. Danke!", "positive"),
    ("Das ist nicht gut.", "negative"),
    ("Die neue App gefällt mir nicht.", "negative"),
    ("Ich bin überhaupt nicht zufrieden mit der Beratung.", "negative"),
    ("Seit 3 Wochen keine Antwort auf meine Mail.", "negative"),
    ("Unverschämt, wie lange man in der Warteschleife hängt!!", "negative"),
    ("Schon wieder falsche Ware geliefert. Ich bin enttäuscht.", "negative"),
    ("Die Beratung war zwar freundlich, aber geholfen hat sie mir leider gar nicht.", "negative"),
    ("Na toll, schon wieder kaputt.", "negative"),
    ("Danke für die „schnelle“ Bearbeitung. Hat ja nur zwei Monate gedauert.", "negative"),
    ("Wann öffnet die Filiale in der Bahnhofstraße?", "neutral"),
    ("Können Sie mir bitte das Formular schicken? Danke im Voraus.", "neutral"),
    ("Ich habe die Unterlagen am Montag eingeworfen.", "neutral"),
    ("Hat leider nicht geklappt :(", "negative"),
    ("😍😍😍", "positive"),
    ("👎👎", "negative"),
    # English
    ("Thank you so much, great service!", "positive"),
    ("This is not good at all, I am disappointed.", "negative"),
    ("Terrible experience, the delivery was two weeks late.", "negative"),
    ("What are your opening hours on Saturday?", "neutral"),
]

SARCASM_MISSED = [  # sarcasm without a marker the word lists know: allowed to fail, and known to
    "Ich liebe es, wenn die Hotline nach 40 Minuten einfach auflegt.",
    "Wow, ganze drei Wochen für eine Antwort. Rekord!",
]

OFFENSIVE = [
    "Ihr seid doch alle komplett unfähig, ihr Idioten!",
    "Halt die Fresse, du Clown.",
    "Was für ein Scheiß-Service.",
    "Euer Chef ist ein Vollidiot.",
    "Dieses Zigeunerpack klaut doch alles.",
    "Ausländer raus!",
    "Ich weiß, wo euer Büro ist.",
    "You are all idiots, fix your app.",
    "What the fuck is wrong with your website?",
]
DISGUISED = [
    "F*ck euch",
    "Sch31ße",
    "Sch*** Kundenservice",
    "Ihr Idiooooten",
    "Ihr seid so A r s c h l ö c h e r",
    "Du W1chser",
    "Arsch\u200bloch",  # zero-width space
    "𝐀𝐫𝐬𝐜𝐡𝐥𝐨𝐜𝐡",  # mathematical bold
    "ＡＲＳＣＨＬＯＣＨ",  # full width
    "ihr Hurens0hne",
    "Scheiiiiße",
    "f u c k you",
]
CLEAN = [  # ordinary words that contain an offensive one, and offensive words where nobody is meant
    "Mein Sohn fragt, ob die Schwanzflosse vom Wal echt ist.",
    "Der Pfauenschwanz auf dem Plakat ist wunderschön.",
    "Die Anleitung ist idiotensicher.",
    "Können Sie mir die Analyse schicken?",
    "Gibt es beim Stadtfest wieder Cocktails?",
    "Was für ein Shitstorm gestern in den Medien.",
    "Arschbombe ins Becken beim Sommerfest!",
    "Das ist ein Oxymoron.",
    "Der Kanal an der Hafenstraße ist gesperrt.",
    "Wo kann ich Mist und Grünschnitt abgeben?",
    "Geben Sie mir bitte Bescheid.",
    "Ihr seid sicher sauer, das verstehe ich.",
    "Die Affen im Zoo sind süß.",
    "I live near Scunthorpe and read Dickens.",
    "Der Schweinebraten in der Kantine ist lecker.",
    "Ibuprofen 600 retard hat mir geholfen.",
    "Wir wohnen in Fickmühlen.",
    "Sauerkraut mit Würstchen, bitte.",
    "Hurrikan-Warnung für Florida.",
    "Meine Ärztin hat eine Spastik diagnostiziert.",
    "Ich habe verpennt und den Termin verpasst.",
]


class TestSentiment:
    @pytest.mark.parametrize(("text", "expected"), SENTIMENT)
    def test_it_reads_the_sentiment(self, text: str, expected: str) -> None:
        assert classify(text).sentiment == expected

    @pytest.mark.xfail(strict=True, reason="sarcasm without a known marker reads as praise")
    @pytest.mark.parametrize("text", SARCASM_MISSED)
    def test_it_reads_sarcasm_without_a_marker(self, text: str) -> None:
        assert classify(text).sentiment == "negative"

    @pytest.mark.xfail(strict=True, reason="the character model reads some short information as a complaint")
    def test_it_reads_a_customer_number_as_neutral(self) -> None:
        assert classify("Meine Kundennummer ist 123456.").sentiment == "neutral"

    def test_it_reads_a_compound_with_an_insult_inside_as_praise(self) -> None:
        assert classify("Die Anleitung ist idiotensicher, danke!").sentiment == "positive"

    def test_the_score_has_the_sign_of_the_label(self) -> None:
        assert classify("Vielen Dank, super Service!").sentiment_score > 0
        assert classify("Unverschämt, seit Wochen keine Antwort!").sentiment_score < 0

    def test_an_insult_is_negative_even_with_a_friendly_word(self) -> None:
        assert classify("Danke, ihr Vollidioten.").sentiment == "negative"


class TestOffensive:
    @pytest.mark.parametrize("text", OFFENSIVE)
    def test_it_flags_insults_profanity_threats_and_hate(self, text: str) -> None:
        assert classify(text).offensive

    @pytest.mark.parametrize("text", DISGUISED)
    def test_it_sees_through_disguises(self, text: str) -> None:
        signals = classify(text)
        assert signals.offensive
        assert signals.offensive_terms  # the moderator sees what was found

    @pytest.mark.parametrize("text", CLEAN)
    def test_it_leaves_ordinary_words_alone(self, text: str) -> None:
        assert not classify(text).offensive

    def test_it_names_the_words_it_found(self) -> None:
        assert classify("Euer Chef ist ein Vollidiot.").offensive_terms == ("vollidiot",)

    def test_a_profane_message_can_still_be_praise(self) -> None:
        signals = classify("Geile Scheiße, die neue Staffel ist der Hammer! Danke 😂")
        assert signals.offensive
        assert signals.sentiment == "positive"


class TestOddInput:
    @pytest.mark.parametrize(
        "text",
        [
            "",
            "   \n\t ",
            "<script>alert('Idiot')</script> Danke!",
            "<b>Danke</b> &amp; Gruß",
            "Danke\x00\x07\x1b[31m für nichts\r\n",
            "ꓢсһеіѕѕе",  # look-alike letters from other scripts
            "\u202edlrow olleh\u202c",  # right-to-left override
            "e\u0301\u0301\u0301 Zalgo T\u0336\u0337e\u0338x\u0335t",
            "\ud800 lone surrogate",
            "😀" * 2000,
            "1234567890 !!!! ???? ....",
            "Scheiße " * 20_000,
            ("Ich warte seit Wochen auf eine Antwort, das ist unverschämt. " * 5000) + "Idiot",
        ],
    )
    def test_it_gives_signals_for_anything(self, text: str) -> None:
        signals = classify(text)
        assert isinstance(signals, Signals)
        assert signals.sentiment in ("positive", "neutral", "negative")
        assert -1.0 <= signals.sentiment_score <= 1.0

    def test_markup_is_not_read_as_words(self) -> None:
        assert "script" not in clean("<script>alert(1)</script>")

    def test_it_uses_the_networks_language_when_the_text_is_too_short(self) -> None:
        assert classify("Danke!", language_hint="de").language == "de"
        assert classify("Vielen Dank für die schnelle und freundliche Hilfe gestern!").language == "de"
        assert classify("Thank you so much for the quick and friendly help yesterday!").language == "en"


class TestModel:
    def test_the_plain_arithmetic_matches_scikit_learn(self) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        rows = training_rows()
        texts = [clean(str(row["text"])) for row in rows]
        vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True, lowercase=False
        )
        features = vectorizer.fit_transform(texts)
        labels = [row["sentiment"] for row in rows]
        reference = LogisticRegression(C=3, max_iter=2000, class_weight="balanced").fit(features, labels)
        probe = [
            clean(text)
            for text in ("Danke euch!", "Seit Wochen nichts gehört, echt schwach.", "Öffnungszeiten?")
        ]
        for text, expected in zip(probe, reference.predict_proba(vectorizer.transform(probe)), strict=True):
            got = opinion(text).sentiment
            assert [got[label] for label in CLASSES] == pytest.approx(list(expected), abs=1e-9)
        assert Counter(vectorizer.build_analyzer()("ein  kurzer Text x")) == ngrams("ein  kurzer Text x")

    def test_it_learns_only_from_the_dev_split(self) -> None:
        assert {row["split"] for row in training_rows()} == {"dev"}

    def test_phrase_keywords_are_read_from_the_pattern(self) -> None:
        assert keywords(r"\b(?:keine?|null)\s+antwort") == ("kein", "null")
        assert keywords(r"\b(?:ich\s+)?weiss") == ()


def _labelled() -> list[dict[str, object]]:
    with (DATA / "labelled_de.jsonl").open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def _figures(split: str) -> dict[str, tuple[float, float]]:
    """(precision, recall) per sentiment class and for the offensive flag on one split."""
    rows = [row for row in _labelled() if row["split"] == split]
    pairs: Counter[tuple[str, str]] = Counter()
    flags: Counter[tuple[bool, bool]] = Counter()
    for row in rows:
        signals = classify(str(row["text"]))
        pairs[(str(row["sentiment"]), signals.sentiment)] += 1
        flags[(bool(row["offensive"]), signals.offensive)] += 1
    figures = {}
    for label in CLASSES:
        predicted = sum(n for (_, guess), n in pairs.items() if guess == label)
        actual = sum(n for (gold, _), n in pairs.items() if gold == label)
        figures[label] = (pairs[(label, label)] / predicted, pairs[(label, label)] / actual)
    found = flags[(True, True)]
    figures["offensive"] = (found / (found + flags[(False, True)]), found / (found + flags[(True, False)]))
    return figures


# Just under what bench/bench_triage.py measured; a change to the lists or the model must not fall below.
FLOORS = {
    "test": {
        "positive": (0.92, 0.95),
        "neutral": (0.95, 0.85),
        "negative": (0.90, 0.95),
        "offensive": (0.95, 0.95),
    },
    "holdout": {
        "positive": (0.85, 0.75),
        "neutral": (0.50, 0.85),
        "negative": (0.80, 0.50),
        "offensive": (0.95, 0.50),
    },
}


class TestQuality:
    def test_the_labelled_set_is_big_enough_and_well_formed(self) -> None:
        rows = _labelled()
        assert len(rows) >= 300
        assert len({row["text"] for row in rows}) == len(rows)
        assert {row["sentiment"] for row in rows} == set(CLASSES)
        assert Counter(row["split"] for row in rows).keys() == {"dev", "test", "holdout"}
        assert all(isinstance(row["offensive"], bool) for row in rows)

    @pytest.mark.parametrize("split", sorted(FLOORS))
    def test_precision_and_recall_stay_above_the_floors(self, split: str) -> None:
        figures = _figures(split)
        for label, (precision, recall) in FLOORS[split].items():
            assert figures[label][0] >= precision, (split, label, "precision", figures[label])
            assert figures[label][1] >= recall, (split, label, "recall", figures[label])
