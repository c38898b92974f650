"""The voice checker live, as the composer runs it while someone types: one 2,000-character German variant
against 300 rules of every kind, and the precision and recall of the Sie/du detector on the test sentences.

    .venv/bin/python bench/bench_voice_check.py [--rules 300] [--chars 2000] [--runs 300]

Each run changes the text a little (as a keystroke does), so the per-text caches of the Sie/du and language
detection miss as they would while typing; the compiled rule matchers stay cached, as they do between
keystrokes. Prints the first (cold) run, median and p95 time of `check` (target: median ≤ 50 ms), the
findings of the last run per kind, and precision/recall of the Sie/du detector (target ≥ 0.95 each).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["ONEVOICE_TESTING"] = "1"

import django  # noqa: E402

django.setup()

from django.utils import translation  # noqa: E402

from onevoice.voice.checker import Rule, RuleKind, Severity, VariantFacts, check  # noqa: E402

_WORDS = """
Schnäppchen Mega-Deal Kunde Mitarbeiter Problem Billigangebot Rabattschlacht Hammerpreis Weltneuheit Sensation
Wahnsinn Geheimtipp Knaller Superlativ Marktführer Preisbrecher Ausverkauf Lockangebot Nulltarif Gratisgeschenk
Restposten Sonderposten Schleuderpreis Dumpingpreis Krise Skandal Pleite Insolvenz Entlassung Kündigung Streik
Rückruf Datenleck Hackerangriff Klage Abmahnung Bußgeld Unfall Verletzung Todesfall Pandemie Impfpflicht Wahl
Partei Kandidat Bürgermeister Gemeinderat Demonstration Protest Migration Flüchtling Religion Kirche Moschee
Konkurrent Wettbewerber Billiganbieter Discounter Versandriese Plattform Influencer Promi Sternchen Hype Trend
Burnout Überstunden Praktikant Azubi Lehrling Chef Boss Personal Belegschaft Arbeitnehmer Arbeitgeber Fachkraft
Hausfrau Putzfrau Krankenschwester Schwesternschaft Mannschaft Fachmann Kaufmann Hausmeister Schornsteinfeger
Senior Rentner Jugendlicher Behinderter Ausländer Zigeuner Eskimo Indianer Farbiger Mischling Asylant Gastarbeiter
Handicap Patient Klient Bewohner Besucher Teilnehmer Zuhörer Leser Zuschauer Nutzer Anwender Verbraucher Bürger
"""
WORDS = _WORDS.split()  # words a guideline might forbid, prefer against, or watch as sensitive
PRODUCTS = ["OneVoice", "MusterCloud", "StadtApp", "KitaPlaner", "BürgerPortal", "WerkBank", "GrünStrom"]
HASHTAGS = ["MusterGmbH", "Karriere", "Ausbildung", "Nachhaltigkeit", "Stadtwerk", "Sommerfest", "Ehrenamt"]
COMPETITORS = ["Konkurrent AG", "Wettbewerb GmbH", "Billig & Co", "Stadtwerke Nord", "Netz AG", "Versand24"]

PARAGRAPHS = [
    "Liebe Kundinnen und Kunden, ab dem 1. März haben unsere Filialen in der Innenstadt länger für Sie "
    "geöffnet: montags bis freitags von 8 bis 20 Uhr, samstags bis 16 Uhr. ",
    "Haben Sie Fragen zu Ihrer Rechnung? Unser Kundenservice hilft Ihnen gern weiter, telefonisch unter "
    "0800 123456 oder per Mail. ",
    "Melde dich jetzt für unseren Newsletter an und sichere dir 10 % Rabatt auf deinen nächsten Einkauf! ",
    "Unsere Azubis starten heute in ihr erstes Lehrjahr. Sie freuen sich auf spannende Aufgaben im Team. ",
    "Mit One Voice planen wir alle Beiträge gemeinsam, damit Marketing und Personalabteilung nicht dasselbe "
    "zweimal erzählen. ",
    "Mehr Informationen finden Sie unter https://example.org/sommer?utm_source=linkedin&utm_medium=social "
    "und auf www.example.org/karriere. ",
    "Die Konkurrent AG hat einen Rückruf gestartet; wir prüfen, ob unsere Produkte betroffen sind. ",
    "Unser Motto „Du schaffst das!“ gilt auch in diesem Jahr für den Stadtlauf der Sie & Er GmbH. ",
    "Wir freuen uns auf Ihren Besuch beim Sommerfest im Stadtpark 🎉☀️ mit Musik, Essen und Spielen für "
    "Kinder. ",
    "Bewerben Sie sich bis zum 31. März für einen Ausbildungsplatz als Kaufmann oder Kauffrau für "
    "Büromanagement. ",
    "Unsere Mitarbeiter haben im letzten Jahr über 500 Bäume gepflanzt und 2.000 Stunden Ehrenamt geleistet. ",
    "#MusterGmbH #Sommerfest #Karriere #Ausbildung #Nachhaltigkeit ",
]


def build_rules(count: int, seed: int = 7) -> list[Rule]:
    """A realistic rule set: mostly term lists (forbidden, preferred, sensitive), a few of every other kind."""
    rng = random.Random(seed)
    shares = [
        (RuleKind.FORBIDDEN_TERMS, 0.40),
        (RuleKind.PREFERRED_TERMS, 0.18),
        (RuleKind.SENSITIVE, 0.14),
        (RuleKind.REQUIRED_HASHTAGS, 0.05),
        (RuleKind.TRACKING_LINK, 0.04),
        (RuleKind.ADDRESS, 0.04),
        (RuleKind.DISCLOSURE, 0.03),
        (RuleKind.ALT_TEXT, 0.03),
        (RuleKind.HASHTAG_LIMIT, 0.03),
        (RuleKind.EMOJI, 0.03),
        (RuleKind.LANGUAGE, 0.03),
    ]
    kinds = [kind for kind, share in shares for _ in range(max(1, round(share * count)))]
    kinds = (kinds * (count // len(kinds) + 1))[:count]
    rules = []
    for i, kind in enumerate(kinds):
        rules.append(
            Rule(
                id=f"rule-{i}",
                kind=kind,
                severity=Severity.BLOCK if rng.random() < 0.3 else Severity.WARN,
                params=_params(kind, rng, i),
                name=f"Regel {i}",
            )
        )
    return rules


def _params(kind: RuleKind, rng: random.Random, i: int) -> dict[str, Any]:
    match kind:
        case RuleKind.FORBIDDEN_TERMS:
            params: dict[str, Any] = {"terms": rng.sample(WORDS, rng.randint(2, 8))}
            if i % 3 == 0:
                params["exceptions"] = [f"{params['terms'][0]}service"]
            if i % 10 == 0:
                params["patterns"] = [r"!{2,}", r"\bgratis\b"]
            return params
        case RuleKind.PREFERRED_TERMS:
            product = rng.choice(PRODUCTS)
            spaced = product[:3] + " " + product[3:]
            return {
                "replacements": {
                    spaced: product,
                    product.capitalize(): product,
                    rng.choice(WORDS): rng.choice(WORDS) + "*innen",
                }
            }
        case RuleKind.SENSITIVE:
            return {"terms": rng.sample(COMPETITORS, 2) + rng.sample(WORDS, 3), "label": "Wettbewerber"}
        case RuleKind.REQUIRED_HASHTAGS:
            return {"hashtags": rng.sample(HASHTAGS, 2), "mode": rng.choice(["all", "any"])}
        case RuleKind.TRACKING_LINK:
            return {"parameters": ["utm_source", "utm_medium", "utm_campaign"]}
        case RuleKind.ADDRESS:
            return {"form": rng.choice(["sie", "du"])}
        case RuleKind.DISCLOSURE:
            return {"markers": ["Anzeige", "Werbung"]}
        case RuleKind.HASHTAG_LIMIT:
            return {"max": rng.randint(0, 5)}
        case RuleKind.EMOJI:
            return {"max": rng.randint(0, 3)}
        case _:
            return {}


def build_variant(chars: int) -> VariantFacts:
    """A German variant of about `chars` characters that triggers findings of most kinds."""
    text = ""
    i = 0
    while len(text) < chars:
        text += PARAGRAPHS[i % len(PARAGRAPHS)]
        i += 1
    return VariantFacts(
        text=text[:chars],
        language="de",
        network="linkedin",
        link="https://example.org/sommer",
        image_alt_texts=("Das Team beim Stadtlauf", ""),
        paid_partnership=True,
    )


def bench_check(rules: list[Rule], facts: VariantFacts, runs: int) -> dict[str, Any]:
    """Time `check` on a text that changes by one character per run, as while typing."""
    times = []
    start = time.perf_counter()
    findings = check(facts, rules)
    cold = (time.perf_counter() - start) * 1000
    for run in range(runs):
        typed = VariantFacts(
            text=facts.text[:-12] + f" Stand {run:05d}.",
            language=facts.language,
            network=facts.network,
            link=facts.link,
            image_alt_texts=facts.image_alt_texts,
            paid_partnership=facts.paid_partnership,
        )
        start = time.perf_counter()
        findings = check(typed, rules)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "cold_ms": cold,
        "median_ms": statistics.median(times),
        "p95_ms": times[min(len(times) - 1, round(0.95 * len(times)) - 1)],
        "findings": Counter(str(f.kind) for f in findings),
    }


def address_quality() -> Any:
    """Precision and recall of the Sie/du detector on the test sentences."""
    from onevoice.voice.tests.cases_address import ADDRESS_CASES, score

    return len(ADDRESS_CASES), score(ADDRESS_CASES)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=int, default=300)
    parser.add_argument("--chars", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    translation.activate("de")

    rules = build_rules(args.rules)
    facts = build_variant(args.chars)
    kinds = Counter(str(r.kind) for r in rules)
    print(f"{len(rules)} rules ({', '.join(f'{k} {n}' for k, n in kinds.most_common())})")
    print(f"variant: {len(facts.text)} characters, German, paid partnership, 2 images, a link")
    result = bench_check(rules, facts, args.runs)
    print(f"check(): first run {result['cold_ms']:.1f} ms (compiles the rules, loads the language models)")
    verdict = "ok" if result["median_ms"] <= 50 else "TOO SLOW"
    print(
        f"check(): median {result['median_ms']:.2f} ms, p95 {result['p95_ms']:.2f} ms over {args.runs} runs "
        f"(target median ≤ 50 ms: {verdict})"
    )
    print("findings of the last run: " + ", ".join(f"{k} {n}" for k, n in sorted(result["findings"].items())))

    cases, quality = address_quality()
    print(
        f"Sie/du detector on {cases} test sentences: precision {quality.precision:.3f}, recall "
        f"{quality.recall:.3f} (words: TP {quality.true_positives}, FP {quality.false_positives}, "
        f"FN {quality.false_negatives}; target ≥ 0.95 each)"
    )


if __name__ == "__main__":
    main()
