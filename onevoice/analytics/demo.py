"""Three months of metric history for the demo organisation, so its dashboards and report say something.

The plan's published posts and an archive of earlier posts sent from the channel pages (before the plan
was kept in OneVoice) get samples as the collector would have taken them: hourly on the first day, then
every six hours, daily, weekly. Followers grow day by day. Everything is deterministic (a seeded random).
The demo's Bluesky and Mastodon channels are paused, so the collector never overwrites this history.
"""

from __future__ import annotations

import math
import random
import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from onevoice.analytics import rollups
from onevoice.analytics.collection import next_look, tracked_posts_sync
from onevoice.analytics.models import ChannelCollection, MetricSample, TrackedPost
from onevoice.networks.models import Channel, ChannelPost, Network
from onevoice.organization.models import Department, Organization
from onevoice.planning.models import PostVariant, Topic

ARCHIVE = [
    (
        "Marketing",
        "Produkte",
        "Die neue Serie X200 ist da: leiser, sparsamer, langlebiger. Alle Details im Shop.",
    ),
    (
        "Personal",
        "Karriere",
        "Wir suchen Verstärkung in der Fertigung in Leipzig – bewerben Sie sich bis Ende des Monats.",
    ),
    (
        "PR/Unternehmenskommunikation",
        "Nachhaltigkeit",
        "Seit Januar beziehen alle unsere Werke Ökostrom. Ein Schritt von vielen.",
    ),
    ("Kundenservice", "Kundenservice", "Tipp der Woche: So entkalken Sie Ihr Gerät in fünf Minuten."),
    ("Marketing", "Messen & Events", "Danke an alle, die uns auf der Fachmesse in Köln besucht haben!"),
    (
        "Personal",
        "Karriere",
        "Ein Tag mit Lea, Auszubildende im zweiten Jahr: Was macht eine Mechatronikerin?",
    ),
    ("Vertrieb", "Messen & Events", "Händlerschulung im März: Jetzt Plätze für Ihr Team sichern."),
    (
        "PR/Unternehmenskommunikation",
        "Nachhaltigkeit",
        "Unser Reparaturservice hat dieses Jahr 12.000 Geräte gerettet.",
    ),
    ("Marketing", "Produkte", "Drei Dinge, die Sie über die X200 noch nicht wussten. Ein Thread."),
    (
        "Kundenservice",
        "Kundenservice",
        "Unsere Hotline ist ab sofort auch samstags von 9 bis 13 Uhr erreichbar.",
    ),
]
FOLLOWERS_START: dict[str, int] = {Network.BLUESKY: 1840, Network.MASTODON: 960}
FOLLOWERS_END: dict[str, int] = {Network.BLUESKY: 2315, Network.MASTODON: 1105}


def _curve(hours: float, half_life: float) -> float:
    """Share of a post's lifetime interactions reached after `hours` (fast at first, then flattening)."""
    return 1 - math.exp(-hours / half_life)


