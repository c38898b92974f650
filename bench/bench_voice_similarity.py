"""The cross-department similarity search (voice/similarity.py) over 5,000 planned and published posts of
one organisation with 8 departments, realistic German texts and two variants per post.

    .venv/bin/python bench/bench_voice_similarity.py [--posts 5000] [--queries 200]

Runs on a throw-away test database (SQLite by default, PostgreSQL when DATABASE_URL is set). Prints the
first query of the organisation in a process (it fits the vectoriser), then p50/p95 of `similar_posts`:
warm for a stored post and for a 2,000-character text being typed, the first search of a post (its new
candidates are read once), the first search after another department edited a post, and the number of SQL
queries. Then the issue's figure (target: median ≤ 50 ms): per keystroke, the voice check of
bench/bench_voice_check.py (300 rules, a 2,000-character variant, its `build_rules` and `build_variant`)
followed by the similarity search for the same text, each and together.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["ONEVOICE_TESTING"] = "1"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import translation  # noqa: E402

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2027, 1, 4, 8, 0, tzinfo=BERLIN)  # a year of plan from here

CITIES = ["Hamburg", "Bielefeld", "Köln", "Leipzig", "München", "Stuttgart", "Dresden", "Münster", "Kassel"]
PRODUCTS = [
    "Kaffeevollautomat X200",
    "Akkuschrauber Pro 18",
    "Wärmepumpe Eco 9",
    "Lastenrad Urban",
    "Solarspeicher S5",
]
EVENTS = [
    "Hannover Messe",
    "IFA",
    "Tag der offenen Tür",
    "Sommerfest",
    "Hackathon",
    "Girls' Day",
    "Karrieremesse",
]
JOBS = ["Buchhalterin (m/w/d)", "Elektroniker für Betriebstechnik (m/w/d)", "Softwareentwickler (m/w/d)"]
PEOPLE = ["Anna Schulz", "Mehmet Yilmaz", "Julia Becker", "Lukas Wagner", "Sophie Hoffmann", "Jonas Richter"]
DAYS = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag"]

# (topic, title, text): one story each; the fillers make thousands of different posts out of them.
STORIES = [
    (
        "Ausbildung",
        "Ausbildungsstart {year} in {city}",
        "Am 1. September beginnen {n} junge Menschen ihre Ausbildung bei uns in {city}. Wir freuen uns auf die "
        "neuen Azubis und wünschen einen guten Start! Die Ausbildung dauert drei Jahre, begleitet von "
        "erfahrenen Ausbilderinnen und Ausbildern.",
    ),
    (
        "Produkte",
        "{product} jetzt erhältlich",
        "Ab sofort ist unser {product} im Handel erhältlich. Er ist leiser, sparsamer und leichter zu bedienen "
        "als sein Vorgänger. Alle Details und Händler in Ihrer Nähe finden Sie auf unserer Website.",
    ),
    (
        "Karriere",
        "Wir suchen: {job}",
        "Für unser Team in {city} suchen wir ab sofort eine {job}. Sie erwartet ein moderner Arbeitsplatz, "
        "flexible Arbeitszeiten und ein kollegiales Umfeld. Bewerbungen bitte bis Ende des Monats über unser "
        "Karriereportal.",
    ),
    (
        "Veranstaltungen",
        "Rückblick: {event}",
        "Was für ein Tag auf der {event}! Viele gute Gespräche, spannende Kontakte und neue Ideen. Danke an "
        "alle, die an unserem Stand in {city} vorbeigeschaut haben. Wir sehen uns im nächsten Jahr wieder.",
    ),
    (
        "Veranstaltungen",
        "Einladung: {event} in {city}",
        "Am Samstag laden wir herzlich zur {event} in {city} ein: Führungen durch das Werk, ein Programm für "
        "Kinder und Gespräche mit unseren Fachleuten. Der Eintritt ist frei, eine Anmeldung ist nicht nötig.",
    ),
    (
        "Unternehmen",
        "Quartalszahlen Q{q}/{year}",
        "Im {q}. Quartal ist unser Umsatz um {n} Prozent gestiegen. Besonders gefragt waren Produkte für das "
        "energieeffiziente Zuhause. Die Prognose für das Gesamtjahr bestätigen wir. Mehr im Geschäftsbericht.",
    ),
    (
        "Nachhaltigkeit",
        "{n} Prozent weniger CO2",
        "Seit {year} haben wir den CO2-Ausstoß unserer Standorte um {n} Prozent gesenkt. Photovoltaik auf den "
        "Hallendächern in {city} und ein neuer Fuhrpark mit E-Autos haben dazu beigetragen. Unser Ziel: "
        "klimaneutral bis 2035.",
    ),
    (
        "Menschen",
        "Gesichter von Muster: {person}",
        "{person} arbeitet seit {n} Jahren an unserem Standort in {city}. Im Interview erzählt sie, was ihr an "
        "der Arbeit gefällt, wie sich das Team verändert hat und welche Tipps sie für Berufseinsteiger hat.",
    ),
    (
        "Service",
        "Servicehinweis: Hotline am {day}",
        "Am {day} ist unsere Service-Hotline wegen Wartungsarbeiten nur eingeschränkt erreichbar. Schreiben "
        "Sie uns gern per E-Mail oder nutzen Sie das Kontaktformular, wir antworten so schnell wie möglich.",
    ),
    (
        "Engagement",
        "Spendenaktion für {city}",
        "Gemeinsam mit unseren Mitarbeitenden haben wir {n}.000 Euro für die Tafel in {city} gesammelt. Danke "
        "an alle, die mitgemacht haben! Im Frühjahr geht die Aktion in die nächste Runde.",
    ),
]
# Sentences any department might add, so no two posts are the same.
EXTRAS = [
    "Wir danken allen Beteiligten für ihren Einsatz.",
    "Fragen beantwortet unser Team gern per E-Mail.",
    "Mehr dazu lesen Sie in unserem Blog.",
    "Das Projekt läuft seit dem Frühjahr und wird von der Stadt {city} unterstützt.",
    "Fotos von {person} und dem Team gibt es in unserer Galerie.",
    "Die Termine für das nächste Quartal stehen bereits fest.",
    "Wir freuen uns auf Ihre Meinung in den Kommentaren.",
    "Unsere Kolleginnen und Kollegen in {city} haben das vorbereitet.",
    "Der Erlös geht an gemeinnützige Vereine in der Region.",
    "Bitte beachten Sie die geänderten Öffnungszeiten am {day}.",
    "Barrierefreie Zugänge sind vorhanden, Parkplätze ebenfalls.",
    "Die Anmeldung ist bis {day} möglich.",
    "Ein Dankeschön geht an unsere Partner aus Handwerk und Industrie.",
    "Die Ergebnisse stellen wir im Herbst auf der {event} vor.",
    "Seit {n} Jahren setzen wir auf Qualität aus Deutschland.",
]
LINKEDIN_TAIL = (
    "\n\nWas meinen Sie dazu? Schreiben Sie es uns in die Kommentare. #MusterGmbH #Mittelstand #Zukunft"
)
SHORT_TAIL = " Mehr auf unserer Website. #MusterGmbH"


def story(rng: random.Random) -> tuple[str, str, str, str, str]:
    """(topic, title, base text, LinkedIn text, short text) of one generated post."""
    topic, title, text = rng.choice(STORIES)
    fill = {
        "year": rng.choice([2026, 2027]),
        "city": rng.choice(CITIES),
        "n": rng.randint(3, 40),
        "product": rng.choice(PRODUCTS),
        "job": rng.choice(JOBS),
        "event": rng.choice(EVENTS),
        "q": rng.randint(1, 4),
        "person": rng.choice(PEOPLE),
        "day": rng.choice(DAYS),
    }
    base = " ".join([text.format(**fill), *(s.format(**fill) for s in rng.sample(EXTRAS, 2))])
    linkedin = " ".join([base, *(s.format(**fill) for s in rng.sample(EXTRAS, 3))]) + LINKEDIN_TAIL
    return topic, title.format(**fill), base, linkedin, base[:400] + SHORT_TAIL


def long_variant(rng: random.Random, chars: int = 2000) -> str:
    """A 2,000-character LinkedIn text about a training start (the text being typed in the composer)."""
    parts: list[str] = []
    while sum(len(p) + 1 for p in parts) < chars:
        parts.append(story(rng)[3] if parts else STORIES[0][2].format(n=24, city="Bielefeld"))
    return " ".join(parts)[:chars]


def build(posts: int, rng: random.Random) -> tuple[Any, list[Any]]:
    from onevoice.accounts.models import User
    from onevoice.networks.models import Channel, Network
    from onevoice.organization import services as org_services
    from onevoice.organization.models import default_business_hours
    from onevoice.planning.models import Campaign, Post, PostVariant, Topic

    user = User.objects.create_user("bench@example.org", "Bench-Passwort-1", full_name="Bench")
    admin = org_services.organization_create(
        creator=user,
        name="Bench GmbH",
        time_zone="Europe/Berlin",
        form_of_address="sie",
        model="decentral",
        business_hours=default_business_hours(),
        departments=[org_services.DepartmentProposal(f"Abteilung {i}") for i in range(8)],
    )
    org = admin.organization
    departments = list(org.departments.all())
    channels = Channel.objects.bulk_create(
        [Channel(organization=org, network=Network.NEWSROOM, name=f"Kanal {i}") for i in range(8)]
    )
    topics = {
        name: Topic.objects.create(organization=org, name=name)
        for name in dict.fromkeys(s[0] for s in STORIES)
    }
    campaigns = [
        Campaign.objects.create(
            organization=org,
            name=f"Kampagne {i}",
            starts_on=(START + timedelta(days=30 * i)).date(),
            ends_on=(START + timedelta(days=30 * i + 20)).date(),
        )
        for i in range(12)
    ]
    middle = START + timedelta(days=182)
    rows: list[Post] = []
    texts: list[tuple[str, str]] = []
    for i in range(posts):
        topic, title, base, linkedin, short = story(rng)
        when = START + timedelta(minutes=rng.randrange(365 * 24 * 60))
        rows.append(
            Post(
                organization=org,
                department=departments[i % 8],
                owner=admin,
                title=title,
                base_text=base,
                topic=topics[topic] if rng.random() < 0.6 else None,
                campaign=rng.choice(campaigns) if rng.random() < 0.2 else None,
                publish_at=when,
                status=Post.Status.PUBLISHED if when < middle else Post.Status.SCHEDULED,
            )
        )
        texts.append((linkedin, short))
    rows = Post.objects.bulk_create(rows)
    PostVariant.objects.bulk_create(
        [
            PostVariant(post=post, channel=channels[(i + k) % 8], text=text)
            for i, (post, pair) in enumerate(zip(rows, texts, strict=True))
            for k, text in enumerate(pair)
        ]
    )
    # Query posts: around the middle of the year, loaded as the post page loads them.
    around = [p.pk for p in rows if abs((p.publish_at - middle).days) < 60]  # type: ignore[operator]
    chosen = rng.sample(around, 50)
    queries = list(
        Post.objects.select_related("organization", "department", "topic", "campaign").filter(pk__in=chosen)
    )
    return org, queries


def timed(call: Callable[[], object], n: int) -> list[float]:
    samples = []
    for _ in range(n):
        begin = time.perf_counter()
        call()
        samples.append((time.perf_counter() - begin) * 1000)
    return samples


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def line(label: str, samples: list[float]) -> None:
    print(f"{label:46}{statistics.median(samples):10.2f}{p95(samples):10.2f}")


def voice_check_bench() -> Any:
    """bench/bench_voice_check.py as a module (its `build_rules` and `build_variant`), or None if absent."""
    path = REPO_ROOT / "bench" / "bench_voice_check.py"
    spec = importlib.util.spec_from_file_location("bench_voice_check", path) if path.exists() else None
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not (
        callable(getattr(module, "build_rules", None)) and callable(getattr(module, "build_variant", None))
    ):
        return None
    return module


def combined(query: Any, runs: int) -> tuple[list[float], list[float], list[float]] | None:
    """The issue's figure: one 2,000-character variant checked against 300 rules, then the similarity
    search for it, one keystroke apart per run (as bench_voice_check.py does, so per-text caches miss)."""
    module = voice_check_bench()
    if module is None:
        return None
    from onevoice.voice import similarity
    from onevoice.voice.checker import check

    rules = module.build_rules(300)
    facts = module.build_variant(2000)
    check(facts, rules)  # compiles the rules, loads the language models: once per process
    checks, searches, totals = [], [], []
    for run in range(runs):
        typed = dataclasses.replace(facts, text=facts.text[:-12] + f" Stand {run:05d}.")
        begin = time.perf_counter()
        check(typed, rules)
        middle = time.perf_counter()
        similarity.similar_posts(query, text=typed.text)
        end = time.perf_counter()
        checks.append((middle - begin) * 1000)
        searches.append((end - middle) * 1000)
        totals.append((end - begin) * 1000)
    return checks, searches, totals


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()

    from onevoice.planning.models import Post
    from onevoice.voice import similarity

    rng = random.Random(7)
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        org, queries = build(args.posts, rng)
        print(f"{args.posts} posts, {args.posts * 2} variants, 8 departments, {connection.vendor}")
        load = os.getloadavg()[0]
        print(
            f"load average {load:.1f} on {os.cpu_count()} CPUs (figures grow with it: run on a quiet machine)"
        )

        begin = time.perf_counter()
        import sklearn.feature_extraction.text  # noqa: F401  (the first fit in a process imports it)

        print(f"importing scikit-learn (once per process): {(time.perf_counter() - begin) * 1000:.0f} ms")
        similarity.clear_cache()
        begin = time.perf_counter()
        similarity.similar_posts(queries[0])
        fit_ms = (time.perf_counter() - begin) * 1000
        model = similarity._cached(org.public_id)
        assert model is not None
        megabytes = model.nbytes / 1e6
        print(f"one-off fit (first query of the organisation): {fit_ms:.0f} ms, vectors {megabytes:.1f} MB")

        cycle = iter(queries * (args.queries // len(queries) + 1))
        found: list[int] = []

        def stored() -> None:
            found.append(len(similarity.similar_posts(next(cycle))))

        cold = timed(stored, len(queries))  # the first query of each post reads its new candidates once
        ours = timed(stored, args.queries)
        typed = long_variant(rng)
        query = queries[1]

        def typing() -> None:
            similarity.similar_posts(query, text=typed)

        live = timed(typing, args.queries)
        print(f"candidates per query (±7 days, other departments): about {args.posts * 14 * 7 // (365 * 8)}")
        print(f"similar posts found per query: median {statistics.median(found):.0f}, max {max(found)}")

        edits = []
        for post in queries[2:22]:
            assert post.publish_at is not None
            neighbour = (
                Post.objects.filter(
                    organization=org, publish_at__range=(post.publish_at - timedelta(days=3), post.publish_at)
                )
                .exclude(department=post.department)
                .first()
            )
            assert neighbour is not None
            neighbour.base_text += " Aktualisiert."
            neighbour.save(update_fields=["base_text", "updated_at"])
            begin = time.perf_counter()
            similarity.similar_posts(post)
            edits.append((time.perf_counter() - begin) * 1000)

        with CaptureQueriesContext(connection) as captured:
            similarity.similar_posts(queries[3])

        print(f"{'':46}{'p50 ms':>10}{'p95 ms':>10}")
        line("similar_posts, a stored post (warm)", ours)
        line("similar_posts, 2,000 characters being typed", live)
        line("first search of a post (new candidates read)", cold)
        line("first search after a neighbour was edited", edits)
        print(f"SQL queries per search (warm): {len(captured)}; vectors now {model.nbytes / 1e6:.1f} MB")

        with translation.override("de"):
            figures = combined(query, args.queries)
        if figures is None:
            print(
                "bench/bench_voice_check.py not found (or without build_rules/build_variant): no combined figure"
            )
            return
        checks, searches, totals = figures
        print(
            "the issue's figure, per keystroke (bench_voice_check.py's 300 rules and 2,000-character variant):"
        )
        line("voice check", checks)
        line("similarity search for the same text", searches)
        line("both together", totals)
        verdict = "OK" if statistics.median(totals) <= 50 else "over the target"
        print(f"target median ≤ 50 ms: {verdict}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
