"""Fixtures of the analytics tests: a Bluesky channel on a connector that reports what the test says."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import ClassVar

import pytest

from onevoice.networks import services as channel_services
from onevoice.networks.connectors.base import MetricSample
from onevoice.networks.models import Channel, ChannelPost
from onevoice.networks.tests.fakes import ScriptedConnector


class MetricsConnector(ScriptedConnector):
    """Answers fetch_metrics with `values` (external id → figures) at `at`; fails with `fail` if set."""

    values: ClassVar[dict[str, dict[str, int]]] = {}
    followers: ClassVar[int | None] = None
    at: ClassVar[datetime | None] = None
    fail: ClassVar[Exception | None] = None
    calls: ClassVar[int] = 0

    @classmethod
    def reset(cls) -> None:
        super().reset()
        cls.values, cls.followers, cls.at, cls.fail, cls.calls = {}, None, None, None, 0

    def _when(self) -> datetime:
        from django.utils import timezone

        return type(self).at or timezone.now()

    def fetch_metrics(self, external_ids: Sequence[str]) -> list[MetricSample]:
        type(self).calls += 1
        if self.fail is not None:
            raise self.fail
        return [
            MetricSample(external_id=e, name=name, value=value, measured_at=self._when())
            for e in external_ids
            for name, value in self.values.get(e, {}).items()
        ]

    def fetch_channel_metrics(self) -> list[MetricSample]:
        if self.fail is not None:
            raise self.fail
        if self.followers is None:
            return []
        return [
            MetricSample(
                external_id="did:plc:muster", name="followers", value=self.followers, measured_at=self._when()
            )
        ]


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[MetricsConnector]]:
    from onevoice.networks import registry

    MetricsConnector.reset()
    monkeypatch.setitem(registry.CONNECTORS, "bluesky", "onevoice.analytics.tests.conftest.MetricsConnector")
    yield MetricsConnector
    MetricsConnector.reset()


@pytest.fixture
def bluesky(personas, network) -> Channel:
    return channel_services.channel_connect_bluesky(
        actor=personas.smm,
        name="Bluesky Muster",
        department=personas.marketing,
        identifier="muster.test",
        app_password="abcd-efgh-ijkl-mnop",
        service="https://bsky.social",
    )


@pytest.fixture
def newsroom(personas) -> Channel:
    return channel_services.channel_create_newsroom(
        actor=personas.smm, name="Newsroom", department=personas.marketing
    )


def direct_post(
    channel: Channel, external_id: str, published_at: datetime, text: str = "Hallo Welt"
) -> ChannelPost:
    """A post sent from the channel page, as the networks app records it."""
    import uuid

    return ChannelPost.objects.create(
        channel=channel,
        text=text,
        idempotency_key=uuid.uuid4().hex,
        state=ChannelPost.State.PUBLISHED,
        external_id=external_id,
        url=f"https://bsky.app/profile/muster.test/post/{external_id[-6:]}",
        published_at=published_at,
    )
