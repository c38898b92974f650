"""The calendar's data endpoint for a month with 3,000 posts / 6,000 variants over 40 channels, against a
minimal Django JSON view measured the same way in the same run.

    .venv/bin/python bench/bench_calendar.py [--posts 3000] [--requests 30]

Runs on a throw-away test database (SQLite by default, PostgreSQL when DATABASE_URL is set). Prints p50/p95
time of both views through Django's test client (the whole request: middleware, session, view, JSON), their
ratio (target ≤ 10×) and the number of SQL queries of the calendar endpoint for an organisation with a tenth
of the posts and for the big one (target: the same number).

Two cases: the plan unchanged between requests (the month opened again and again: the endpoint serves the
answer it kept, after checking the plan's fingerprint), and a post edited before every request (the answer
is built anew: the worst case, one edit per view).
"""

from __future__ import annotations

import argparse
import os
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
from django.http import JsonResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import path, reverse  # noqa: E402

BERLIN = ZoneInfo("Europe/Berlin")


def floor_view(request: object) -> JsonResponse:
    return JsonResponse({"ok": True})


urlpatterns = [path("floor/", floor_view)]


def build(posts: int, name: str = "Bench GmbH") -> tuple[Any, str]:
    from onevoice.accounts.models import User
    from onevoice.networks.models import Channel, Network
    from onevoice.organization import services as org_services
    from onevoice.organization.models import default_business_hours
    from onevoice.planning.models import Post, PostVariant

    slug_hint = name.split()[0].lower()
    user = User.objects.create_user(f"{slug_hint}@example.org", "Bench-Passwort-1", full_name=name)
    admin = org_services.organization_create(
        creator=user,
        name=name,
        time_zone="Europe/Berlin",
        form_of_address="sie",
        model="central",
        business_hours=default_business_hours(),
        departments=[org_services.DepartmentProposal(f"Abteilung {i}") for i in range(8)],
    )
    org = admin.organization
    departments = list(org.departments.all())
    channels = Channel.objects.bulk_create(
        [Channel(organization=org, network=Network.NEWSROOM, name=f"Kanal {i}") for i in range(40)]
    )
    start = datetime(2027, 3, 1, 8, 0, tzinfo=BERLIN)
    rows = Post.objects.bulk_create(
        [
            Post(
                organization=org,
                department=departments[i % 8],
                owner=admin,
                title=f"Beitrag {i}",
                base_text="Text",
                publish_at=start + timedelta(minutes=(i * 13) % (30 * 24 * 60)),
            )
            for i in range(posts)
        ]
    )
    PostVariant.objects.bulk_create(
        [
            PostVariant(post=post, channel=channels[(i + k) % 40], text="Text")
            for i, post in enumerate(rows)
            for k in (0, 1)
        ]
    )
    return user, org.slug


def edit_a_post(slug: str) -> Callable[[], None]:
    """A change of one post's title, written as a bare update (no service, no version, no updated_at)."""
    from onevoice.planning.models import Post

    ids = list(Post.objects.filter(organization__slug=slug).values_list("pk", flat=True)[:50])
    count = iter(range(10**9))

    def edit() -> None:
        n = next(count)
        Post.objects.filter(pk=ids[n % len(ids)]).update(title=f"Beitrag, geändert {n}")

    return edit


def timed(
    client: Client, url: str, params: dict[str, str], n: int, before_each: Callable[[], None] | None = None
) -> list[float]:
    samples = []
    for _ in range(n):
        if before_each is not None:
            before_each()
        begin = time.perf_counter()
        response = client.get(url, params)
        samples.append((time.perf_counter() - begin) * 1000)
        assert response.status_code == 200, response.content[:300]
    return samples


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def queries_for(client: Client, url: str, params: dict[str, str]) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        events = client.get(url, params).json()
    return len(events), len(captured)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=3000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        user, slug = build(args.posts)
        small_user, small_slug = build(args.posts // 10, name="Klein GmbH")
        if connection.vendor == "postgresql":  # statistics, as autovacuum gathers them after a bulk insert
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        client = Client()
        client.force_login(user)
        url = reverse("planning:calendar-events", args=[slug])
        month = {"start": "2027-03-01T00:00:00", "end": "2027-04-01T00:00:00"}
        events = client.get(url, month).json()
        print(
            f"{len(events)} posts in the month, {args.posts * 2} variants, 40 channels, {connection.vendor}"
        )

        with override_settings(ROOT_URLCONF=__name__):
            timed(client, "/floor/", {}, 5)  # warm up
            floor = timed(client, "/floor/", {}, args.requests)
        timed(client, url, month, 3)
        ours = timed(client, url, month, args.requests)
        edited = timed(client, url, month, args.requests, before_each=edit_a_post(slug))
        print("slowest calendar requests (ms):", [round(x, 1) for x in sorted(ours)[-6:]])
        print(f"{'':36}{'p50 ms':>10}{'p95 ms':>10}{'p95 ratio':>11}")
        print(f"{'minimal JSON view':36}{statistics.median(floor):10.2f}{p95(floor):10.2f}")
        for label, samples in (
            ("calendar endpoint, plan unchanged", ours),
            ("calendar endpoint, edit before each", edited),
        ):
            ratio = p95(samples) / p95(floor)
            print(f"{label:36}{statistics.median(samples):10.2f}{p95(samples):10.2f}{ratio:10.1f}×")
        ratio = p95(ours) / p95(floor)
        verdict = "OK" if ratio <= 10 else "over the target"
        print(f"ratio p95 calendar/floor: {ratio:.1f}× (target ≤ 10×: {verdict})")
        print(f"ratio p50 calendar/floor: {statistics.median(ours) / statistics.median(floor):.1f}×")
        print(f"ratio p95 with an edit before each request: {p95(edited) / p95(floor):.1f}×")

        small = Client()
        small.force_login(small_user)
        small_url = reverse("planning:calendar-events", args=[small_slug])
        small.get(small_url, month)  # settle the session like the big one
        few, few_queries = queries_for(small, small_url, month)
        many, many_queries = queries_for(client, url, month)
        print(f"SQL queries, plan unchanged: {few_queries} for {few} posts, {many_queries} for {many} posts")
        edit_a_post(small_slug)()
        few, few_queries = queries_for(small, small_url, month)
        edit_a_post(slug)()
        many, many_queries = queries_for(client, url, month)
        print(f"SQL queries, after an edit:  {few_queries} for {few} posts, {many_queries} for {many} posts")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
