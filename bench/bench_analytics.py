"""The analytics overview for a large organisation with a year of metric history, against floors.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/bench_analytics.py \
        [--channels 100] [--posts 20000] [--requests 20]

Runs on a throw-away test database. On PostgreSQL (what the issue asks for) it stores the raw history the
collector keeps: 20,000 tracked posts over a year on 100 channels in 6 departments, a daily sample of likes
and replies for each post's first 150 days and a daily followers sample per channel (about 5 million
metric samples), then the daily rollups from them (in SQL, checked against the product's rollup code on a
sample of posts and channels). On SQLite it builds the rollups directly. Plus a small organisation
(2 channels, 50 posts).

Prints p50/p95 server time of the overview dashboard (the whole request through Django's test client) for
the last 90 days and for the last year, as ratios to the p95 of
  - a minimal Django view,
  - an empty page of the app (login, membership, navigation),
  - hand-written SQL of the same figures (PostgreSQL only): both periods' headline figures, the daily
    series, the per-channel table, the breakdowns by department, campaign and topic, top and flop posts,
    the inbox and plan counts, in 24 plain queries on the rollups without rendering anything,
and the number of SQL queries of the page for the small and the large organisation (target: the same).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
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
    """Every figure of the overview by hand, in plain SQL on the rollups: the same periods, series, tables,
    breakdowns, top and flop, inbox and plan counts the page shows (PostgreSQL)."""
    start, end = request.GET["from"], request.GET["to"]
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    before_end = first - timedelta(days=1)
    before_start = before_end - (last - first)
    results: list[Any] = []
    with connection.cursor() as cursor:

        def run(sql: str, params: list[Any]) -> None:
            cursor.execute(sql, params)
            results.append(cursor.fetchall())

        cursor.execute("SELECT id FROM organization_organization WHERE slug = %s", [org])
        org_id = cursor.fetchone()[0]
        for a, b in ((start, end), (before_start.isoformat(), before_end.isoformat())):
            run(
                "SELECT COUNT(*), SUM(t.interactions) FILTER (WHERE t.followers_at_publication > 0),"
                " SUM(t.followers_at_publication) FILTER (WHERE t.followers_at_publication > 0)"
                " FROM analytics_trackedpost t WHERE t.organization_id = %s AND t.published_on BETWEEN %s AND %s",
                [org_id, a, b],
            )
            run(
                "SELECT SUM(likes), SUM(reposts), SUM(replies), SUM(quotes), SUM(impressions), SUM(clicks),"
                " SUM(interactions) FROM analytics_channelday WHERE organization_id = %s AND day BETWEEN %s AND %s",
                [org_id, a, b],
            )
            for day in (a, b):
                run(
                    "SELECT DISTINCT ON (channel_id) channel_id, followers FROM analytics_channelday"
                    " WHERE organization_id = %s AND day <= %s AND followers IS NOT NULL"
                    " ORDER BY channel_id, day DESC",
                    [org_id, day],
                )
        run(
            "SELECT day, SUM(interactions), SUM(followers) FROM analytics_channelday"
            " WHERE organization_id = %s AND day BETWEEN %s AND %s GROUP BY day ORDER BY day",
            [org_id, start, end],
        )
        run(
            "SELECT published_on, COUNT(*) FROM analytics_trackedpost"
            " WHERE organization_id = %s AND published_on BETWEEN %s AND %s GROUP BY published_on",
            [org_id, start, end],
        )
        run(
            "SELECT channel_id, SUM(likes), SUM(reposts), SUM(replies), SUM(quotes), SUM(impressions),"
            " SUM(clicks), SUM(interactions) FROM analytics_channelday"
            " WHERE organization_id = %s AND day BETWEEN %s AND %s GROUP BY channel_id",
            [org_id, start, end],
        )
        run(
            "SELECT channel_id, COUNT(*), SUM(interactions) FILTER (WHERE followers_at_publication > 0),"
            " SUM(followers_at_publication) FILTER (WHERE followers_at_publication > 0)"
            " FROM analytics_trackedpost WHERE organization_id = %s AND published_on BETWEEN %s AND %s"
            " GROUP BY channel_id",
            [org_id, start, end],
        )
        for kind, table in (
            ("department", "organization_department"),
            ("campaign", "planning_campaign"),
            ("topic", "planning_topic"),
        ):
            run(
                f"SELECT x.public_id, x.name, COUNT(*), SUM(t.interactions),"  # noqa: S608 - fixed names
                " SUM(t.interactions) FILTER (WHERE t.followers_at_publication > 0),"
                " SUM(t.followers_at_publication) FILTER (WHERE t.followers_at_publication > 0)"
                f" FROM analytics_trackedpost t JOIN {table} x ON x.id = t.{kind}_id"
                " WHERE t.organization_id = %s AND t.published_on BETWEEN %s AND %s"
                " GROUP BY x.public_id, x.name ORDER BY x.name",
                [org_id, start, end],
            )
        for order in ("DESC", "ASC"):
            run(
                "SELECT t.id, t.excerpt, t.url, t.published_at, t.interactions, t.followers_at_publication,"  # noqa: S608 - fixed order words
                " c.name FROM analytics_trackedpost t JOIN networks_channel c ON c.id = t.channel_id"
                " WHERE t.organization_id = %s AND t.published_on BETWEEN %s AND %s"
                " AND t.followers_at_publication > 0"
                f" ORDER BY t.interactions::float / t.followers_at_publication {order} LIMIT 5",
                [org_id, start, end],
            )
        for a, b in ((start, end), (before_start.isoformat(), before_end.isoformat())):
            run(
                "SELECT COUNT(*), COUNT(first_response_at) FROM inbox_case"
                " WHERE organization_id = %s AND first_message_at::date BETWEEN %s AND %s",
                [org_id, a, b],
            )
        run(
            "SELECT status, COUNT(*) FROM planning_post"
            " WHERE organization_id = %s AND publish_at::date BETWEEN %s AND %s GROUP BY status",
            [org_id, start, end],
        )
    return HttpResponse(f"{sum(len(r) for r in results)}")


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
    if connection.vendor == "postgresql":
        _tracked_posts(org, made_channels, campaigns, topics, posts, first, rng)
        _samples_and_rollups(org, made_channels, first, today)
        return {"smm": smm, "slug": org.slug}
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


SAMPLED_DAYS = 150  # a post's figures are pulled daily for its first 150 days


def _tracked_posts(
    org: Any, channels: list[Any], campaigns: list[Any], topics: list[Any], posts: int, first: Any, rng: Any
) -> None:
    from onevoice.analytics.models import TrackedPost

    rows = []
    for i in range(posts):
        channel = channels[i % len(channels)]
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
                next_collect_at=at,
            )
        )
    TrackedPost.objects.bulk_create(rows, batch_size=2000)


def _samples_and_rollups(org: Any, channels: list[Any], first: Any, today: Any) -> None:
    """The raw history as the collector stores it: a daily sample of likes and replies per post (for its
    first SAMPLED_DAYS days) and of followers per Bluesky channel, about 5 million rows for the default
    size; then the daily rollups from those samples in SQL, checked against the product's rollup code."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO analytics_metricsample (organization_id, channel_id, subject, name, value, measured_at,"
            " created_at)"
            " SELECT t.organization_id, t.channel_id, t.subject, n.name,"
            " CASE WHEN n.name = 'likes' THEN floor((5 + t.id %% 40) * ln(2 + d))"
            " ELSE floor((5 + t.id %% 40) * ln(2 + d) / 5) END,"
            " t.published_at + d * interval '1 day' + interval '13 hours', now()"
            " FROM analytics_trackedpost t CROSS JOIN generate_series(0, %s) AS d"
            " CROSS JOIN (VALUES ('likes'), ('replies')) AS n(name)"
            " WHERE t.organization_id = %s AND t.published_on + d <= %s",
            [SAMPLED_DAYS - 1, org.pk, today],
        )
        cursor.execute(
            "INSERT INTO analytics_metricsample (organization_id, channel_id, subject, name, value, measured_at,"
            " created_at)"
            " SELECT c.organization_id, c.id, 'channel', 'followers', 500 + (c.id * 397) %% 19000 + d * 4,"
            " (%s::date + d + time '23:00') AT TIME ZONE 'Europe/Berlin', now()"
            " FROM networks_channel c CROSS JOIN generate_series(0, %s - %s::date) AS d"
            " WHERE c.organization_id = %s AND c.network = 'bluesky'",
            [first, today, first, org.pk],
        )
        # PostDay: each day's gain is that day's last value minus the one before (tracked_posts_rollup).
        cursor.execute(
            "INSERT INTO analytics_postday (organization_id, channel_id, tracked_id, day, likes, reposts,"
            " replies, quotes, impressions, clicks, interactions)"
            " SELECT organization_id, channel_id, tracked_id, day, SUM(gain) FILTER (WHERE name = 'likes'), 0,"
            " SUM(gain) FILTER (WHERE name = 'replies'), 0, 0, 0, SUM(gain) FROM ("
            "  SELECT t.organization_id, t.channel_id, t.id AS tracked_id, m.name,"
            "  (m.measured_at AT TIME ZONE 'Europe/Berlin')::date AS day,"
            "  m.value - COALESCE(LAG(m.value) OVER (PARTITION BY m.channel_id, m.subject, m.name"
            "  ORDER BY m.measured_at), 0) AS gain"
            "  FROM analytics_metricsample m JOIN analytics_trackedpost t"
            "  ON t.channel_id = m.channel_id AND t.subject = m.subject WHERE m.organization_id = %s) g"
            " GROUP BY organization_id, channel_id, tracked_id, day HAVING SUM(gain) <> 0",
            [org.pk],
        )
        cursor.execute(
            "INSERT INTO analytics_channelday (organization_id, channel_id, day, followers, published, likes,"
            " reposts, replies, quotes, impressions, clicks, interactions)"
            " SELECT c.organization_id, c.id, gs.d::date, f.value, COALESCE(p.n, 0), COALESCE(g.likes, 0), 0,"
            " COALESCE(g.replies, 0), 0, 0, 0, COALESCE(g.interactions, 0)"
            " FROM networks_channel c CROSS JOIN generate_series(%s::date, %s::date, interval '1 day') AS gs(d)"
            " LEFT JOIN (SELECT channel_id, (measured_at AT TIME ZONE 'Europe/Berlin')::date AS day, value"
            "  FROM analytics_metricsample WHERE organization_id = %s AND subject = 'channel') f"
            "  ON f.channel_id = c.id AND f.day = gs.d::date"
            " LEFT JOIN (SELECT channel_id, published_on, COUNT(*) AS n FROM analytics_trackedpost"
            "  WHERE organization_id = %s GROUP BY channel_id, published_on) p"
            "  ON p.channel_id = c.id AND p.published_on = gs.d::date"
            " LEFT JOIN (SELECT channel_id, day, SUM(likes) AS likes, SUM(replies) AS replies,"
            "  SUM(interactions) AS interactions FROM analytics_postday WHERE organization_id = %s"
            "  GROUP BY channel_id, day) g ON g.channel_id = c.id AND g.day = gs.d::date"
            " WHERE c.organization_id = %s",
            [first, today, org.pk, org.pk, org.pk, org.pk],
        )
        cursor.execute(
            "UPDATE analytics_trackedpost t SET likes = s.likes, replies = s.replies,"
            " interactions = s.likes + s.replies, last_collected_at = s.last,"
            " followers_at_publication = (SELECT followers FROM analytics_channelday d"
            "  WHERE d.channel_id = t.channel_id AND d.day = t.published_on)"
            " FROM (SELECT channel_id, subject, MAX(value) FILTER (WHERE name = 'likes') AS likes,"
            "  MAX(value) FILTER (WHERE name = 'replies') AS replies, MAX(measured_at) AS last"
            "  FROM analytics_metricsample WHERE organization_id = %s AND subject LIKE 'post:%%'"
            "  GROUP BY channel_id, subject) s"
            " WHERE t.channel_id = s.channel_id AND t.subject = s.subject",
            [org.pk],
        )
        cursor.execute("SELECT COUNT(*) FROM analytics_metricsample WHERE organization_id = %s", [org.pk])
        print(f"{cursor.fetchone()[0]:,} metric samples")
    _check_rollups(org, channels, first)


