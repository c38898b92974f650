"""Whether the language a network declares for a message (Bluesky `langs`, Mastodon `language`, X `lang`) can
be believed without running the language detector.

A declaration is usually right but not always: apps fill it with the person's default language, so a German
account's English reply can arrive marked "de". The check is cheap: the most frequent function words of each
language the detector knows are counted, and the declaration stands when its language has clearly more of
them than any other. Otherwise (too few of them, or another language as strong) the detector decides as
before. Detecting a language costs about half a millisecond; this check a few microseconds.
"""

from __future__ import annotations

import functools
from itertools import chain


def _words(listed: str) -> frozenset[str]:
    return frozenset(listed.split())


# Short, frequent words that carry no topic; a word may be listed for more than one language.
FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "de": _words(
        "der die das den dem des ein eine einen einem einer und oder aber ist sind war waren bin bist hat habe "
        "haben hatte wird werden wurde nicht kein keine keinen mit für auf aus bei nach von vom zum zur über "
        "ich du er sie wir ihr euch uns mein meine meinen dein deine euer eure unser unsere sich mich mir dich "
        "dir auch noch schon nur wie wo warum wann was wer wieso weshalb dass wenn weil doch mal gibt bitte "
        "danke leider heute morgen gestern immer wieder nochmal endlich wirklich sehr gerne gern etwas jetzt "
        "hier dort kann könnt können muss müssen soll sollte würde"
    ),
    "en": _words(
        "the a an and or but is are was were be been am have has had do does did not no don't can't won't "
        "isn't it's i'm you your yours we our they their them he she his her my me this that these those "
        "with for from of to at by on about what why when where who how please thanks thank just still "
        "again today yesterday very really would could should will can there here"
    ),
    "fr": _words(
        "le la les un une des du de et ou mais est sont était ai as avez avons ont pas ne je tu il elle nous "
        "vous ils elles mon ma mes votre vos notre nos ce cette ces avec pour dans sur par que qui quoi "
        "pourquoi quand où comment merci très aussi encore déjà aujourd'hui"
    ),
    "it": _words(
        "il lo la gli le un una uno di del della dei delle e ed o ma è sono era ho hai ha abbiamo hanno non "
        "io tu lui lei noi voi loro mio mia miei tuo tua nostro vostro questo questa quello con per su che "
        "chi perché quando dove come grazie molto anche ancora già oggi"
    ),
    "es": _words(
        "el la los las un una unos unas de del y o pero es son era está están he has ha hemos han no yo tú "
        "él ella nosotros vosotros ellos mi mis tu tus su sus nuestro este esta ese esa con para por que "
        "quién porque cuándo dónde cómo gracias muy también todavía ya hoy"
    ),
    "nl": _words(
        "de het een en of maar is zijn was waren ben bent heb hebt heeft hebben niet geen ik jij je hij zij "
        "wij we jullie mijn jouw ons onze hun dit dat deze die met voor van op aan bij naar uit wat waarom "
        "wanneer waar hoe bedankt dank erg ook nog al vandaag"
    ),
    "pl": _words(
        "i a ale lub jest są był była było nie to ten ta te że się na w z ze do od po dla czy jak co dlaczego "
        "kiedy gdzie ja ty on ona my wy oni mój moja moje twój nasz wasz mam masz ma mamy macie mają bardzo "
        "też już jeszcze dziękuję dzięki proszę tak dzisiaj"
    ),
    "tr": _words(
        "ve veya ama bir bu şu o için ile değil çok ne neden niçin nasıl nerede ne zaman mi mı mu mü da de "
        "ben sen biz siz onlar benim senin bizim sizin var yok gibi daha hâlâ bile teşekkürler teşekkür "
        "lütfen bugün şimdi"
    ),
}
# word → the languages it is a function word of, so each word of a message is looked up once.
_LANGUAGES_OF: dict[str, tuple[str, ...]] = {}
for _language, _listed in FUNCTION_WORDS.items():
    for _word in _listed:
        _LANGUAGES_OF[_word] = (*_LANGUAGES_OF.get(_word, ()), _language)
_PUNCTUATION = ".,;:!?¡¿…\"'“”„«»()[]{}*-–—/#@"
# Read at most this much of a long message: enough words to tell, cheap whatever the length.
MAX_CHARS = 600
MIN_HITS = 3


def confirms(text: str, declared: str) -> bool:
    """Whether the message's function words agree with the declared language (see the module's text)."""
    code = declared_code(declared)
    if not code:
        return False
    # The languages of the function words found, one entry per word and language (most words have none).
    found = list(chain.from_iterable(filter(None, map(_languages_of, text[:MAX_CHARS].lower().split()))))
    mine = found.count(code)
    # A language none of whose words occurs has 0 of them: only those found can outweigh the declared one.
    return mine >= MIN_HITS and all(mine >= 2 * found.count(other) for other in set(found) if other != code)


@functools.lru_cache(maxsize=65536)
def _languages_of(word: str) -> tuple[str, ...]:
    """The languages a word (as split from the message, in lower case) is a function word of."""
    return _LANGUAGES_OF.get(word.strip(_PUNCTUATION), ())


@functools.lru_cache(maxsize=1024)
def declared_code(declared: str) -> str:
    """The ISO 639-1 code of a declared language tag ("de-DE" → "de"), or "" for one the check can't read."""
    code = (declared or "").split("-")[0].split("_")[0].lower()
    return code if code in FUNCTION_WORDS else ""
