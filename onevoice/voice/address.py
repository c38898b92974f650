"""Sie or du: which form of address a German text uses, word by word, with the words' spans.

Careful rules instead of a parser (spaCy's German model is not available offline): pronouns (du, dich,
dein…, euch, euer…; Sie, Ihnen, Ihr… capitalised mid-sentence), verb forms that only the 2nd person has
(hast, kannst, seid, habt…), imperatives (a list of common ones; the ambiguous ones such as "Folge" or
"Frage", which are also nouns, only with a cue after them such as "uns", "dich", "mal", "vorbei"), and
verb-first formal clauses ("Haben Sie …", "Melden Sie sich"). A capitalised "Sie"/"Ihr"/"Ihnen" at the start
of a sentence may be the 3rd person plural ("Unsere Azubis starten heute. Sie freuen sich …"): it counts as
formal address only when nothing in the sentence before could be what it refers to, or when the sentence or
the text addresses the reader formally elsewhere. Quotations, hashtags, @mentions, URLs and names joined
with "&" ("Sie & Er GmbH") are excepted.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

import regex

Form = Literal["sie", "du"]


@dataclass(frozen=True, slots=True)
class AddressCue:
    """Words next to each other that address the reader in one form, and the same words in the other form."""

    form: Form
    start: int
    end: int
    text: str
    suggestion: str = ""


@dataclass(slots=True)
class _Token:
    text: str
    lower: str
    start: int
    end: int
    initial: bool  # the first word of a sentence (after ., !, ?, :, a line break, an emoji …)
    sentence: int


# Regions where a form of address is somebody else's words or a name.
_EXCEPTED = regex.compile(
    r"""
      „[^“”"\n]{0,400}[“”"]                # German quotes
    | ‚[^‘’\n]{0,400}[‘’]
    | "[^"\n]{0,400}"
    | “[^”\n]{0,400}”
    | ‘[^’\n]{0,400}’
    | »[^«\n]{0,400}«
    | «[^»\n]{0,400}»
    | (?<![\p{L}\p{N}])'[^'\n]{1,400}'(?![\p{L}])
    | https?://\S+ | www\.\S+
    | [#@][\p{L}\p{N}_.]*[\p{L}\p{N}_]
    | \p{Lu}[\p{L}.-]*(?:\s*[&+]\s*\p{Lu}[\p{L}.-]*)+(?:\s+(?:GmbH|AG|KG|UG|SE|OHG|GbR|e\.\s?V\.|&\s?Co\.))*
    | \p{Lu}\p{L}*\s+und\s+\p{Lu}\p{L}*\s+(?:GmbH|AG|KG|UG|SE|OHG|GbR|e\.\s?V\.)
    """,
    regex.VERBOSE,
)
_WORD = regex.compile(r"\p{L}+(?:['’\-]\p{L}+)*")
_BOUNDARY = regex.compile(r"[.!?:;…\n•|]|\s[–—]\s|\p{Extended_Pictographic}")

_DU_PRONOUNS = {
    "du": "Sie",
    "dich": "Sie",
    "dir": "Ihnen",
    "dein": "Ihr",
    "deine": "Ihre",
    "deinen": "Ihren",
    "deinem": "Ihrem",
    "deiner": "Ihrer",
    "deines": "Ihres",
    "euch": "Sie",
    "euer": "Ihr",
    "eure": "Ihre",
    "euren": "Ihren",
    "eurem": "Ihrem",
    "eurer": "Ihrer",
    "eures": "Ihres",
}
# Verb forms only the 2nd person has (singular and plural), with the formal form.
_DU_VERBS = {
    "hast": "haben",
    "bist": "sind",
    "kannst": "können",
    "willst": "wollen",
    "möchtest": "möchten",
    "musst": "müssen",
    "darfst": "dürfen",
    "sollst": "sollen",
    "solltest": "sollten",
    "könntest": "könnten",
    "würdest": "würden",
    "wirst": "werden",
    "weißt": "wissen",
    "magst": "mögen",
    "hättest": "hätten",
    "wärst": "wären",
    "warst": "waren",
    "brauchst": "brauchen",
    "kennst": "kennen",
    "findest": "finden",
    "suchst": "suchen",
    "bekommst": "bekommen",
    "erhältst": "erhalten",
    "siehst": "sehen",
    "kommst": "kommen",
    "gehst": "gehen",
    "machst": "machen",
    "hörst": "hören",
    "liebst": "lieben",
    "seid": "sind",
    "habt": "haben",
    "könnt": "können",
    "wollt": "wollen",
    "müsst": "müssen",
    "dürft": "dürfen",
    "sollt": "sollen",
    "solltet": "sollten",
    "könntet": "könnten",
    "würdet": "würden",
    "hättet": "hätten",
    "wärt": "wären",
    "werdet": "werden",
    "wisst": "wissen",
    "mögt": "mögen",
    "möchtet": "möchten",
}
# Other 2nd person plural forms: only with "ihr" next to them ("ihr kommt", "Kommt ihr").
_PLURAL_VERBS = {
    "kommt",
    "macht",
    "seht",
    "findet",
    "bekommt",
    "erhaltet",
    "braucht",
    "lest",
    "geht",
    "schaut",
    "kennt",
    "sucht",
    "spielt",
    "lernt",
    "feiert",
    "gewinnt",
    "erfahrt",
    "meldet",
    "bewerbt",
    "bestellt",
    "nutzt",
    "teilt",
    "liebt",
    "wart",
    "arbeitet",
    "wohnt",
    "plant",
    "fragt",
    "sagt",
    "denkt",
    "glaubt",
    "wünscht",
    "freut",
    "tut",
    "esst",
    "trinkt",
    "helft",
    "gebt",
    "nehmt",
    "lasst",
    "bleibt",
}
# Plural imperatives without a pronoun ("Schaut vorbei!"), only at the start of a sentence and with a cue.
_PLURAL_IMPERATIVES = _PLURAL_VERBS | {
    "klickt",
    "holt",
    "besucht",
    "folgt",
    "schreibt",
    "probiert",
    "entdeckt",
    "sichert",
    "abonniert",
    "stimmt",
    "tragt",
    "hört",
    "ladet",
    "registriert",
    "vergesst",
    "verpasst",
    "checkt",
    "startet",
    "bucht",
    "spart",
    "ruft",
    "wählt",
    "zeigt",
    "erzählt",
    "informiert",
    "kauft",
    "seid",
    "habt",
    "werdet",
}
# Singular imperatives → the infinitive (the formal imperative is "<infinitive> Sie"). True: also a noun or
# adjective ("Folge 3", "Frage des Tages", "sichere Zahlung"), so it needs a cue after it.
_IMPERATIVES: dict[str, tuple[str, bool]] = {
    "melde": ("melden", False),
    "meld": ("melden", False),
    "schau": ("schauen", False),
    "schaue": ("schauen", False),
    "klick": ("klicken", True),
    "klicke": ("klicken", False),
    "komm": ("kommen", False),
    "hol": ("holen", False),
    "hole": ("holen", False),
    "sichere": ("sichern", True),
    "sicher": ("sichern", True),
    "entdecke": ("entdecken", False),
    "besuche": ("besuchen", True),
    "besuch": ("besuchen", True),
    "lies": ("lesen", False),
    "sieh": ("sehen", False),
    "nimm": ("nehmen", False),
    "gib": ("geben", False),
    "hilf": ("helfen", False),
    "sprich": ("sprechen", False),
    "mach": ("machen", False),
    "mache": ("machen", True),
    "probier": ("probieren", False),
    "probiere": ("probieren", False),
    "teste": ("testen", True),
    "teil": ("teilen", True),
    "teile": ("teilen", True),
    "folge": ("folgen", True),
    "folg": ("folgen", False),
    "sag": ("sagen", False),
    "sage": ("sagen", True),
    "schreib": ("schreiben", False),
    "schreibe": ("schreiben", False),
    "bewirb": ("bewerben", False),
    "frag": ("fragen", False),
    "frage": ("fragen", True),
    "lade": ("laden", False),
    "lad": ("laden", False),
    "abonniere": ("abonnieren", False),
    "registriere": ("registrieren", False),
    "erfahre": ("erfahren", False),
    "finde": ("finden", False),
    "starte": ("starten", False),
    "buche": ("buchen", True),
    "buch": ("buchen", True),
    "bestelle": ("bestellen", False),
    "bestell": ("bestellen", False),
    "kauf": ("kaufen", True),
    "kaufe": ("kaufen", False),
    "spar": ("sparen", False),
    "spare": ("sparen", False),
    "sei": ("seien", False),
    "hab": ("haben", False),
    "warte": ("warten", False),
    "wart": ("warten", True),
    "nutze": ("nutzen", False),
    "nutz": ("nutzen", False),
    "informiere": ("informieren", False),
    "lass": ("lassen", False),
    "lasse": ("lassen", True),
    "denk": ("denken", False),
    "denke": ("denken", True),
    "vergiss": ("vergessen", False),
    "erzähl": ("erzählen", False),
    "erzähle": ("erzählen", False),
    "zeig": ("zeigen", False),
    "zeige": ("zeigen", False),
    "tritt": ("treten", True),
    "triff": ("treffen", False),
    "werde": ("werden", False),
    "stimme": ("stimmen", True),
    "stimm": ("stimmen", False),
    "gewinne": ("gewinnen", True),
    "sende": ("senden", False),
    "schick": ("schicken", False),
    "schicke": ("schicken", True),
    "check": ("checken", True),
    "checke": ("checken", False),
    "hör": ("hören", False),
    "höre": ("hören", False),
    "lerne": ("lernen", False),
    "lern": ("lernen", False),
    "wähle": ("wählen", False),
    "wähl": ("wählen", False),
    "tipp": ("tippen", True),
    "like": ("liken", True),
    "kommentiere": ("kommentieren", False),
    "markiere": ("markieren", False),
    "verpass": ("verpassen", False),
    "verpasse": ("verpassen", False),
    "feier": ("feiern", True),
    "feiere": ("feiern", False),
    "freu": ("freuen", False),
    "freue": ("freuen", True),
    "trag": ("tragen", False),
    "stöbere": ("stöbern", False),
    "stöber": ("stöbern", False),
    "gönn": ("gönnen", False),
    "gönne": ("gönnen", False),
    "bleib": ("bleiben", False),
    "bleibe": ("bleiben", True),
    "ruf": ("rufen", True),
    "rufe": ("rufen", False),
    "vertrau": ("vertrauen", False),
    "vertraue": ("vertrauen", False),
    "erlebe": ("erleben", False),
    "erleb": ("erleben", False),
    "sichre": ("sichern", False),
    "stell": ("stellen", False),
    "stelle": ("stellen", True),
    "fühl": ("fühlen", False),
    "fühle": ("fühlen", True),
    "speicher": ("speichern", False),
    "speichere": ("speichern", False),
    "spiel": ("spielen", True),
    "spiele": ("spielen", True),
    "pack": ("packen", True),
    "zögere": ("zögern", False),
    "zöger": ("zögern", False),
    "überzeuge": ("überzeugen", False),
    "tu": ("tun", False),
    "geh": ("gehen", False),
    "gehe": ("gehen", True),
    "nimm's": ("nehmen", False),
    "mach's": ("machen", False),
}
# Words after an ambiguous imperative that make it one ("Folge uns", "Frag mal", "Schau vorbei").
_IMPERATIVE_CUES = {
    "dich", "dir", "uns", "mal", "doch", "jetzt", "gleich", "hier", "einfach", "gern", "gerne", "vorbei",
    "rein", "los", "noch", "schnell", "heute", "herein", "dabei", "euch", "bescheid", "es", "den", "die",
    "das", "deine", "dein", "deinen", "deinem", "deiner", "eure", "euren", "euer", "unseren", "unsere",
    "unser", "unserem", "ihn", "nicht", "nie", "bitte", "unbedingt", "sofort", "direkt", "weiter", "zurück",
    "ein", "eine", "einen", "zwei", "drei",
}  # fmt: skip
# Separable particles: a cue only when they end the sentence ("Mach mit!", but "Kauf auf Rechnung").
_PARTICLES = {"ab", "an", "auf", "zu", "nach", "mit", "bei", "aus", "vor", "ein", "rum", "um", "weg"}
# Words that may stand before an imperative inside its sentence ("Bitte melde dich", "… und hol dir …").
_BEFORE_IMPERATIVE = {
    "bitte",
    "und",
    "oder",
    "dann",
    "jetzt",
    "einfach",
    "gleich",
    "also",
    "aber",
    "oh",
    "hey",
}
_SUBORDINATORS = {
    "wenn", "ob", "dass", "weil", "falls", "damit", "wie", "was", "wo", "sobald", "bevor", "nachdem",
    "während", "womit", "wofür", "worauf", "wann", "warum", "wieso", "weshalb", "wer",
}  # fmt: skip
# Lowercase words ending in -t after "Ihr" that are not verbs.
_NOT_VERBS = {
    "nicht", "recht", "jetzt", "erst", "selbst", "meist", "sonst", "bereits", "fast", "oft", "heut", "bist",
    "zuerst", "zuletzt", "gut", "mit", "seit", "seitdem", "zumindest", "bestimmt", "vielleicht", "fest",
    "meistens", "umsonst", "längst", "best", "höchst", "nächst", "zunächst", "ernst", "einst", "samt",
}  # fmt: skip
_FORMAL_POSSESSIVES = {
    "ihr": "dein",
    "ihre": "deine",
    "ihren": "deinen",
    "ihrem": "deinem",
    "ihrer": "deiner",
    "ihres": "deines",
}
_FORMAL_QUESTION_VERBS = {
    "haben": "Hast",
    "sind": "Bist",
    "können": "Kannst",
    "wollen": "Willst",
    "möchten": "Möchtest",
    "müssen": "Musst",
    "dürfen": "Darfst",
    "werden": "Wirst",
    "wissen": "Weißt",
    "sollten": "Solltest",
    "würden": "Würdest",
    "könnten": "Könntest",
    "hätten": "Hättest",
    "wären": "Wärst",
    "mögen": "Magst",
    "kennen": "Kennst",
}
_IRREGULAR_IMPERATIVES = {
    "sehen": "Sieh",
    "nehmen": "Nimm",
    "geben": "Gib",
    "lesen": "Lies",
    "helfen": "Hilf",
    "sprechen": "Sprich",
    "vergessen": "Vergiss",
    "seien": "Sei",
    "treffen": "Triff",
    "essen": "Iss",
    "bewerben": "Bewirb",
    "empfehlen": "Empfiehl",
    "haben": "Hab",
    "kommen": "Komm",
    "lassen": "Lass",
    "tun": "Tu",
}
# "Sichern Sie sich …" → "Sichere dir …", not "dich"
_DATIVE_REFLEXIVE = {"sichern", "holen", "gönnen", "merken", "ansehen", "anschauen", "nehmen", "wünschen"}
_DATIVE_PREPOSITIONS = {"mit", "bei", "von", "zu", "aus", "nach", "seit", "gegenüber"}
_ACCUSATIVE_PREPOSITIONS = {"auf", "für", "um", "ohne", "gegen", "durch", "an", "über"}


def _tokens(text: str) -> list[_Token]:
    """The words of the text outside quotations, names, hashtags, mentions and links."""
    excepted = [m.span() for m in _EXCEPTED.finditer(text)]
    tokens: list[_Token] = []
    previous_end = 0
    sentence = 0
    spans = iter(excepted)
    current = next(spans, None)
    for match in _WORD.finditer(text):
        start, end = match.span()
        while current is not None and current[1] <= start:
            current = next(spans, None)
        if current is not None and current[0] < end and start < current[1]:
            continue
        initial = not tokens or _BOUNDARY.search(text, previous_end, start) is not None
        if initial and tokens:
            sentence += 1
        word = match.group()
        tokens.append(_Token(word, word.lower(), start, end, initial, sentence))
        previous_end = end
    return tokens


def _is_plural_verb(token: _Token | None) -> bool:
    if token is None or (token.text[:1].isupper() and not token.initial):
        return False
    return token.lower in _DU_VERBS or token.lower in _PLURAL_VERBS


def _starts_noun(token: _Token | None, following: _Token | None) -> bool:
    """A noun after "ihr", or an adjective and a noun, make it a possessive ("kommt ihr (neues) Buch")."""
    if token is None:
        return False
    if token.text[:1].isupper():
        return True
    return (
        token.lower.endswith(("es", "er", "en", "e", "em"))
        and following is not None
        and following.text[:1].isupper()
    )


def _looks_like_verb(token: _Token | None) -> bool:
    """A lowercase word ending in -t right after "Ihr" is a verb ("Ihr bestellt"); an adjective would end in -es/-er."""
    return (
        token is not None
        and token.text.islower()
        and token.lower.endswith("t")
        and len(token.lower) > 2
        and token.lower not in _NOT_VERBS
    )


def _formal_of_plural_verb(word: str) -> str:
    lower = word.lower()
    if lower in _DU_VERBS:
        return _DU_VERBS[lower]
    stem = lower[:-1]
    return stem + ("n" if stem.endswith("e") else "en")


def _du_suggestion(words: list[_Token], kinds: list[str]) -> str:
    out: list[str] = []
    after_imperative = False
    for token, kind in zip(words, kinds, strict=True):
        lower = token.lower
        if kind == "imperative":
            entry = _IMPERATIVES.get(lower) or _IMPERATIVES[lower.removesuffix("'s").removesuffix("’s")]
            out.append(entry[0] + " Sie" + (" es" if lower.endswith(("'s", "’s")) else ""))
            after_imperative = True
            continue
        if kind == "plural_imperative":
            out.append(_formal_of_plural_verb(lower) + " Sie")
            after_imperative = True
            continue
        if after_imperative and lower in {"dich", "dir", "euch"}:
            out.append("sich")
        elif lower in _DU_PRONOUNS:
            out.append(_DU_PRONOUNS[lower])
        elif lower == "ihr":
            out.append("Sie")
        elif kind == "singular_verb":  # "wartest" → "warten", "machst" → "machen"
            out.append(lower.removesuffix("st").removesuffix("e") + "en")
        elif lower in _DU_VERBS or lower in _PLURAL_VERBS or kind == "verb":
            out.append(_formal_of_plural_verb(lower))
        else:
            out.append(token.text)
    return _sentence_case(" ".join(out), words[0].initial)


def _sentence_case(text: str, initial: bool) -> str:
    """Capitalise the suggestion at the start of a sentence; mid-sentence only "Sie", "Ihr"… keep theirs."""
    if initial:
        return text[:1].upper() + text[1:]
    first = text.split(" ", 1)[0]
    if first in _FORMAL_WORDS:
        return text
    return text[:1].lower() + text[1:]


def _sie_suggestion(words: list[_Token], kinds: list[str], question: bool, previous: _Token | None) -> str:
    out: list[str] = []
    for i, (token, kind) in enumerate(zip(words, kinds, strict=True)):
        lower = token.lower
        if kind == "formal_verb":
            if question:
                verb = _FORMAL_QUESTION_VERBS.get(lower)
                if verb is None:
                    stem = lower[:-2] if lower.endswith("en") else lower[:-1]
                    verb = (stem + ("est" if stem.endswith(("d", "t")) else "st")).capitalize()
                out.append(verb)
            else:
                verb = _IRREGULAR_IMPERATIVES.get(lower)
                if verb is None:
                    stem = lower[:-2] if lower.endswith("en") else lower[:-1]
                    verb = (stem + "e").capitalize()
                out.append(verb)
        elif lower == "sie":
            if i > 0 and kinds[i - 1] == "formal_verb":
                if not question:
                    continue  # "Melden Sie sich" → "Melde dich"
                out.append("du")
            elif previous is not None and previous.lower in _DATIVE_PREPOSITIONS and i == 0:
                out.append("dir")
            elif previous is not None and previous.lower in _ACCUSATIVE_PREPOSITIONS and i == 0:
                out.append("dich")
            else:
                out.append("du")
        elif lower == "sich" and i > 0:
            out.append("dir" if words[i - 2].lower in _DATIVE_REFLEXIVE else "dich")
        elif lower == "ihnen":
            out.append("dir")
        elif lower in _FORMAL_POSSESSIVES:
            out.append(_FORMAL_POSSESSIVES[lower])
        else:
            out.append(token.text)
    return _sentence_case(" ".join(out), words[0].initial)


@functools.lru_cache(maxsize=128)
def detect_address(text: str) -> tuple[AddressCue, ...]:
    """Every place where the text addresses the reader with Sie or with du, adjacent words joined."""
    tokens = _tokens(text)
    n = len(tokens)
    kinds: list[str | None] = [None] * n  # what each word is, when it is a cue
    forms: list[Form | None] = [None] * n
    ambiguous: list[int] = []  # sentence-initial Sie/Ihr/Ihnen: formal or 3rd person, decided below

    def prev(i: int) -> _Token | None:
        return tokens[i - 1] if i > 0 and tokens[i - 1].sentence == tokens[i].sentence else None

    def nxt(i: int) -> _Token | None:
        return tokens[i + 1] if i + 1 < n and tokens[i + 1].sentence == tokens[i].sentence else None

    def mark(i: int, form: Form, kind: str) -> None:
        forms[i] = form
        kinds[i] = kind

    for i, token in enumerate(tokens):
        lower = token.lower
        word = token.text
        if lower in _DU_PRONOUNS:
            before = prev(i)
            if word == "Du" and before is not None and before.lower in _ARTICLES:
                continue
            if word.isupper() and lower != "du":
                continue  # "DIR" or "EURE" in capitals are more likely acronyms than address
            mark(i, "du", "pronoun")
        elif lower in _DU_VERBS:
            if word[:1].isupper() and not token.initial and lower not in {"seid", "habt"}:
                continue  # a capitalised word mid-sentence is a name or a noun
            mark(i, "du", "verb")
        elif lower == "ihr":
            before, after = prev(i), nxt(i)
            if (
                _is_plural_verb(after)
                or (after is not None and after.lower == "alle")
                or (before is not None and before.lower in _DU_VERBS)
                or (before is not None and _is_plural_verb(before) and not _starts_noun(after, nxt(i + 1)))
                or (before is not None and before.lower in _SUBORDINATORS and word.islower())
                or (token.initial and _looks_like_verb(after))
            ):
                mark(i, "du", "pronoun")
                if after is not None and (after.lower in _PLURAL_VERBS or _looks_like_verb(after)):
                    mark(i + 1, "du", "verb")
                if before is not None and (before.lower in _PLURAL_VERBS or before.lower in _DU_VERBS):
                    mark(i - 1, "du", "verb")
            elif word == "Ihr":
                if token.initial:
                    ambiguous.append(i)
                else:
                    mark(i, "sie", "possessive")
        elif word in {"Ihre", "Ihren", "Ihrem", "Ihrer", "Ihres", "Ihnen"}:
            if token.initial:
                ambiguous.append(i)
            else:
                mark(i, "sie", "pronoun")
        elif word == "Sie":
            before = prev(i)
            if before is not None and before.lower in _ARTICLES:
                continue  # "das Sie" is the word, not the reader
            if token.initial:
                ambiguous.append(i)
                continue
            mark(i, "sie", "pronoun")
            # verb-first: "Haben Sie …?", "Kommen Sie vorbei", "Bitte melden Sie sich"
            if before is not None and _formal_verb(before) and forms[i - 1] is None:
                first = before.initial or (
                    i >= 2 and tokens[i - 2].lower == "bitte" and tokens[i - 2].sentence == token.sentence
                )
                if first:
                    mark(i - 1, "sie", "formal_verb")
                    after = nxt(i)
                    if after is not None and after.lower == "sich":
                        mark(i + 1, "sie", "reflexive")
        elif _is_imperative(tokens, i, prev(i), nxt(i)):
            mark(i, "du", "imperative")
        elif lower in _PLURAL_IMPERATIVES and token.initial:
            after = nxt(i)
            ends = i + 2 >= n or tokens[i + 2].sentence != token.sentence
            if (after is None and _ends_with_exclamation(text, token)) or (
                after is not None
                and after.text.islower()
                and (after.lower in _IMPERATIVE_CUES or (after.lower in _PARTICLES and ends))
            ):
                mark(i, "du", "plural_imperative")

    # any verb in -st right next to "du" is its verb ("worauf wartest du?", "du wartest")
    for i, token in enumerate(tokens):
        if token.lower == "du" and forms[i] == "du":
            for j in (i - 1, i + 1):
                if 0 <= j < n and forms[j] is None and _second_person_singular(tokens[j], tokens[i]):
                    mark(j, "du", "singular_verb")

    if ambiguous:
        text_is_formal = any(f == "sie" for f in forms)
        for i in ambiguous:
            token = tokens[i]
            sentence_formal = any(
                forms[j] == "sie" or tokens[j].lower == "bitte"
                for j in range(n)
                if tokens[j].sentence == token.sentence and j != i
            )
            if text_is_formal or sentence_formal or not _has_antecedent(tokens, i):
                mark(i, "sie", "possessive" if token.lower.startswith("ihr") else "pronoun")

    return _join(text, tokens, forms, kinds)


def _second_person_singular(token: _Token, du: _Token) -> bool:
    if token.sentence != du.sentence or not token.lower.endswith("st") or token.lower in _NOT_VERBS:
        return False
    return token.text.islower() or (token.initial and token.end <= du.start)


def _formal_verb(token: _Token) -> bool:
    """Whether the word before "Sie" at the start of a sentence is its verb ("Haben Sie", "Sind Sie")."""
    lower = token.lower
    if lower in _SUBORDINATORS or lower in _NOT_FORMAL_VERBS:
        return False
    return lower == "sind" or (len(lower) > 3 and lower.endswith(("en", "ern", "eln")))


_NOT_FORMAL_VERBS = {"neben", "zwischen", "unten", "oben", "hinten", "vorn", "gegen", "wegen", "unseren"}


def _ends_with_exclamation(text: str, token: _Token) -> bool:
    return text[token.end : token.end + 3].lstrip().startswith("!")


def _is_imperative(tokens: list[_Token], i: int, before: _Token | None, after: _Token | None) -> bool:
    token = tokens[i]
    entry = _IMPERATIVES.get(token.lower) or _IMPERATIVES.get(
        token.lower.removesuffix("'s").removesuffix("’s")
    )
    if entry is None:
        return False
    if token.initial:
        if not token.text[:1].isupper() and entry[1]:
            return False
    elif not (token.text.islower() and before is not None and before.lower in _BEFORE_IMPERATIVE):
        return False
    if after is not None and (
        after.text == "Sie" or after.lower in {"ich", "mich", "mir", "wir", "man", "er"}
    ):
        return False  # "Melde mich …" is someone speaking of themselves
    if entry[1]:  # also a noun or an adjective: only with a cue after it
        if after is None or not after.text.islower():
            return False
        if after.lower in _PARTICLES:
            return i + 2 >= len(tokens) or tokens[i + 2].sentence != token.sentence
        return after.lower in _IMPERATIVE_CUES
    return after is None or after.text.islower() or after.lower in {"dich", "dir", "deine", "dein"}


def _has_antecedent(tokens: list[_Token], i: int) -> bool:
    """Whether the sentence before names something a 3rd person "Sie"/"Ihr" could refer to (a noun or name)."""
    sentence = tokens[i].sentence - 1
    if sentence < 0:
        return False
    return any(
        t.sentence == sentence and not t.initial and t.text[:1].isupper() and t.text not in _FORMAL_WORDS
        for t in tokens[max(0, i - 60) : i]
    )


_ARTICLES = {"das", "dem", "beim", "vom", "ans", "ins", "zum", "ein", "einem"}
_FORMAL_WORDS = {"Sie", "Ihnen", "Ihr", "Ihre", "Ihren", "Ihrem", "Ihrer", "Ihres"}


def _join(
    text: str, tokens: list[_Token], forms: list[Form | None], kinds: list[str | None]
) -> tuple[AddressCue, ...]:
    cues: list[AddressCue] = []
    i = 0
    n = len(tokens)
    while i < n:
        form = forms[i]
        if form is None:
            i += 1
            continue
        j = i + 1
        while (
            j < n
            and forms[j] == form
            and tokens[j].sentence == tokens[i].sentence
            and not text[tokens[j - 1].end : tokens[j].start].strip()
        ):
            j += 1
        words = tokens[i:j]
        word_kinds = [k or "" for k in kinds[i:j]]
        start, end = words[0].start, words[-1].end
        if form == "du":
            suggestion = _du_suggestion(words, word_kinds)
        else:
            question = _sentence_is_question(text, words[-1].end)
            previous = tokens[i - 1] if i > 0 and tokens[i - 1].sentence == words[0].sentence else None
            suggestion = _sie_suggestion(words, word_kinds, question, previous)
        cues.append(AddressCue(form, start, end, text[start:end], suggestion))
        i = j
    return tuple(cues)


_SENTENCE_END = regex.compile(r"[.!?\n]")


def _sentence_is_question(text: str, position: int) -> bool:
    match = _SENTENCE_END.search(text, position)
    return match is not None and match.group() == "?"
