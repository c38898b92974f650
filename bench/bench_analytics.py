"""The analytics overview over 90 days (and a year) of rollups for a large organisation, against floors.

    .venv/bin/python bench/bench_analytics.py [--channels 100] [--posts 20000] [--requests 20]

Runs on a throw-away test database (SQLite by default, PostgreSQL when DATABASE_URL is set). Builds one
large organisation (100 channels in 6 departments, 20,000 tracked posts over a year with their daily gains
for their first two weeks, a year of daily channel figures with followers) and a small one (2 channels,
50 posts). Prints p50/p95 server time of the overview dashboard (the whole request through Django's test
client) for the last 90 days and for the last year, as ratios to the p95 of
  - a minimal Django view,
  - an empty page of the app (login, membership, navigation),
  - a hand-written SQL aggregate of the headline figures (interactions, posts, followers per day),
and the number of SQL queries of the page for the small and the large organisation (target: the same).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from datetime import time as clock
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
from django.http import HttpResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import include, path  # noqa: E402
from django.utils import timezone  # noqa: E402

BATCH = 5000
BERLIN = ZoneInfo("Europe/Berlin")


def floor_view(request: object) -> HttpResponse:
    return HttpResponse("ok")


def page_floor_view(request: Any, org: str) -> HttpResponse:
    """An empty page of the app: the same login, membership look-up and layout (navigation, bell)."""
    from onevoice.organization.access import membership_for
    from onevoice.organization.shortcuts import render_for_member

    member = membership_for(request.user, org)
    return render_for_member(request, member, "app.html", {"nav": "analytics"})


def sql_floor_view(request: Any, org: str) -> HttpResponse:
    """The headline figures by hand: interactions and followers per day, posts and their rate, in two queries."""
    start = request.GET["from"]
    end = request.GET["to"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.day, SUM(d.interactions), SUM(d.followers) FROM analytics_channelday d "
            "JOIN organization_organization o ON o.id = d.organization_id "
            "WHERE o.slug = %s AND d.day BETWEEN %s AND %s GROUP BY d.day ORDER BY d.day",
            [org, start, end],
        )
        days = cursor.fetchall()
        cursor.execute(
            "SELECT COUNT(*), SUM(t.interactions), SUM(t.followers_at_publication) FROM analytics_trackedpost t "
            "JOIN organization_organization o ON o.id = t.organization_id "
            "WHERE o.slug = %s AND t.published_on BETWEEN %s AND %s",
            [org, start, end],
        )
        posts = cursor.fetchone()
    return HttpResponse(f"{len(days)} {posts}")


urlpatterns = [
    path("floor/", floor_view),
    path("page-floor/<slug:org>/", page_floor_view),
    path("sql-floor/<slug:org>/", sql_floor_view),
    path("", include("config.urls")),
]


def build(channels: int, posts: int, name: str) -> dict[str, Any]:
    from onevoice.accounts.models import User
    from onevoice.analytics.models import ChannelDay, PostDay, TrackedPost
    from onevoice.networks.models import Channel, Network
    from onevoice.organization import services as org_services
    from onevoice.organization.models import default_business_hours
    from onevoice.planning.models import Campaign, Topic

    rng = random.Random(10)
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
    made_channels = Channel.objects.bulk_create(
        [
            Channel(
                organization=org,
                network=Network.BLUESKY if i % 4 else Network.MASTODON,
                name=f"Kanal {i:03d}",
                department=departments[i % 6],
            )
            for i in range(channels)
        ]
    )
    today = timezone.now().astimezone(BERLIN).date()
    first = today - timedelta(days=365)
    campaigns = Campaign.objects.bulk_create(
        [Campaign(organization=org, name=f"Kampagne {i}", starts_on=first, ends_on=today) for i in range(20)]
    )
    topics = Topic.objects.bulk_create([Topic(organization=org, name=f"Thema {i}") for i in range(10)])
    # A year of channel days: followers growing, interactions filled in below from the posts' days.
    days: dict[tuple[int, Any], ChannelDay] = {}
    for channel in made_channels:
        level = rng.randint(500, 20000)
        for n in range(366):
            day = first + timedelta(days=n)
            level += rng.randint(-3, 12)
            days[(channel.pk, day)] = ChannelDay(
                organization=org,
                channel=channel,
                day=day,
                followers=level if channel.network == Network.BLUESKY else None,
            )
    made = 0
    while made < posts:
        size = min(BATCH, posts - made)
        rows = []
        for i in range(made, made + size):
            channel = made_channels[i % channels]
            published_on = first + timedelta(days=rng.randrange(366))
            at = datetime.combine(published_on, clock(10), BERLIN)
            rows.append(
                TrackedPost(
                    organization=org,
                    channel=channel,
                    subject=f"post:{i}",
                    external_id=f"at://bench/{i}",
                    excerpt=f"Beitrag {i}: Neues aus der Abteilung",
                    published_at=at,
                    published_on=published_on,
                    department_id=channel.department_id,
                    campaign=campaigns[i % 20] if i % 3 == 0 else None,
                    topic=topics[i % 10] if i % 2 == 0 else None,
                    followers_at_publication=days[(channel.pk, published_on)].followers,
                    next_collect_at=at,
                )
            )
        created = TrackedPost.objects.bulk_create(rows, batch_size=1000)
        gains = []
        for tracked in created:
            total = 0
            for n in range(14):
                day = tracked.published_on + timedelta(days=n)
                if day > today:
                    break
                likes = max(int(rng.expovariate(1 / (30 / (n + 1)))), 0)
                replies = likes // 5
                total += likes + replies
                gains.append(
                    PostDay(
                        organization=org,
                        channel_id=tracked.channel_id,
                        tracked=tracked,
                        day=day,
                        likes=likes,
                        replies=replies,
                        interactions=likes + replies,
                    )
                )
                channel_day = days[(tracked.channel_id, day)]
                channel_day.likes += likes
                channel_day.replies += replies
                channel_day.interactions += likes + replies
            tracked.likes = tracked.interactions = total
        TrackedPost.objects.bulk_update(created, ["likes", "interactions"], batch_size=1000)
        PostDay.objects.bulk_create(gains, batch_size=2000)
        made += size
    ChannelDay.objects.bulk_create(list(days.values()), batch_size=2000)
    return {"smm": smm, "slug": org.slug}


def timed(client: Client, url: str, params: dict[str, str], n: int) -> list[float]:
    samples = []
    for _ in range(n):
        begin = time.perf_counter()
        response = client.get(url, params)
        samples.append((time.perf_counter() - begin) * 1000)
        assert response.status_code == 200, response.content[:300]
    return samples


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def queries(client: Client, url: str, params: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as captured:
        client.get(url, params)
    return len(captured)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--channels", type=int, default=100)
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()

    from django.template.base import Template

    render = Template._render  # type: ignore[attr-defined]
    setup_test_environment()
    Template._render = render  # type: ignore[attr-defined]  # no test bookkeeping of contexts
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        begin = time.perf_counter()
        big = build(args.channels, args.posts, "Gross GmbH")
        small = build(2, 50, "Klein GmbH")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(
            f"{args.channels} channels, {args.posts} posts, a year of daily rollups built in "
            f"{time.perf_counter() - begin:.0f} s on {connection.vendor}"
        )
        clients = {}
        for org in (big, small):
            client = Client()
            client.force_login(org["smm"].user)
            clients[org["slug"]] = client
        client = clients[big["slug"]]
        today = timezone.now().astimezone(BERLIN).date()
        with override_settings(ROOT_URLCONF=__name__):
            timed(client, "/floor/", {}, 5)
            floor = timed(client, "/floor/", {}, args.requests)
            timed(client, f"/page-floor/{big['slug']}/", {}, 3)
            page_floor = timed(client, f"/page-floor/{big['slug']}/", {}, args.requests)
            print(
                f"{'':30}{'p50 ms':>9}{'p95 ms':>9}{'÷ minimal':>11}{'÷ page':>9}{'÷ SQL':>8}{'queries small / big':>22}"
            )
            print(f"{'minimal Django view':30}{statistics.median(floor):9.2f}{p95(floor):9.2f}")
            print(
                f"{'empty page of the app':30}{statistics.median(page_floor):9.2f}{p95(page_floor):9.2f}"
                f"{p95(page_floor) / p95(floor):10.1f}×"
            )
            for label, days in (("overview, last 90 days", 89), ("overview, last year", 364)):
                params = {"from": (today - timedelta(days=days)).isoformat(), "to": today.isoformat()}
                timed(client, f"/sql-floor/{big['slug']}/", params, 3)
                sql = timed(client, f"/sql-floor/{big['slug']}/", params, args.requests)
                url = f"/o/{big['slug']}/analytics/"
                timed(client, url, params, 2)
                samples = timed(client, url, params, args.requests)
                few = queries(clients[small["slug"]], f"/o/{small['slug']}/analytics/", params)
                many = queries(client, url, params)
                print(
                    f"{'hand-written SQL (' + label.split(', ')[1] + ')':30}{statistics.median(sql):9.2f}"
                    f"{p95(sql):9.2f}{p95(sql) / p95(floor):10.1f}×"
                )
                print(
                    f"{label:30}{statistics.median(samples):9.2f}{p95(samples):9.2f}"
                    f"{p95(samples) / p95(floor):10.1f}×{p95(samples) / p95(page_floor):8.1f}×"
                    f"{p95(samples) / p95(sql):7.1f}×{few:>12} / {many}"
                )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
