"""The inbox list with 200,000 cases, against a minimal Django view measured the same way in the same run.

    .venv/bin/python bench/bench_inbox_list.py [--cases 200000] [--requests 100]

Runs on a throw-away test database (SQLite by default, PostgreSQL when DATABASE_URL is set). Prints p50/p95
server time of the inbox page (the whole request through Django's test client: middleware, session, the
access check, the page with navigation) for the common filters — all active, mine, my department,
unassigned, overdue, by channel, by tag — as a Community Manager of one department (visibility applies) and
as the SMM, each as a ratio to the p95 of a minimal Django view (target ≤ 10×), and the number of SQL queries
of each page for an organisation with 200 cases and for the big one (target: the same number).

The speed of a shared machine drifts by a factor of two within a minute, so the requests are interleaved:
each round times the minimal view, an empty page of the app and the filter's page one after the other, and
each filter's ratio compares the p95s of the same rounds.

The data: 12 channels over 6 departments and the centre, 70 % of the cases closed, a quarter assigned,
8 tags on a fifth of the cases, one inbound message per case, SLA deadlines spread around now.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["ONEVOICE_TESTING"] = "1"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import include, path, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

BATCH = 5000


def floor_view(request: object) -> HttpResponse:
    return HttpResponse("ok")


def page_floor_view(request: Any, org: str) -> HttpResponse:
    """An empty page of the app: the same login, membership look-up and layout (navigation, bell)."""
    from onevoice.organization.access import membership_for
    from onevoice.organization.shortcuts import render_for_member

    member = membership_for(request.user, org)
    return render_for_member(request, member, "app.html", {"nav": "inbox"})


urlpatterns = [
    path("floor/", floor_view),
    path("page-floor/<slug:org>/", page_floor_view),
    path("", include("config.urls")),  # the layout links to the app's pages
]


def build(cases: int, name: str) -> dict[str, Any]:
    from onevoice.accounts.models import User
    from onevoice.inbox.models import Case, Message, Tag
    from onevoice.networks.models import Channel, Network
    from onevoice.organization import services as org_services
    from onevoice.organization.models import Membership, default_business_hours
    from onevoice.organization.roles import Role

    rng = random.Random(8)
    hint = name.split()[0].lower()
    user = User.objects.create_user(f"{hint}-smm@example.org", "Bench-Passwort-1", full_name=f"{name} SMM")
    smm = org_services.organization_create(
        creator=user,
        name=name,
        time_zone="Europe/Berlin",
        form_of_address="sie",
        model="decentral",
        business_hours=default_business_hours(),
        departments=[org_services.DepartmentProposal(f"Abteilung {i}") for i in range(6)],
    )
    org = smm.organization
    departments = list(org.departments.order_by("name"))
    cm_user = User.objects.create_user(f"{hint}-cm@example.org", "Bench-Passwort-1", full_name=f"{name} CM")
    cm = Membership.objects.create(organization=org, user=cm_user, role=Role.CM)
    cm.departments.set([departments[0]])
    others = [
        Membership.objects.create(
            organization=org,
            user=User.objects.create_user(f"{hint}-cm{i}@example.org", "x", full_name=f"CM {i}"),
            role=Role.CM,
        )
        for i in range(5)
    ]
    people = [cm, *others]
    channels = Channel.objects.bulk_create(
        [
            Channel(
                organization=org,
                network=Network.BLUESKY,
                name=f"Kanal {i}",
                department=departments[i % 6] if i < 10 else None,
            )
            for i in range(12)
        ]
    )
    tags = Tag.objects.bulk_create([Tag(organization=org, name=f"Thema {i}") for i in range(8)])
    now = timezone.now()
    statuses = ["closed"] * 7 + ["new", "open", "waiting"]
    made = 0
    while made < cases:
        size = min(BATCH, cases - made)
        rows = []
        for i in range(made, made + size):
            channel = channels[i % 12]
            at = now - timedelta(minutes=i * 3 + rng.randint(0, 2))
            status = statuses[rng.randrange(10)]
            rows.append(
                Case(
                    organization=org,
                    channel=channel,
                    thread_key=f"t{i}",
                    kind="reply",
                    subject=f"Frage Nummer {i} zur Bestellung",
                    status=status,
                    priority=rng.choice(["low", "normal", "normal", "high", "urgent"]),
                    department_id=channel.department_id,
                    assignee=people[i % 6] if i % 4 == 0 else None,
                    sentiment=rng.choice(["positive", "neutral", "negative"]),
                    first_message_at=at,
                    last_message_at=at,
                    last_inbound_at=at,
                    first_response_due=at + timedelta(hours=rng.randint(1, 48)),
                    resolution_due=at + timedelta(days=3),
                    closed_at=at + timedelta(hours=5) if status == "closed" else None,
                    message_count=1,
                )
            )
        created = Case.objects.bulk_create(rows, batch_size=1000)
        Message.objects.bulk_create(
            [
                Message(
                    case=case,
                    channel_id=case.channel_id,
                    external_id=f"m{case.thread_key}",
                    kind="reply",
                    author_id=f"did:plc:{case.thread_key}",
                    author_handle=f"person{case.thread_key}.bsky.social",
                    author_name=f"Person {case.thread_key}",
                    text=f"{case.subject}: Wann kommt meine Lieferung? " * 3,
                    created_at=case.last_message_at,
                )
                for case in created
            ],
            batch_size=1000,
        )
        through = Case.tags.through
        through.objects.bulk_create(
            [through(case_id=case.pk, tag_id=tags[j % 8].pk) for j, case in enumerate(created) if j % 5 == 0],
            batch_size=1000,
        )
        made += size
    # The tag to filter by: the one on the newest active case the CM sees, so that the page shows rows in
    # the small organisation too (an empty page runs fewer queries, which would hide a growing count).
    tagged = (
        through.objects.filter(
            case__channel__department=departments[0], case__status__in=["new", "open", "waiting"]
        )
        .order_by("-case__last_message_at")
        .values_list("tag_id", flat=True)
        .first()
    )
    tag = next((t for t in tags if t.pk == tagged), tags[0])
    return {"smm": smm, "cm": cm, "slug": org.slug, "channel": channels[0], "tag": tag}


def timed(client: Client, url: str, params: dict[str, str], n: int) -> list[float]:
    samples = []
    for _ in range(n):
        begin = time.perf_counter()
        response = client.get(url, params)
        samples.append((time.perf_counter() - begin) * 1000)
        assert response.status_code == 200, response.content[:300]
    return samples


def interleaved(
    floor_client: Client, page_url: str, client: Client, url: str, params: dict[str, str], n: int
) -> tuple[list[float], list[float], list[float]]:
    """n rounds of: the minimal view, an empty page of the app, the filter's page (after a warm-up)."""
    floor: list[float] = []
    page_floor: list[float] = []
    samples: list[float] = []
    for _ in range(3):
        floor_client.get("/floor/")
        floor_client.get(page_url)
        client.get(url, params)
    for _ in range(n):
        floor += timed(floor_client, "/floor/", {}, 1)
        page_floor += timed(floor_client, page_url, {}, 1)
        samples += timed(client, url, params, 1)
    return floor, page_floor, samples


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def filters(org: dict[str, Any]) -> list[tuple[str, dict[str, str]]]:
    return [
        ("all active", {}),
        ("mine", {"view": "mine"}),
        ("my department", {"view": "department"}),
        ("unassigned", {"view": "unassigned"}),
        ("overdue", {"view": "overdue"}),
        ("by channel", {"channel": str(org["channel"].public_id)}),
        ("by tag", {"tag": str(org["tag"].public_id)}),
    ]


