"""Collecting figures from the networks on the worker: which posts are due, pulling, storing, backing off.

Young posts are looked at often, old ones rarely (`next_look`). Pulls share the channel's rate-limit wait
with publishing (`ChannelThrottle`): a 429 while collecting holds publishing back too, and a channel
publishing is waiting on is not pulled. A failing channel backs off on its own, doubling the wait, and its
figures show as stale with the time of the last good pull.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from onevoice.analytics import rollups
from onevoice.analytics.models import ChannelCollection, MetricSample, TrackedPost
from onevoice.networks.connectors.base import Capability as NetCapability
from onevoice.networks.connectors.base import ConnectorError, RateLimited
from onevoice.networks.connectors.base import MetricSample as NetworkSample
from onevoice.networks.models import Channel, ChannelPost
from onevoice.networks.registry import connector_class, connector_for
from onevoice.organization.models import Organization
from onevoice.publishing.models import ChannelThrottle, Publication

log = logging.getLogger(__name__)

BATCH = 100  # posts per pull (Bluesky's getPosts takes 25 at a time; the connector splits)
CHANNEL_METRICS_EVERY = timedelta(hours=6)
BACKOFF_FIRST = timedelta(minutes=5)
BACKOFF_MAX = timedelta(hours=12)


def next_look(published_at: datetime, now: datetime) -> datetime:
    """When to look at a post again: hourly on its first day, then every 6 hours, daily, weekly, monthly."""
    age = now - published_at
    if age < timedelta(days=1):
        step = timedelta(hours=1)
    elif age < timedelta(days=7):
        step = timedelta(hours=6)
    elif age < timedelta(days=30):
        step = timedelta(days=1)
    elif age < timedelta(days=90):
        step = timedelta(days=7)
    else:
        step = timedelta(days=30)
    return now + step


def backoff(failures: int) -> timedelta:
    """Doubling wait after each failure in a row, with jitter so channels don't retry in lockstep."""
    wait = min(BACKOFF_FIRST * (2 ** max(failures - 1, 0)), BACKOFF_MAX)
    return wait + timedelta(seconds=random.uniform(0, wait.total_seconds() / 10))


def _tz(organization: Organization) -> ZoneInfo:
    return ZoneInfo(organization.time_zone or "Europe/Berlin")


# ---- what to track -----------------------------------------------------------------------------------


def tracked_posts_sync(*, organization_id: int | None = None, now: datetime | None = None) -> int:
    """Start tracking what went out: published variants of the plan and posts sent from a channel page."""
    now = now or timezone.now()
    publications = (
        Publication.objects.filter(state=Publication.State.PUBLISHED, variant__tracked__isnull=True)
        .exclude(external_id="")
        .select_related("variant__post", "organization")
    )
    direct = (
        ChannelPost.objects.filter(state=ChannelPost.State.PUBLISHED, tracked__isnull=True)
        .exclude(external_id="")
        .select_related("channel__organization")
    )
    if organization_id is not None:
        publications = publications.filter(organization_id=organization_id)
        direct = direct.filter(channel__organization_id=organization_id)
    rows: list[TrackedPost] = []
    for publication in publications:
        post = publication.variant.post
        published_at = publication.published_at or post.publish_at or now
        rows.append(
            TrackedPost(
                organization_id=publication.organization_id,
                channel_id=publication.channel_id,
                subject=f"variant:{publication.variant_id}",
                variant_id=publication.variant_id,
                external_id=publication.external_id,
                url=publication.url,
                title=post.title[:200],
                excerpt=publication.variant.text[:300],
                published_at=published_at,
                published_on=published_at.astimezone(_tz(publication.organization)).date(),
                department_id=post.department_id,
                campaign_id=post.campaign_id,
                topic_id=post.topic_id,
                next_collect_at=now,
            )
        )
    for item in direct:
        published_at = item.published_at or item.created_at
        rows.append(
            TrackedPost(
                organization_id=item.channel.organization_id,
                channel_id=item.channel_id,
                subject=f"post:{item.pk}",
                channel_post_id=item.pk,
                external_id=item.external_id,
                url=getattr(item, "url", "") or "",
                title="",
                excerpt=item.text[:300],
                published_at=published_at,
                published_on=published_at.astimezone(_tz(item.channel.organization)).date(),
                department_id=item.channel.department_id,
                next_collect_at=now,
            )
        )
    TrackedPost.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


# ---- storing what the network said ---------------------------------------------------------------


def samples_ingest(
    channel: Channel,
    post_samples: Sequence[NetworkSample] = (),
    channel_samples: Sequence[NetworkSample] = (),
) -> int:
    """Store the samples (a sample already stored is skipped) and recompute the affected daily figures.

    Returns how many samples were new. Samples for posts OneVoice does not track are ignored.
    """
    by_external = {
        t.external_id: t
        for t in TrackedPost.objects.filter(
            channel=channel, external_id__in={s.external_id for s in post_samples}
        )
    }
    rows: list[MetricSample] = []
    touched: dict[int, TrackedPost] = {}
    since: dict[int, datetime] = {}  # per tracked post: its earliest sample in this batch
    first_day: datetime | None = None
    for sample in post_samples:
        tracked = by_external.get(sample.external_id)
        if tracked is None:
            continue
        touched[tracked.pk] = tracked
        since[tracked.pk] = min(since.get(tracked.pk, sample.measured_at), sample.measured_at)
        rows.append(
            MetricSample(
                organization_id=channel.organization_id,
                channel_id=channel.pk,
                subject=tracked.subject,
                variant_id=tracked.variant_id,
                channel_post_id=tracked.channel_post_id,
                name=sample.name,
                value=sample.value,
                measured_at=sample.measured_at,
            )
        )
    for sample in channel_samples:
        rows.append(
            MetricSample(
                organization_id=channel.organization_id,
                channel_id=channel.pk,
                subject="channel",
                name=sample.name,
                value=sample.value,
                measured_at=sample.measured_at,
            )
        )
        first_day = min(first_day or sample.measured_at, sample.measured_at)
    before = MetricSample.objects.filter(channel=channel).count()
    with transaction.atomic():
        MetricSample.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
        new = MetricSample.objects.filter(channel=channel).count() - before
        if touched:
            rollups.tracked_posts_rollup([(t, since[t.pk]) for t in touched.values()])
        earliest = list(since.values())
        if first_day is not None:
            earliest.append(first_day)
        if earliest:
            rollups.channel_days_rollup(channel, since=min(earliest))
    return new