def _check_rollups(org: Any, channels: list[Any], first: Any) -> None:
    """The SQL above must give what the product computes: recompute a few posts and channels with the
    product's rollup code and compare."""
    from onevoice.analytics.models import ChannelDay, PostDay, TrackedPost
    from onevoice.analytics.rollups import channel_days_rollup, tracked_posts_rollup

    def post_days(tracked: Any) -> list[tuple[Any, ...]]:
        return list(tracked.days.order_by("day").values_list("day", "likes", "replies", "interactions"))

    def channel_days(channel: Any) -> list[tuple[Any, ...]]:
        return list(
            ChannelDay.objects.filter(channel=channel)
            .order_by("day")
            .values_list("day", "followers", "published", "likes", "replies", "interactions")
        )

    checked = list(TrackedPost.objects.filter(organization=org).order_by("?")[:25])
    for tracked in checked:
        before = post_days(tracked), (tracked.likes, tracked.replies, tracked.interactions)
        tracked_posts_rollup([(tracked, tracked.published_at)])
        tracked.refresh_from_db()
        after = post_days(tracked), (tracked.likes, tracked.replies, tracked.interactions)
        assert before == after, f"rollup differs for {tracked.subject}"
    start = datetime.combine(first, clock(0), BERLIN)
    for channel in channels[:3]:
        before_days = channel_days(channel)
        channel_days_rollup(channel, since=start)
        assert before_days == channel_days(channel), f"channel rollup differs for {channel.name}"
    print(f"rollups match the product's rollup code on {len(checked)} posts and 3 channels")
    assert PostDay.objects.filter(organization=org).exists()


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
                sql = [float("nan")]
                if connection.vendor == "postgresql":
                    timed(client, f"/sql-floor/{big['slug']}/", params, 3)
                    sql = timed(client, f"/sql-floor/{big['slug']}/", params, args.requests)
                url = f"/o/{big['slug']}/analytics/"
                timed(client, url, params, 2)
                samples = timed(client, url, params, args.requests)
                clients[small["slug"]].get(f"/o/{small['slug']}/analytics/", params)  # warm its caches too
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
