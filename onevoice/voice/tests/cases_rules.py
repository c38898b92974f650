"""Sentences for every other kind of voice rule, each with the findings it must produce.

`expected` has one entry per finding, in the order `check` returns them: the highlighted words (an empty
tuple for a finding about the variant as a whole, such as a missing alt text or hashtag).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from onevoice.voice.checker import RuleKind, Severity


@dataclass(frozen=True)
class RuleCase:
    text: str
    kind: RuleKind
    params: dict[str, Any]
    expected: tuple[tuple[str, ...], ...] = ()
    suggestions: tuple[str, ...] | None = None  # when given: each finding's suggestion
    language: str = "de"
    link: str = ""
    images: tuple[str, ...] = ()
    paid: bool = False
    severity: Severity = Severity.WARN
    expected_severities: tuple[Severity, ...] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


KUNDEN = {"terms": ["Kunde"], "exceptions": ["Kundenservice"]}
ONEVOICE = {"replacements": {"One Voice": "OneVoice", "Onevoice": "OneVoice", "Kunden": "Kund*innen"}}
UTM = {"parameters": ["utm_source", "utm_medium", "utm_campaign"]}
UTM_LINK = "https://example.org/sommer?utm_source=linkedin&utm_medium=social&utm_campaign=sommer"
COMPETITOR = {"terms": ["Konkurrent AG", "Rückruf"], "label": "Wettbewerber"}

RULE_CASES: list[RuleCase] = [
    # --- forbidden terms, inflected, with exceptions
    RuleCase("Liebe Kunden, wir sind für euch da.", RuleKind.FORBIDDEN_TERMS, KUNDEN, (("Kunden",),)),
    RuleCase("Jeder Kunde zählt.", RuleKind.FORBIDDEN_TERMS, KUNDEN, (("Kunde",),)),
    RuleCase("Unsere Kundin Frau Meier ist begeistert.", RuleKind.FORBIDDEN_TERMS, KUNDEN, (("Kundin",),)),
    RuleCase("Danke an alle Kundinnen!", RuleKind.FORBIDDEN_TERMS, KUNDEN, (("Kundinnen",),)),
    RuleCase("Unser Kundenservice hilft gern.", RuleKind.FORBIDDEN_TERMS, KUNDEN),
    RuleCase("Neue Stammkunden bekommen 10 % Rabatt.", RuleKind.FORBIDDEN_TERMS, KUNDEN, (("Stammkunden",),)),
    RuleCase("Die Kundenkarte ist da.", RuleKind.FORBIDDEN_TERMS, KUNDEN, (("Kundenkarte",),)),
    RuleCase("Für alle Kund*innen gilt: Abholung ab 9 Uhr.", RuleKind.FORBIDDEN_TERMS, KUNDEN),
    RuleCase("Die Kundgebung beginnt um 12 Uhr.", RuleKind.FORBIDDEN_TERMS, KUNDEN),
    RuleCase(
        "KUNDEN und kunden und Kunden.",
        RuleKind.FORBIDDEN_TERMS,
        KUNDEN,
        (("KUNDEN",), ("kunden",), ("Kunden",)),
    ),
    RuleCase(
        "Mehr unter https://example.org/kunden/angebote",
        RuleKind.FORBIDDEN_TERMS,
        KUNDEN,
    ),
    RuleCase("Das ist ein Mega-Deal!", RuleKind.FORBIDDEN_TERMS, {"terms": ["Deal"]}, (("Deal",),)),
    RuleCase("Ideal für den Sommer.", RuleKind.FORBIDDEN_TERMS, {"terms": ["Deal"]}),
    RuleCase(
        "Unsere Mitarbeiter und Mitarbeitern danken.",
        RuleKind.FORBIDDEN_TERMS,
        {"terms": ["Mitarbeiter"]},
        (("Mitarbeiter",), ("Mitarbeitern",)),
    ),
    RuleCase(
        "Die Mitarbeiterzeitung erscheint.",
        RuleKind.FORBIDDEN_TERMS,
        {"terms": ["Mitarbeiter"]},
        (("Mitarbeiterzeitung",),),
    ),
    RuleCase("Unsere Ärzte sind für Sie da.", RuleKind.FORBIDDEN_TERMS, {"terms": ["Arzt"]}, (("Ärzte",),)),
    RuleCase("Das war ein Schnäppchen!!!", RuleKind.FORBIDDEN_TERMS, {"patterns": ["!{2,}"]}, (("!!!",),)),
    RuleCase(
        "Our customers love it.",
        RuleKind.FORBIDDEN_TERMS,
        {"terms": ["customer"]},
        (("customers",),),
        language="en",
    ),
    RuleCase(
        "Mit freundlichen Grüßen, Ihre Stadtverwaltung",
        RuleKind.FORBIDDEN_TERMS,
        {"terms": ["Mit freundlichen Grüßen"]},
        (("Mit freundlichen Grüßen",),),
    ),
    # --- preferred terms and product names
    RuleCase(
        "One Voice macht es einfach.", RuleKind.PREFERRED_TERMS, ONEVOICE, (("One Voice",),), ("OneVoice",)
    ),
    RuleCase(
        "Mit Onevoice planen wir alles.", RuleKind.PREFERRED_TERMS, ONEVOICE, (("Onevoice",),), ("OneVoice",)
    ),
    RuleCase("Mit OneVoice planen wir alles.", RuleKind.PREFERRED_TERMS, ONEVOICE),
    RuleCase("ONEVOICE ist da.", RuleKind.PREFERRED_TERMS, ONEVOICE, (("ONEVOICE",),), ("OneVoice",)),
    RuleCase("Liebe Kunden!", RuleKind.PREFERRED_TERMS, ONEVOICE, (("Kunden",),), ("Kund*innen",)),
    RuleCase("Liebe Kund*innen!", RuleKind.PREFERRED_TERMS, ONEVOICE),
    RuleCase("Unser Kundenservice hilft.", RuleKind.PREFERRED_TERMS, ONEVOICE),
    RuleCase("Ein Kunde, zwei Kunden.", RuleKind.PREFERRED_TERMS, ONEVOICE, (("Kunde",), ("Kunden",))),
    RuleCase("One  Voice und Onevoice", RuleKind.PREFERRED_TERMS, ONEVOICE, (("One  Voice",), ("Onevoice",))),
    # --- disclosure of paid partnerships
    RuleCase("Anzeige: Unsere neue Kooperation mit dem Radladen.", RuleKind.DISCLOSURE, {}, paid=True),
    RuleCase("#Werbung Wir testen das neue E-Bike.", RuleKind.DISCLOSURE, {}, paid=True),
    RuleCase(
        "Wir testen das neue E-Bike.",
        RuleKind.DISCLOSURE,
        {},
        ((),),
        ("Anzeige: ",),
        paid=True,
        severity=Severity.BLOCK,
    ),
    RuleCase("Wir testen das neue E-Bike.", RuleKind.DISCLOSURE, {}),
    RuleCase(
        "Wir testen das neue E-Bike vom Radladen um die Ecke und sind begeistert von der Reichweite und dem Licht. #Anzeige",
        RuleKind.DISCLOSURE,
        {},
        (("#Anzeige",),),
        paid=True,
        severity=Severity.BLOCK,
        expected_severities=(Severity.WARN,),
    ),
    RuleCase("Mehr anzeigen: das neue E-Bike.", RuleKind.DISCLOSURE, {}, ((),), paid=True),
    RuleCase(
        "Sponsored: our new bike.",
        RuleKind.DISCLOSURE,
        {"markers": ["Sponsored", "Ad"]},
        paid=True,
        language="en",
    ),
    RuleCase(
        "Our new bike.",
        RuleKind.DISCLOSURE,
        {"markers": ["Sponsored", "Ad"]},
        ((),),
        ("Sponsored: ",),
        paid=True,
        language="en",
    ),
    # --- required hashtags
    RuleCase("Sommerfest! #MusterGmbH #Sommer", RuleKind.REQUIRED_HASHTAGS, {"hashtags": ["#MusterGmbH"]}),
    RuleCase("Sommerfest! #mustergmbh", RuleKind.REQUIRED_HASHTAGS, {"hashtags": ["MusterGmbH"]}),
    RuleCase(
        "Sommerfest! #Sommer",
        RuleKind.REQUIRED_HASHTAGS,
        {"hashtags": ["#MusterGmbH", "#Karriere"]},
        ((),),
        ("#MusterGmbH #Karriere",),
    ),
    RuleCase(
        "Sommerfest! #Karriere",
        RuleKind.REQUIRED_HASHTAGS,
        {"hashtags": ["#MusterGmbH", "#Karriere"], "mode": "any"},
    ),
    RuleCase(
        "Sommerfest!",
        RuleKind.REQUIRED_HASHTAGS,
        {"hashtags": ["#MusterGmbH", "#Karriere"], "mode": "any"},
        ((),),
    ),
    RuleCase(
        "Farbe #333 und https://example.org/#MusterGmbH",
        RuleKind.REQUIRED_HASHTAGS,
        {"hashtags": ["#MusterGmbH"]},
        ((),),
    ),
    # --- tracking links
    RuleCase(f"Alle Infos: {UTM_LINK}", RuleKind.TRACKING_LINK, UTM),
    RuleCase(
        "Alle Infos: https://example.org/sommer.",
        RuleKind.TRACKING_LINK,
        UTM,
        (("https://example.org/sommer",),),
    ),
    RuleCase(
        "Infos: https://example.org/a?utm_source=x und www.example.org/b",
        RuleKind.TRACKING_LINK,
        UTM,
        (("https://example.org/a?utm_source=x",), ("www.example.org/b",)),
        ("utm_medium, utm_campaign", "utm_source, utm_medium, utm_campaign"),
    ),
    RuleCase(
        "Schaut auf unsere Website!", RuleKind.TRACKING_LINK, UTM, ((),), link="https://example.org/sommer"
    ),
    RuleCase("Schaut auf unsere Website!", RuleKind.TRACKING_LINK, UTM, link=UTM_LINK),
    # --- alt text
    RuleCase("Unser Team beim Stadtlauf.", RuleKind.ALT_TEXT, {}, images=("Fünf Läuferinnen im Ziel",)),
    RuleCase(
        "Unser Team beim Stadtlauf.", RuleKind.ALT_TEXT, {}, ((),), images=("",), severity=Severity.BLOCK
    ),
    RuleCase("Unser Team beim Stadtlauf.", RuleKind.ALT_TEXT, {}, ((),), images=("Läuferinnen", "  ", "")),
    RuleCase("Unser Team beim Stadtlauf.", RuleKind.ALT_TEXT, {}),
    # --- hashtag count
    RuleCase("Sommer! #a #b #c", RuleKind.HASHTAG_LIMIT, {"max": 3}),
    RuleCase("Sommer! #a #b #c #d #e", RuleKind.HASHTAG_LIMIT, {"max": 3}, (("#d", "#e"),)),
    RuleCase("Sommer! #a", RuleKind.HASHTAG_LIMIT, {"max": 0}, (("#a",),)),
    RuleCase("Farbe #333 und C# sind keine Hashtags.", RuleKind.HASHTAG_LIMIT, {"max": 0}),
    # --- emoji
    RuleCase("Sommerfest 🎉", RuleKind.EMOJI, {"max": 1}),
    RuleCase("Sommerfest 🎉🎈☀️", RuleKind.EMOJI, {"max": 1}, (("🎈", "☀️"),)),
    RuleCase("Familienfest 👨‍👩‍👧 🇩🇪", RuleKind.EMOJI, {"max": 1}, (("🇩🇪",),)),
    RuleCase("Daumen hoch 👍🏽", RuleKind.EMOJI, {"max": 0}, (("👍🏽",),)),
    RuleCase("© 2026 Muster GmbH™", RuleKind.EMOJI, {"max": 0}),
    # --- language
    RuleCase("Wir freuen uns auf das Sommerfest mit euch allen im Stadtpark.", RuleKind.LANGUAGE, {}),
    RuleCase("We are looking forward to the summer party in the city park.", RuleKind.LANGUAGE, {}, ((),)),
    RuleCase(
        "We are looking forward to the summer party in the city park.", RuleKind.LANGUAGE, {}, language="en"
    ),
    RuleCase(
        "Wir freuen uns auf das Sommerfest mit euch allen im Stadtpark.",
        RuleKind.LANGUAGE,
        {},
        ((),),
        language="en",
    ),
    RuleCase("Nous sommes ravis de vous accueillir à notre fête d'été.", RuleKind.LANGUAGE, {}, ((),)),
    RuleCase("Hallo! 👋 #Sommer", RuleKind.LANGUAGE, {}),
    RuleCase("Mehr dazu: https://example.org/the-best-summer-party-ever", RuleKind.LANGUAGE, {}),
    # --- sensitive and competitor mentions
    RuleCase("Besser als die Konkurrent AG!", RuleKind.SENSITIVE, COMPETITOR, (("Konkurrent AG",),)),
    RuleCase(
        "Zum Rückruf der Charge 42 informieren wir hier.", RuleKind.SENSITIVE, COMPETITOR, (("Rückruf",),)
    ),
    RuleCase("Wir rufen Sie gern zurück.", RuleKind.SENSITIVE, COMPETITOR),
    RuleCase(
        "Konkurrent AG meldet Rückrufe.",
        RuleKind.SENSITIVE,
        COMPETITOR,
        (("Konkurrent AG", "Rückrufe"),),
        severity=Severity.BLOCK,
        expected_severities=(Severity.BLOCK,),
    ),
]