def seed(organization: Organization, *, now: datetime | None = None, days: int = 90) -> int:
    """Create the demo's metric history; returns the number of samples. Does nothing if it exists."""
    if MetricSample.objects.filter(organization=organization).exists():
        return 0
    now = now or timezone.now()
    tz = ZoneInfo(organization.time_zone or "Europe/Berlin")
    today = now.astimezone(tz).date()
    rng = random.Random(f"onevoice-demo-{organization.slug}")
    channels = {c.network: c for c in Channel.objects.filter(organization=organization)}
    departments = {d.name: d for d in Department.objects.filter(organization=organization)}
    topics = {t.name: t for t in Topic.objects.filter(organization=organization)}
    _archive(organization, channels, today, tz, rng, days)
    tracked_posts_sync(organization_id=organization.pk, now=now)
    _track_plan_posts(organization, now, tz)
    # Archive posts carry the department and topic they were written for.
    for tracked in TrackedPost.objects.filter(
        organization=organization, channel_post__isnull=False
    ).select_related("channel_post"):
        text = tracked.channel_post.text if tracked.channel_post else ""
        entry = next((e for e in ARCHIVE if e[2] == text), None)
        if entry is not None:
            tracked.department = departments.get(entry[0])
            tracked.topic = topics.get(entry[1])
            tracked.save(update_fields=["department", "topic"])
    samples: list[MetricSample] = []
    start_day = today - timedelta(days=days)
    for network, channel in channels.items():
        if network not in FOLLOWERS_START:
            continue
        for offset in range(days + 1):
            day = start_day + timedelta(days=offset)
            share = offset / days
            level = FOLLOWERS_START[network] + (FOLLOWERS_END[network] - FOLLOWERS_START[network]) * share
            level += rng.randint(-4, 6)
            for clock in (time(6), time(18)):
                at = datetime.combine(day, clock, tz)
                if at > now:
                    continue
                samples.append(
                    MetricSample(
                        organization=organization,
                        channel=channel,
                        subject="channel",
                        name="followers",
                        value=int(level),
                        measured_at=at,
                    )
                )
    # Mastodon's connector reports no follower count: its history has none (shown "not available").
    samples = [s for s in samples if s.channel.network == Network.BLUESKY]
    for tracked in TrackedPost.objects.filter(organization=organization).select_related("channel"):
        if tracked.channel.network not in (Network.BLUESKY, Network.MASTODON):
            continue
        followers = 2000 if tracked.channel.network == Network.BLUESKY else 1000
        rate = rng.lognormvariate(math.log(0.018), 0.55)
        total = max(int(followers * rate), 2)
        parts = {"likes": 0.64, "reposts": 0.16, "replies": 0.12, "quotes": 0.08}
        half_life = rng.uniform(5, 14)
        at = tracked.published_at + timedelta(hours=1)
        while at <= now:
            reached = _curve((at - tracked.published_at).total_seconds() / 3600, half_life)
            for name, share in parts.items():
                samples.append(
                    MetricSample(
                        organization=organization,
                        channel=tracked.channel,
                        subject=tracked.subject,
                        variant_id=tracked.variant_id,
                        channel_post_id=tracked.channel_post_id,
                        name=name,
                        value=int(total * share * reached),
                        measured_at=at,
                    )
                )
            at = next_look(tracked.published_at, at)
    MetricSample.objects.bulk_create(samples, batch_size=2000, ignore_conflicts=True)
    first = datetime.combine(start_day, time(), tz)
    tracked_all = list(TrackedPost.objects.filter(organization=organization))
    rollups.tracked_posts_rollup([(t, first) for t in tracked_all])
    for channel in channels.values():
        rollups.channel_days_rollup(channel, since=first)
        ChannelCollection.objects.update_or_create(
            channel=channel, defaults={"last_success_at": now - timedelta(minutes=40), "failures": 0}
        )
    for tracked in tracked_all:
        tracked.next_collect_at = next_look(tracked.published_at, now)
    TrackedPost.objects.bulk_update(tracked_all, ["next_collect_at"])
    return len(samples)


def _archive(
    organization: Organization,
    channels: dict[str, Channel],
    today: object,
    tz: ZoneInfo,
    rng: random.Random,
    days: int,
) -> None:
    """Earlier posts sent straight from the channel pages, every two to four days on each network."""
    from datetime import date

    assert isinstance(today, date)
    author = organization.memberships.filter(role="smm").first()
    rows = []
    for network, step in ((Network.BLUESKY, 3), (Network.MASTODON, 4)):
        channel = channels.get(network)
        if channel is None:
            continue
        offset = days
        index = 0 if network == Network.BLUESKY else 5
        while offset > 9:
            day = today - timedelta(days=offset)
            at = datetime.combine(day, time(rng.choice([9, 11, 14, 16]), rng.choice([0, 15, 30])), tz)
            _department, _topic, text = ARCHIVE[index % len(ARCHIVE)]
            key = uuid.uuid4().hex
            if network == Network.BLUESKY:
                external = f"at://did:plc:mustergmbhdemo/app.bsky.feed.post/{key[:13]}"
                url = f"https://bsky.app/profile/muster-gmbh.bsky.social/post/{key[:13]}"
            else:
                external = str(100000000 + rng.randint(0, 99999999))
                url = f"https://social.example/@muster_gmbh/{external}"
            rows.append(
                ChannelPost(
                    channel=channel,
                    author=author,
                    text=text,
                    language="de",
                    idempotency_key=key,
                    state=ChannelPost.State.PUBLISHED,
                    external_id=external,
                    url=url,
                    published_at=at,
                )
            )
            index += 1
            offset -= step + rng.choice([0, 0, 1])
    ChannelPost.objects.bulk_create(rows)


def _track_plan_posts(organization: Organization, now: datetime, tz: ZoneInfo) -> None:
    """The plan's published posts (the demo records them without a publication row) are tracked too."""
    variants = PostVariant.objects.filter(
        post__organization=organization, state=PostVariant.State.PUBLISHED, tracked__isnull=True
    ).select_related("post", "channel")
    rows = []
    for variant in variants:
        post = variant.post
        published_at = post.publish_at or now
        rows.append(
            TrackedPost(
                organization=organization,
                channel=variant.channel,
                subject=f"variant:{variant.pk}",
                variant=variant,
                external_id=variant.external_id or f"demo:{variant.pk}",
                url=variant.url,
                title=post.title[:200],
                excerpt=variant.text[:300],
                published_at=published_at,
                published_on=published_at.astimezone(tz).date(),
                department_id=post.department_id,
                campaign_id=post.campaign_id,
                topic_id=post.topic_id,
                next_collect_at=now,
            )
        )
    TrackedPost.objects.bulk_create(rows, ignore_conflicts=True)