def queries(client: Client, url: str, params: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as captured:
        client.get(url, params)
    return len(captured)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()

    from django.template.base import Template

    render = getattr(Template, "_render")  # noqa: B009 (restored below, after the test environment swaps it)
    setup_test_environment()
    # The test environment records every rendered template and a copy of its context for assertions; a
    # server does not, and for a page with many small templates that bookkeeping costs more than the page.
    setattr(Template, "_render", render)  # noqa: B010
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        begin = time.perf_counter()
        big = build(args.cases, "Gross GmbH")
        small = build(200, "Klein GmbH")
        if connection.vendor == "postgresql":
            # What autovacuum does after a bulk load in production: statistics, and pages marked all-visible
            # (which lets the list walk its index without reading each case's row).
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        print(f"{args.cases} cases built in {time.perf_counter() - begin:.0f} s on {connection.vendor}")
        # What config/wsgi.py does once the app is loaded: what lives as long as the process is moved out
        # of the garbage collector's reach, so a full collection no longer walks it in the middle of a page.
        gc.collect()
        gc.freeze()

        clients = {}
        for who in ("cm", "smm"):
            for org in (big, small):
                client = Client()
                client.force_login(org[who].user)
                clients[(who, org["slug"])] = client

        floor_client = clients[("cm", big["slug"])]
        page_url = f"/page-floor/{big['slug']}/"
        print(
            f"{'':24}{'p50 ms':>8}{'p95 ms':>8}{'floor p95':>10}{'p95 ratio':>11}{'vs page':>9}{'queries 200 / big':>19}"
        )
        worst = worst_page = 0.0
        # The app's URLs with the two floor views added, for the whole run: switching the URL configuration
        # between requests would empty the URL caches the app's pages rely on.
        urls = override_settings(ROOT_URLCONF=__name__)
        urls.enable()
        for who in ("cm", "smm"):
            for label, params in filters(big):
                url = reverse("inbox:cases", args=[big["slug"]])
                client = clients[(who, big["slug"])]
                floor, page_floor, samples = interleaved(
                    floor_client, page_url, client, url, params, args.requests
                )
                ratio = p95(samples) / p95(floor)
                page_ratio = p95(samples) / p95(page_floor)
                worst = max(worst, ratio)
                worst_page = max(worst_page, page_ratio)
                small_params = dict(params)
                for key, obj in (("channel", small["channel"]), ("tag", small["tag"])):
                    if key in small_params:
                        small_params[key] = str(obj.public_id)
                few = queries(
                    clients[(who, small["slug"])], reverse("inbox:cases", args=[small["slug"]]), small_params
                )
                many = queries(client, url, params)
                print(
                    f"{who + ': ' + label:24}{statistics.median(samples):8.2f}{p95(samples):8.2f}"
                    f"{p95(floor):10.2f}{ratio:10.1f}×{page_ratio:8.1f}×{few:>9} / {many}"
                )
        urls.disable()
        verdict = "OK" if worst <= 10 else "over the target"
        print(f"worst p95 ratio to the minimal view: {worst:.1f}× (target ≤ 10×: {verdict})")
        print(f"worst p95 ratio to an empty page of the app: {worst_page:.1f}×")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
