"""The workload capacity view for 60 people in 8 departments, 20,000 planned posts and 200,000 inbox cases over
24 weeks, against a minimal Django view measured the same way in the same run.

    .venv/bin/python bench/bench_workload.py [--posts 20000] [--cases 200000] [--requests 30]

Runs on a throw-away test database (SQLite by default, PostgreSQL when DATABASE_URL is set). Prints p50/p95
server time of the whole request (middleware, session, view, template) through Django's test client, the
ratio to the floor, and the number of SQL queries of the capacity view for a small and the big organisation
(target: the same number). Target: p95 ≤ 300 ms on the 2-CPU machine. Also times the composer's warning
fragment and the plan-realism function the management report calls.
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
from decimal import Decimal
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
from django.urls import path, reverse  # noqa: E402

BERLIN = ZoneInfo("Europe/Berlin")
NETWORKS = ["linkedin", "instagram", "mastodon", "bluesky", "facebook"]
KINDS = ["reply", "reply", "reply", "mention", "quote", "direct_message", "our_reply"]


def floor_view(request: object) -> HttpResponse:
    return HttpResponse("<!doctype html><title>ok</title><p>ok</p>")


urlpatterns = [path("floor/", floor_view)]


def build(posts: int, cases: int, people: int, name: str) -> tuple[Any, Any]:
    from onevoice.accounts.models import User
    from onevoice.inbox.models import Case
    from onevoice.networks.models import Channel
    from onevoice.organization import services as org_services
    from onevoice.organization.models import Membership, default_business_hours
    from onevoice.planning.models import Post, PostVariant, VariantImage
    from onevoice.workload import selectors, services
    from onevoice.workload.models import Absence, RecurringDuty

    rng = random.Random(7)
    slug_hint = name.split()[0].lower()
    user = User.objects.create_user(f"{slug_hint}@example.org", "Bench-Passwort-1", full_name=name)
    admin = org_services.organization_create(
        creator=user,
        name=name,
        time_zone="Europe/Berlin",
        form_of_address="sie",
        model="decentral",
        business_hours=default_business_hours(),
        departments=[org_services.DepartmentProposal(f"Abteilung {i}") for i in range(8)],
    )
    Membership.objects.filter(pk=admin.pk).update(role="smm", joined_at=datetime(2025, 1, 1, tzinfo=BERLIN))
    admin.refresh_from_db()
    org = admin.organization
    departments = list(org.departments.all())
    users = User.objects.bulk_create(
        [User(email=f"{slug_hint}-{i}@example.org", full_name=f"Person {i}") for i in range(people - 1)]
    )
    members = Membership.objects.bulk_create(
        [
            Membership(
                organization=org,
                user=u,
                role="cm" if i % 3 else "contributor",
                weekly_hours=Decimal(rng.choice([4, 8, 10, 15, 20, 30])),
                joined_at=datetime(2025, 1, 1, tzinfo=BERLIN),
            )
            for i, u in enumerate(users)
        ]
    )
    through = Membership.departments.through
    through.objects.bulk_create(
        [through(membership_id=m.pk, department_id=departments[i % 8].pk) for i, m in enumerate(members)]
        + [
            through(membership_id=m.pk, department_id=departments[(i + 3) % 8].pk)
            for i, m in enumerate(members[:10])
        ]
    )
    channels = Channel.objects.bulk_create(
        [
            Channel(
                organization=org, network=NETWORKS[i % 5], name=f"Kanal {i}", department=departments[i % 8]
            )
            for i in range(16)
        ]
    )
    monday = selectors.this_monday(org)
    start = datetime.combine(monday - timedelta(weeks=12), clock(0), tzinfo=BERLIN)
    span = 24 * 7 * 24 * 60
    everyone = [admin, *members]
    rows = Post.objects.bulk_create(
        [
            Post(
                organization=org,
                department=departments[i % 8],
                owner=everyone[i % len(everyone)],
                title=f"Beitrag {i}",
                publish_at=start + timedelta(minutes=rng.randrange(span)),
                status="scheduled" if i % 10 else "draft",
            )
            for i in range(posts)
        ],
        batch_size=2000,
    )
    variants = PostVariant.objects.bulk_create(
        [
            PostVariant(post=p, channel=channels[(i + k * 5) % 16], text="Text")
            for i, p in enumerate(rows)
            for k in range(1 + (i % 2))
        ],
        batch_size=2000,
    )
    images = []
    for i, v in enumerate(variants):
        n = 1 if i % 5 == 0 else 3 if i % 17 == 0 else 0
        images += [
            VariantImage(variant=v, file=f"b{i}-{k}.png", width=9, height=9, mime_type="image/png")
            for k in range(n)
        ]
        if i % 41 == 0:
            images.append(VariantImage(variant=v, file=f"b{i}.mp4", width=9, height=9, mime_type="video/mp4"))
    VariantImage.objects.bulk_create(images, batch_size=5000)

    history = datetime.combine(monday - timedelta(weeks=24), clock(0), tzinfo=BERLIN)
    seconds = int((datetime.combine(monday, clock(0), tzinfo=BERLIN) - history).total_seconds())
    batch = []
    for i in range(cases):
        when = history + timedelta(seconds=rng.randrange(seconds))
        batch.append(
            Case(
                organization=org,
                channel=channels[i % 16],
                thread_key=f"t{i}",
                kind=KINDS[i % len(KINDS)],
                department=departments[i % 9] if i % 9 < 8 else None,
                first_message_at=when,
                last_message_at=when,
            )
        )
        if len(batch) == 10000:
            Case.objects.bulk_create(batch)
            batch = []
    Case.objects.bulk_create(batch)

    absences = []
    for m in members:
        first = monday + timedelta(days=rng.randrange(-80, 80))
        absences.append(
            Absence(membership=m, starts_on=first, ends_on=first + timedelta(days=rng.randrange(0, 10)))
        )
    Absence.objects.bulk_create(absences)
    for i in range(10):
        RecurringDuty.objects.create(
            organization=org, name=f"Pflicht {i}", hours=Decimal(2), department=departments[i % 8]
        )
    services.holidays_import(actor=admin, state="NW", years=[monday.year - 1, monday.year, monday.year + 1])
    return user, org


def timed(
    client: Client, url: str, n: int, params: dict[str, str] | None = None, before_each: Any = None
) -> list[float]:
    samples = []
    for _ in range(n):
        if before_each is not None:
            before_each()
        begin = time.perf_counter()
        response = client.get(url, params or {})
        samples.append((time.perf_counter() - begin) * 1000)
        assert response.status_code == 200, response.content[:300]
    return samples


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=20000)
    parser.add_argument("--cases", type=int, default=200000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        began = time.perf_counter()
        user, org = build(args.posts, args.cases, 60, "Bench GmbH")
        small_user, small_org = build(args.posts // 20, args.cases // 20, 12, "Klein GmbH")
        print(
            f"built in {time.perf_counter() - began:.0f} s: 60 people, 8 departments, {args.posts} posts, "
            f"{args.cases} cases over 24 weeks, {connection.vendor}"
        )
        client = Client()
        client.force_login(user)
        url = reverse("workload:capacity", args=[org.slug])
        with override_settings(ROOT_URLCONF=__name__):
            timed(client, "/floor/", 5)
            floor = timed(client, "/floor/", args.requests)
        timed(client, url, 3)
        ours = timed(client, url, args.requests)
        from onevoice.planning.models import Post

        post_ids = list(Post.objects.filter(organization=org).values_list("pk", flat=True)[:100])
        edits = iter(range(10**6))

        def edit_a_post() -> None:
            # A saved post (as every planning service saves it: updated_at moves) before each request.
            from django.utils import timezone as tz

            n = next(edits)
            Post.objects.filter(pk=post_ids[n % len(post_ids)]).update(
                title=f"Geändert {n}", updated_at=tz.now()
            )

        cold = timed(client, url, max(5, args.requests // 3), before_each=edit_a_post)

        from onevoice.workload import selectors

        department = org.departments.first()
        moment = datetime.combine(
            selectors.this_monday(org) + timedelta(weeks=3, days=2), clock(10), tzinfo=BERLIN
        )
        warning_url = reverse("workload:composer_warning", args=[org.slug])
        warning = timed(
            client,
            warning_url,
            args.requests,
            {"publish_at": moment.strftime("%Y-%m-%dT%H:%M"), "department": str(department.pk)},
        )
        realism = []
        today = date.today()
        for _ in range(10):
            begin = time.perf_counter()
            selectors.plan_realism(org, today.replace(day=1) - timedelta(days=1), today + timedelta(days=30))
            realism.append((time.perf_counter() - begin) * 1000)

        print(f"{'':44}{'p50 ms':>10}{'p95 ms':>10}{'p95 ratio':>11}")
        print(f"{'minimal Django view':44}{statistics.median(floor):10.2f}{p95(floor):10.2f}")
        for label, samples in (
            ("capacity view (24 weeks), plan unchanged", ours),
            ("capacity view, a post saved before each", cold),
            ("composer warning fragment", warning),
            ("plan_realism(), one month (no HTTP)", realism),
        ):
            print(
                f"{label:44}{statistics.median(samples):10.2f}{p95(samples):10.2f}{p95(samples) / p95(floor):10.1f}×"
            )
        for label, samples in (("plan unchanged", ours), ("a post saved before each", cold)):
            verdict = "OK" if p95(samples) <= 300 else "over the target"
            print(f"capacity view p95, {label}: {p95(samples):.0f} ms (target ≤ 300 ms: {verdict})")

        small = Client()
        small.force_login(small_user)
        small_url = reverse("workload:capacity", args=[small_org.slug])
        small.get(small_url)
        print(
            f"SQL queries of the capacity view: {queries(small, small_url)} for {args.posts // 20} posts, "
            f"{queries(client, url)} for {args.posts} posts"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
