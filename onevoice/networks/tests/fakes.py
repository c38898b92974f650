"""A scripted connector for service and view tests: it answers what the test tells it to.

The real networks are tested in each connector's own tests (recorded answers) and, for Bluesky,
against the real local network in tests/testbed/.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

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


class ScriptedConnector(Connector):
    kind = "bluesky"
    label = "Bluesky"
    capabilities = frozenset(Capability)
    text_counting = TextCounting.GRAPHEMES
    max_text_length = 300
    max_images = 4
    max_image_bytes = 1_000_000

    # What the next calls do: an exception to raise, or None for success.
    fail_verify: ClassVar[Exception | None] = None
    fail_publish: ClassVar[Exception | None] = None
    fail_publish_times: ClassVar[int] = 0  # with fail_publish: fail only this many times, then succeed
    publish_calls: ClassVar[int] = 0
    fail_delete: ClassVar[Exception | None] = None
    found_after_unconfirmed: ClassVar[PublishResult | None] = None
    published: ClassVar[dict[str, PublishRequest]] = {}
    deleted: ClassVar[list[str]] = []
    rotate_to: ClassVar[dict[str, Any] | None] = None
    # Inbox answers and moderation (casework): what was sent, and what the next call does.
    fail_reply: ClassVar[Exception | None] = None
    replies: ClassVar[dict[str, tuple[str, PublishRequest]]] = {}  # idempotency key → (answered id, request)
    liked: ClassVar[list[str]] = []
    hidden: ClassVar[list[str]] = []
    fail_like: ClassVar[Exception | None] = None

    @classmethod
    def reset(cls) -> None:
        cls.fail_reply = cls.fail_like = None
        cls.replies = {}
        cls.liked = []
        cls.hidden = []
        cls.fail_verify = cls.fail_publish = cls.fail_delete = None
        cls.fail_publish_times = 0
        cls.publish_calls = 0
        cls.found_after_unconfirmed = None
        cls.published = {}
        cls.deleted = []
        cls.rotate_to = None

    def verify(self) -> AccountInfo:
        if self.fail_verify is not None:
            raise self.fail_verify
        if self.rotate_to is not None:
            self.credentials_changed(self.rotate_to)
        return AccountInfo(
            external_id="did:plc:muster",
            handle=str(self.credentials.get("identifier", "muster.test")),
            display_name="Muster GmbH",
            avatar_url="https://cdn.example/avatar.jpg",
            profile_url="https://bsky.app/profile/muster.test",
        )

    def publish(self, request: PublishRequest, *, idempotency_key: str) -> PublishResult:
        type(self).publish_calls += 1
        failing = not self.fail_publish_times or self.publish_calls <= self.fail_publish_times
        if self.fail_publish is not None and failing:
            raise self.fail_publish
        type(self).published[idempotency_key] = request
        return PublishResult(
            external_id=f"at://did:plc:muster/app.bsky.feed.post/{idempotency_key[:13]}",
            url=f"https://bsky.app/profile/muster.test/post/{idempotency_key[:13]}",
            published_at=datetime(2026, 11, 27, 10, 0, tzinfo=UTC),
        )

    def find_published(
        self,
        *,
        idempotency_key: str,
        request: PublishRequest | None = None,
        not_before: datetime | None = None,
    ) -> PublishResult | None:
        return self.found_after_unconfirmed

    def delete(self, external_id: str) -> None:
        if self.fail_delete is not None:
            raise self.fail_delete
        type(self).deleted.append(external_id)

    def fetch_inbox(self, *, since: str = "") -> InboxPage:
        return InboxPage(items=[])

    def reply(self, *, to_external_id: str, request: PublishRequest, idempotency_key: str) -> PublishResult:
        if self.fail_reply is not None:
            raise self.fail_reply
        type(self).replies[idempotency_key] = (to_external_id, request)  # the same key: still one answer
        return PublishResult(
            external_id=f"at://did:plc:muster/app.bsky.feed.post/r{idempotency_key[:12]}",
            url=f"https://bsky.app/profile/muster.test/post/r{idempotency_key[:12]}",
            published_at=datetime(2026, 11, 27, 10, 5, tzinfo=UTC),
        )

    def like(self, external_id: str) -> None:
        if self.fail_like is not None:
            raise self.fail_like
        if external_id not in self.liked:
            type(self).liked.append(external_id)

    def hide(self, external_id: str) -> None:
        type(self).hidden.append(external_id)

    def fetch_metrics(self, external_ids: Sequence[str]) -> list[MetricSample]:
        return []
