"""Collecting figures from the real local Bluesky network (PDS + AppView): a second account likes, reposts
and replies to the organisation's post and follows its account; OneVoice's collector counts it all."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from atproto import Client, models
from django.utils import timezone
from pytest_django.fixtures import Settings

from onevoice.analytics import collection
from onevoice.analytics.models import ChannelCollection, ChannelDay, TrackedPost
from onevoice.networks.connectors.base import PublishRequest
from onevoice.networks.connectors.bluesky import BlueskyConnector
from onevoice.networks.models import Channel, ChannelPost
from onevoice.networks.registry import connector_for
from tests.testbed.bluesky import Network, create_account, create_app_password

pytestmark = [pytest.mark.testbed, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def allow_the_testbed(settings: Settings) -> None:
    settings.HTTP_ALLOWED_PRIVATE_HOSTS = ["localhost", "127.0.0.1"]


def poll[T](check: Callable[[], T], what: str, timeout: float = 30.0) -> T:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.5)


def test_likes_reposts_replies_and_followers_are_collected(bluesky_network: Network, personas: Any) -> None:
    if not bluesky_network.appview:
        pytest.skip("the figures come from the AppView; start the testbed with --full")
    ours_account = create_account(bluesky_network.pds, "muster")
    fan = create_account(bluesky_network.pds, "fan")
    channel = Channel(
        organization=personas.organization,
        network="bluesky",
        name="Muster GmbH (Bluesky)",
        handle=ours_account.handle,
        external_account_id=ours_account.did,
        department=personas.marketing,
        config={"service": bluesky_network.pds},
    )
    channel.set_credentials(
        {
            "identifier": ours_account.handle,
            "app_password": create_app_password(bluesky_network.pds, ours_account),
        }
    )
    channel.save()
    result = connector_for(channel).publish(
        PublishRequest(text="Unser neues Produkt ist da!"), idempotency_key="a1"
    )
    ChannelPost.objects.create(
        channel=channel,
        text="Unser neues Produkt ist da!",
        idempotency_key=uuid.uuid4().hex,
        state=ChannelPost.State.PUBLISHED,
        external_id=result.external_id,
        url=result.url,
        published_at=timezone.now(),
    )
    ours = connector_for(channel)
    poll(lambda: ours.fetch_metrics([result.external_id]), "the AppView to index the post")

    reader = Client(base_url=bluesky_network.pds)
    reader.login(fan.handle, fan.password, fetch_bsky_profile=False)
    subject = models.ComAtprotoRepoStrongRef.Main(uri=result.raw["uri"], cid=result.raw["cid"])
    now = reader.get_current_time_iso()
    reader.app.bsky.feed.like.create(fan.did, models.AppBskyFeedLike.Record(created_at=now, subject=subject))
    reader.app.bsky.feed.repost.create(
        fan.did, models.AppBskyFeedRepost.Record(created_at=now, subject=subject)
    )
    reader.app.bsky.graph.follow.create(
        fan.did, models.AppBskyGraphFollow.Record(created_at=now, subject=ours_account.did)
    )
    BlueskyConnector(
        credentials={"identifier": fan.handle, "app_password": create_app_password(bluesky_network.pds, fan)},
        config={"service": bluesky_network.pds},
    ).reply(to_external_id=result.external_id, request=PublishRequest(text="Toll!"), idempotency_key="r1")

    def counted() -> Any:
        figures = {s.name: s.value for s in ours.fetch_metrics([result.external_id])}
        profile = {s.name: s.value for s in ours.fetch_channel_metrics()}
        done = figures.get("likes") == 1 and figures.get("replies") == 1 and profile.get("followers") == 1
        return done and figures.get("reposts") == 1

    poll(counted, "the like, repost, reply and follow in the AppView")

    outcomes = collection.collect_due(now=timezone.now())
    assert [o.state for o in outcomes] == ["collected"]
    tracked = TrackedPost.objects.get(channel=channel)
    assert (tracked.likes, tracked.reposts, tracked.replies, tracked.interactions) == (1, 1, 1, 3)
    assert ChannelDay.objects.get(channel=channel, day=timezone.localdate()).followers == 1
    assert ChannelCollection.objects.get(channel=channel).last_success_at is not None
    # An hour later the post is due again: new samples, the same lifetime counts.
    later = timezone.now() + timedelta(hours=1, minutes=1)
    assert [o.state for o in collection.collect_due(now=later)] == ["collected"]
    tracked.refresh_from_db()
    assert tracked.interactions == 3
