"""The organisation's own newsroom: posts are kept by OneVoice and served as an Atom feed.

Publishing needs no outside network, so it cannot fail half-way: the post row is the publication.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from onevoice.networks.connectors.base import (
    AccountInfo,
    Capability,
    Connector,
    InboxPage,
    MetricSample,
    PublishRequest,
    PublishResult,
    TextCounting,
)


class NewsroomConnector(Connector):
    kind = "newsroom"
    label = "Newsroom"
    capabilities = frozenset({Capability.PUBLISH, Capability.DELETE})
    text_counting = TextCounting.GRAPHEMES
    max_text_length = 10_000
    max_images = 4
    max_image_bytes = 10_000_000

    def _channel_id(self) -> str:
        return str(self.config["channel_public_id"])

    def verify(self) -> AccountInfo:
        feed_url = settings.BASE_URL + reverse("newsroom-feed", args=[self._channel_id()])
        return AccountInfo(
            external_id=self._channel_id(),
            handle=feed_url,
            display_name=str(self.config.get("title", "")),
            profile_url=settings.BASE_URL + reverse("newsroom-page", args=[self._channel_id()]),
        )

    def publish(self, request: PublishRequest, *, idempotency_key: str) -> PublishResult:
        url = settings.BASE_URL + reverse("newsroom-entry", args=[self._channel_id(), idempotency_key])
        return PublishResult(external_id=idempotency_key, url=url, published_at=timezone.now())

    def find_published(
        self,
        *,
        idempotency_key: str,
        request: PublishRequest | None = None,
        not_before: datetime | None = None,
    ) -> PublishResult | None:
        return None

    def delete(self, external_id: str) -> None:
        """Nothing to do outside: the feed leaves deleted posts out."""

    def fetch_inbox(self, *, since: str = "") -> InboxPage:
        return InboxPage(items=[])

    def fetch_metrics(self, external_ids: Sequence[str]) -> list[MetricSample]:
        return []
