"""Inbox ingestion throughput vs. a plain bulk insert of the same Message rows, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_ingest .venv/bin/python bench/bench_inbox_ingest.py \\
        [--messages 50000] [--redeliveries 0.10] [--rules 100] [--batch 500]

Runs on a throw-away test database (SQLite by default, PostgreSQL when DATABASE_URL is set). The organisation
has `--rules` routing rules (keywords, languages, sentiments, authors, channels) and SLA policies; the items
are replies to 200 of our posts (each of 8,000 authors writes under two of them, so threads have several
messages) and mentions (20 %, each its own case), German text of varied length, delivered in
pages of `--batch` like a poll of the network would, with `--redeliveries` of them delivered a second time
in a later page (stored once).

The pages go through `ingest_pages`, the function the worker's poll (`ingest_channel`) stores a delivery
with: page after page, each in its own transaction, `ingest_items` finds or creates contacts, groups into
cases, routes and dates new cases, inserts messages and updates the cases, while a background thread
triages the next page (`classify_many`), so triage of the next page overlaps the storing of the current one,
as in the worker. The bench is a backlog of consecutive pages; the worker splits one poll's delivery into
pages of `INGEST_PAGE` items (500; Bluesky delivers up to 1,000 per poll, Mastodon 200), so there the first
page of each delivery is triaged without overlap (a delivery of one page is stored exactly as before).

The floor: `Message.objects.bulk_create` of the same rows (same texts and fields, pre-built objects, one
case), in the same page size, one transaction per page — measured before and after the ingestion, the mean
taken. Printed: messages stored per second for both and their ratio (target ≥ 0.25), and the same pages
ingested once more on a fresh channel with `classify` stubbed, to show the ingestion machinery without the
triage model (which is warmed up before any timing: it loads once per process).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

settings.DEBUG = False  # as in production: no query log in either measurement

from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from onevoice.accounts.models import User  # noqa: E402
from onevoice.inbox import ingest as ingest_module  # noqa: E402
from onevoice.inbox.ingest import ingest_pages  # noqa: E402
from onevoice.inbox.models import Case, Message, Priority, RoutingRule, Sentiment, SlaPolicy, Tag  # noqa: E402
from onevoice.inbox.triage import Signals, classify  # noqa: E402
from onevoice.networks.connectors.base import InboundItem, InboundKind  # noqa: E402
from onevoice.networks.models import Channel  # noqa: E402
from onevoice.organization import services as org_services  # noqa: E402
from onevoice.organization.models import default_business_hours  # noqa: E402

START = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)
OPENERS = [
    "Wo bleibt meine Lieferung",
    "Danke für den tollen Beitrag",
    "Ich habe eine Frage zur Rechnung",
    "Das Gerät ist schon wieder kaputt",
    "Gibt es das auch in Grau",
    "Super Service, gerne wieder",
    "Warum antwortet niemand auf meine E-Mail",
    "Wann startet die Ausbildung",
    "Ist der Standort barrierefrei",
    "Das ist eine Frechheit",
    "Könnt ihr nach Österreich liefern",
    "Wie lange gilt die Garantie",
]
WORDS = [
    "heute",
    "morgen",
    "Paket",
    "Bestellung",
    "Kundenservice",
    "Termin",
    "Filiale",
    "Angebot",
    "Preis",
    "Qualität",
    "Versand",
    "Rückerstattung",
    "Nachhaltigkeit",
    "Messe",
    "Stand",
    "Halle",
    "Serie",
    "Modell",
    "Farbe",
    "Zubehör",
    "Händler",
    "Team",
    "schnell",
    "langsam",
    "leider",
    "bitte",
    "wirklich",
    "gut",
    "schlecht",
    "ärgerlich",
    "freundlich",
    "Woche",
    "Monat",
    "Tage",
    "Stunden",
    "endlich",
    "nochmal",
]
KEYWORDS = [
    "Rechnung",
    "Anwalt",
    "Abmahnung",
    "Datenschutz",
    "Bewerbung",
    "Ausbildung",
    "Praktikum",
    "Lieferung",
    "Paket",
    "Sendung",
    "Retoure",
    "Reklamation",
    "Garantie",
    "Händler",
    "Angebot",
    "Preis",
    "Messe",
    "Greenwashing",
    "Kündigung",
    "Storno",
    "Gutschein",
    "Rabatt",
    "Filiale",
    "Termin",
    "Zubehör",
    "Ersatzteil",
    "Firmware",
    "Update",
    "Störung",
    "Ausfall",
]


def text_for(rng: random.Random, n: int) -> str:
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 40)))
    return f"{rng.choice(OPENERS)}? {words}. Bestellung {100000 + n}"


def items_for(rng: random.Random, count: int, redeliveries: float, batch: int) -> list[list[InboundItem]]:
    """Pages of items; a share of them delivered again in a later page."""
    unique = round(count / (1 + redeliveries)) if redeliveries else count
    roots = [f"at://did:plc:muster/app.bsky.feed.post/p{r}" for r in range(200)]
    items = []
    # People come back to their threads: each author answers under two of our posts (and mentions us).
    threads = {author: rng.sample(roots, 2) for author in range(8000)}
    for n in range(unique):
        author = rng.randrange(8000)
        mention = rng.random() < 0.2
        external_id = f"at://did:plc:a{author}/app.bsky.feed.post/m{n}"
        root = "" if mention else rng.choice(threads[author])
        items.append(
            InboundItem(
                external_id=external_id,
                kind=InboundKind.MENTION if mention else InboundKind.REPLY,
                author_id=f"did:plc:a{author}",
                author_handle=f"person{author}.bsky.social",
                author_name=f"Person {author}",
                text=text_for(rng, n),
                created_at=START + timedelta(seconds=30 * n),
                in_reply_to=root,
                thread_root=root or external_id,
                language="de",
            )
        )
    pages = [items[i : i + batch] for i in range(0, len(items), batch)]
    for _ in range(count - unique):  # re-deliver an earlier item in a later page
        page = rng.randrange(1, len(pages))
        pages[page].append(rng.choice(pages[rng.randrange(page)]))
    return pages


def rules_for(rng: random.Random, organization_id: int, channels: list[Channel], count: int) -> None:
    departments = list(Channel.objects.get(pk=channels[0].pk).organization.departments.all())
    tags = [Tag.objects.create(organization_id=organization_id, name=f"Tag {n}") for n in range(10)]
    for n in range(count):
        kind = n % 5
        rule = RoutingRule(organization_id=organization_id, name=f"Regel {n}", position=n, stop=n % 3 == 0)
        rule.keywords = "\n".join(rng.sample(KEYWORDS, 3)) + ("\nnicht angekommen" if n % 7 == 0 else "")
        if kind == 1:
            rule.language = "en"
        elif kind == 2:
            rule.sentiment = Sentiment.NEGATIVE
        elif kind == 3:
            rule.authors = "\n".join(f"person{rng.randrange(8000)}.bsky.social" for _ in range(5))
        elif kind == 4:
            rule.channel = channels[n % len(channels)]
        rule.assign_department = departments[n % len(departments)]
        rule.set_priority = [Priority.HIGH, Priority.URGENT, ""][n % 3]
        rule.save()
        rule.add_tags.add(tags[n % len(tags)])


def floor(channel: Channel, pages: list[list[InboundItem]]) -> float:
    """Bulk insert of the same rows, pre-built, into one case; returns seconds."""
    case = Case.objects.create(
        organization_id=channel.organization_id,
        channel=channel,
        thread_key=f"floor-{time.monotonic_ns()}",
        kind="reply",
        first_message_at=START,
        last_message_at=START,
    )
    seen: set[str] = set()
    rows: list[list[Message]] = []
    for page in pages:
        built = []
        for item in page:
            if item.external_id in seen:
                continue
            seen.add(item.external_id)
            built.append(
                Message(
                    case=case,
                    channel=channel,
                    external_id=item.external_id,
                    kind=str(item.kind),
                    author_id=item.author_id,
                    author_handle=item.author_handle,
                    author_name=item.author_name,
                    text=item.text,
                    in_reply_to=item.in_reply_to,
                    thread_root=item.thread_root,
                    created_at=item.created_at,
                    language="de",
                    sentiment="neutral",
                    triage={"sentiment_score": 0.0},
                )
            )
        rows.append(built)
    started = time.perf_counter()
    for built in rows:
        with transaction.atomic():
            Message.objects.bulk_create(built)
    return time.perf_counter() - started


def ingest(channel: Channel, pages: list[list[InboundItem]]) -> tuple[float, int, int, int]:
    started = time.perf_counter()
    report = ingest_pages(channel, pages)
    return time.perf_counter() - started, report.new_messages, report.duplicates, report.new_cases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--redeliveries", type=float, default=0.10)
    parser.add_argument("--rules", type=int, default=100)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        admin = org_services.organization_create(
            creator=User.objects.create_user("bench@muster.example", "x-Bench-2026", full_name="Bench"),
            name="Bench GmbH",
            time_zone="Europe/Berlin",
            form_of_address="sie",
            model="decentral",
            business_hours=default_business_hours(),
            departments=[org_services.DepartmentProposal(n) for n in ("Marketing", "Personal", "Vertrieb")],
        )
        org = admin.organization
        channel = Channel.objects.create(organization=org, network="bluesky", name="Bluesky")
        other = Channel.objects.create(organization=org, network="mastodon", name="Mastodon")
        floor_channels = [
            Channel.objects.create(organization=org, network="bluesky", name=f"Floor {n}") for n in range(2)
        ]
        rules_for(rng, org.pk, [channel, other], args.rules)
        SlaPolicy.objects.create(
            organization=org, name="Standard", first_response_minutes=240, resolution_minutes=1440
        )
        SlaPolicy.objects.create(
            organization=org,
            name="Dringend",
            priority=Priority.URGENT,
            first_response_minutes=30,
            resolution_minutes=240,
        )
        pages = items_for(rng, args.messages, args.redeliveries, args.batch)
        delivered = sum(len(p) for p in pages)
        unique = len({i.external_id for p in pages for i in p})

        classify("Warm-up: das Modell der Triage wird einmal je Prozess geladen.", language_hint="de")
        floor_before = floor(floor_channels[0], pages)
        ingest_seconds, stored, duplicates, cases = ingest(channel, pages)
        floor_after = floor(floor_channels[1], pages)
        # The same pages again on a fresh channel, with triage answered by a stub: the machinery alone.
        plain = Channel.objects.create(organization=org, network="bluesky", name="Ohne Triage")
        fixed = Signals(language="de", sentiment="neutral", offensive=False)
        original, original_many = ingest_module.classify, ingest_module.classify_many

        def stub(text: str, *, language_hint: str = "") -> Signals:
            return fixed

        def stub_many(texts: Sequence[str], language_hints: Sequence[str] | None = None) -> list[Signals]:
            return [fixed] * len(texts)

        ingest_module.classify, ingest_module.classify_many = stub, stub_many
        try:
            plain_seconds, *_rest = ingest(plain, pages)
        finally:
            ingest_module.classify, ingest_module.classify_many = original, original_many

        assert stored == unique == Message.objects.filter(channel=channel).count(), (stored, unique)
        floor_seconds = (floor_before + floor_after) / 2
        ingest_rate, floor_rate = stored / ingest_seconds, unique / floor_seconds
        plain_rate = unique / plain_seconds
        print(
            f"database: {connection.vendor}; {delivered} items delivered in pages of {args.batch}, "
            f"{delivered - unique} re-deliveries, {args.rules} routing rules"
        )
        print(
            f"ingested: {stored} messages, {duplicates} duplicates dropped, {cases} cases in {ingest_seconds:.1f} s "
            f"→ {ingest_rate:,.0f} messages/s"
        )
        print(f"ingested with triage stubbed: {plain_seconds:.1f} s → {plain_rate:,.0f} messages/s")
        print(
            f"floor (bulk insert of the same rows): {floor_before:.1f} s / {floor_after:.1f} s "
            f"→ {floor_rate:,.0f} messages/s"
        )
        print(f"ratio ingestion / floor: {ingest_rate / floor_rate:.2f} (target ≥ 0.25)")
        print(f"ratio ingestion without triage / floor: {plain_rate / floor_rate:.2f}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