# ---- pulling -------------------------------------------------------------------------------------


@dataclass
class CollectOutcome:
    channel_id: int
    state: str  # collected / skipped / waiting / rate_limited / failed
    posts: int = 0
    samples: int = 0
    error: str = ""


def _fetch_channel_metrics(connector: object) -> list[NetworkSample]:
    fetch = getattr(connector, "fetch_channel_metrics", None)
    if fetch is None:
        return []
    try:
        result: list[NetworkSample] = fetch()
    except NotImplementedError:
        return []
    return result


def channel_collect(channel: Channel, *, now: datetime | None = None) -> CollectOutcome:
    """Pull the due posts' figures (and, every few hours, the channel's) for one channel, once."""
    now = now or timezone.now()
    outcome = CollectOutcome(channel.pk, "skipped")
    if channel.state != Channel.State.CONNECTED:
        return outcome
    if NetCapability.METRICS not in connector_class(channel.network).capabilities:
        return outcome
    state, _created = ChannelCollection.objects.get_or_create(channel=channel)
    if state.next_try_at and state.next_try_at > now:
        outcome.state = "waiting"
        return outcome
    blocked = ChannelThrottle.objects.filter(channel=channel, blocked_until__gt=now).values_list(
        "blocked_until", flat=True
    )
    if blocked:
        outcome.state = "waiting"  # publishing (or an earlier pull) was told to wait: share that wait
        return outcome
    due = list(
        TrackedPost.objects.filter(channel=channel, next_collect_at__lte=now).order_by("next_collect_at")[
            :BATCH
        ]
    )
    channel_due = state.next_channel_metrics_at is None or state.next_channel_metrics_at <= now
    if not due and not channel_due:
        return outcome
    try:
        connector = connector_for(channel)
        post_samples = connector.fetch_metrics([t.external_id for t in due]) if due else []
        channel_samples = _fetch_channel_metrics(connector) if channel_due else []
    except RateLimited as error:
        ChannelThrottle.objects.update_or_create(
            channel=channel, defaults={"blocked_until": error.retry_after}
        )
        ChannelCollection.objects.filter(pk=state.pk).update(
            next_try_at=error.retry_after, last_error=error.message[:500], last_failure_at=now
        )
        return CollectOutcome(channel.pk, "rate_limited", error=error.message)
    except ConnectorError as error:
        failures = state.failures + 1
        ChannelCollection.objects.filter(pk=state.pk).update(
            failures=failures,
            last_failure_at=now,
            last_error=error.message[:500],
            next_try_at=now + backoff(failures),
        )
        log.info("metrics of channel %s failed (%s in a row): %s", channel.pk, failures, error.message)
        return CollectOutcome(channel.pk, "failed", error=error.message)
    finally:
        closing = locals().get("connector")
        if closing is not None and hasattr(closing, "close"):
            closing.close()
    outcome.samples = samples_ingest(channel, post_samples, channel_samples)
    outcome.posts = len(due)
    outcome.state = "collected"
    for tracked in due:
        tracked.next_collect_at = next_look(tracked.published_at, now)
    TrackedPost.objects.bulk_update(due, ["next_collect_at"])
    ChannelCollection.objects.filter(pk=state.pk).update(
        failures=0,
        last_error="",
        last_success_at=now,
        next_try_at=None,
        next_channel_metrics_at=now + CHANNEL_METRICS_EVERY if channel_due else state.next_channel_metrics_at,
    )
    return outcome


def collect_due(*, now: datetime | None = None) -> list[CollectOutcome]:
    """The worker's round: start tracking new posts, then pull every connected channel that is due."""
    now = now or timezone.now()
    tracked_posts_sync(now=now)
    outcomes = []
    for channel in Channel.objects.filter(state=Channel.State.CONNECTED).select_related("organization"):
        try:
            outcomes.append(channel_collect(channel, now=now))
        except Exception:  # one broken channel must not stop the others
            log.exception("collecting metrics of channel %s", channel.pk)
    return outcomes


def samples_expire(*, now: datetime | None = None) -> int:
    """Delete raw samples older than each organisation's retention; daily figures stay."""
    from onevoice.analytics.models import AnalyticsSettings

    now = now or timezone.now()
    removed = 0
    for settings in AnalyticsSettings.objects.filter(sample_retention_days__isnull=False):
        assert settings.sample_retention_days is not None
        cutoff = now - timedelta(days=settings.sample_retention_days)
        # Deleting is the one change allowed to the history, and only through the retention the
        # organisation set; the queryset's delete is not overridden.
        deleted, _rows = MetricSample.objects.filter(
            organization_id=settings.organization_id, measured_at__lt=cutoff
        ).delete()
        removed += deleted
    return removed
