"""The Bluesky connector against the real reference PDS and AppView of the local testbed.

What the connector wrote is read back independently, with the plain `atproto` SDK, never through the
connector. The AppView indexes asynchronously, so anything read from it is polled with a deadline.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any

import pytest
from atproto import Client, models
from atproto_client.exceptions import BadRequestError
from PIL import Image
from pytest_django.fixtures import Settings

from onevoice.networks.connectors.base import AuthExpired, InboundKind, MediaItem, PublishRequest
from onevoice.networks.connectors.bluesky import BlueskyConnector
from onevoice.networks.connectors.bluesky.record_key import record_key_for
from tests.testbed.bluesky import Account, Network, create_account, create_app_password

pytestmark = pytest.mark.testbed

POST = "app.bsky.feed.post"


@pytest.fixture(autouse=True)
def allow_the_testbed(settings: Settings) -> None:
    settings.HTTP_ALLOWED_PRIVATE_HOSTS = ["localhost", "127.0.0.1"]


@pytest.fixture
def alice(bluesky_network: Network) -> Account:
    return create_account(bluesky_network.pds, "alice")


@pytest.fixture
def bob(bluesky_network: Network) -> Account:
    return create_account(bluesky_network.pds, "bob")


def channel(
    network: Network, account: Account, saved: list[dict[str, Any]] | None = None
) -> BlueskyConnector:
    """A connected channel: the account's handle and an app password made for OneVoice."""
    return BlueskyConnector(
        credentials={"identifier": account.handle, "app_password": create_app_password(network.pds, account)},
        config={"service": network.pds},
        on_credentials_changed=saved.append if saved is not None else None,
    )


def sdk(network: Network, account: Account) -> Client:
    """The plain SDK, signed in with the account's main password: the independent reader."""
    client = Client(base_url=network.pds)
    client.login(account.handle, account.password, fetch_bsky_profile=False)
    return client


def poll[T](check: Callable[[], T], what: str, timeout: float = 30.0) -> T:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.3)


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 200)).save(out, "PNG")
    return out.getvalue()


def rkey_of(uri: str) -> str:
    return uri.rsplit("/", 1)[1]


class TestConnect:
    def test_an_app_password_connects_and_the_session_is_handed_over(
        self, bluesky_network: Network, alice: Account
    ) -> None:
        saved: list[dict[str, Any]] = []
        account = channel(bluesky_network, alice, saved).verify()
        assert account.external_id == alice.did
        assert account.handle == alice.handle
        assert saved[-1]["did"] == alice.did
        assert saved[-1]["access_jwt"]
        assert saved[-1]["refresh_jwt"]

    def test_the_stored_session_is_reused(self, bluesky_network: Network, alice: Account) -> None:
        saved: list[dict[str, Any]] = []
        channel(bluesky_network, alice, saved).verify()
        again = BlueskyConnector(
            credentials={**saved[-1], "app_password": ""}, config={"service": bluesky_network.pds}
        )
        assert again.verify().external_id == alice.did

    def test_a_wrong_app_password_means_reconnect(self, bluesky_network: Network, alice: Account) -> None:
        wrong = BlueskyConnector(
            credentials={"identifier": alice.handle, "app_password": "aaaa-bbbb-cccc-dddd"},
            config={"service": bluesky_network.pds},
        )
        with pytest.raises(AuthExpired):
            wrong.verify()


class TestPublish:
    def test_a_post_with_link_mention_tag_and_image_reads_back_as_written(
        self, bluesky_network: Network, alice: Account, bob: Account
    ) -> None:
        text = f"Grüße 👋🏽 an @{bob.handle} und @niemand.test #Sommerfest https://example.org/straße"
        request = PublishRequest(
            text=text,
            media=[MediaItem(png(80, 45), "image/png", "Blaues Rechteck im Format 16:9")],
            language="de",
        )
        result = channel(bluesky_network, alice).publish(request, idempotency_key="live-variant-1")

        assert result.external_id == f"at://{alice.did}/{POST}/{record_key_for('live-variant-1')}"
        assert (
            result.url == f"https://bsky.app/profile/{alice.handle}/post/{record_key_for('live-variant-1')}"
        )
        record = (
            sdk(bluesky_network, alice).app.bsky.feed.post.get(alice.did, rkey_of(result.external_id)).value
        )
        assert record.text == text
        assert record.langs == ["de"]
        data = text.encode()
        facets = {
            data[f.index.byte_start : f.index.byte_end].decode(): f.features[0] for f in record.facets or []
        }
        assert set(facets) == {f"@{bob.handle}", "#Sommerfest", "https://example.org/straße"}
        assert facets[f"@{bob.handle}"].did == bob.did
        assert facets["#Sommerfest"].tag == "Sommerfest"
        assert facets["https://example.org/straße"].uri == "https://example.org/straße"
        image = record.embed.images[0]
        assert image.alt == "Blaues Rechteck im Format 16:9"
        assert (image.aspect_ratio.width, image.aspect_ratio.height) == (80, 45)
        assert image.image.mime_type == "image/png"

    def test_the_same_key_never_makes_a_second_post(self, bluesky_network: Network, alice: Account) -> None:
        connector = channel(bluesky_network, alice)
        first = connector.publish(PublishRequest(text="Nur einmal, bitte."), idempotency_key="live-once")
        # A second worker, or a retry after a crash, with a fresh connector.
        second = channel(bluesky_network, alice).publish(
            PublishRequest(text="Nur einmal, bitte."), idempotency_key="live-once"
        )
        assert second.external_id == first.external_id
        posts = sdk(bluesky_network, alice).com.atproto.repo.list_records(
            models.ComAtprotoRepoListRecords.Params(repo=alice.did, collection=POST)
        )
        assert [r.uri for r in posts.records] == [first.external_id]
        assert connector.find_published(idempotency_key="live-once") == connector.find_published(
            idempotency_key="live-once"
        )
        assert connector.find_published(idempotency_key="live-never") is None

    def test_a_link_card_is_made_from_the_link_alone(self, bluesky_network: Network, alice: Account) -> None:
        result = channel(bluesky_network, alice).publish(
            PublishRequest(text="Neu im Blog", link="https://example.org/blog/1"), idempotency_key="live-card"
        )
        record = (
            sdk(bluesky_network, alice).app.bsky.feed.post.get(alice.did, rkey_of(result.external_id)).value
        )
        assert record.embed.external.uri == "https://example.org/blog/1"

    def test_a_deleted_post_is_gone(self, bluesky_network: Network, alice: Account) -> None:
        connector = channel(bluesky_network, alice)
        result = connector.publish(PublishRequest(text="Gleich wieder weg"), idempotency_key="live-delete")
        connector.delete(result.external_id)
        with pytest.raises(BadRequestError):  # the PDS answers 400 RecordNotFound, not 404
            sdk(bluesky_network, alice).app.bsky.feed.post.get(alice.did, rkey_of(result.external_id))
        assert connector.find_published(idempotency_key="live-delete") is None


class TestInboxAndMetrics:
    def test_a_reply_and_a_mention_arrive_and_a_like_is_counted(
        self, bluesky_network: Network, alice: Account, bob: Account
    ) -> None:
        ours = channel(bluesky_network, alice)
        theirs = channel(bluesky_network, bob)
        post = ours.publish(PublishRequest(text="Was meint ihr?"), idempotency_key="live-inbox")
        # The AppView must know the post before a reply to it counts as a reply.
        poll(lambda: ours.fetch_metrics([post.external_id]), "the AppView to index the post")

        reply = theirs.reply(
            to_external_id=post.external_id, request=PublishRequest(text="Finde ich gut"), idempotency_key="r"
        )
        mention = theirs.publish(PublishRequest(text=f"Frag mal @{alice.handle}"), idempotency_key="m")
        reader = sdk(bluesky_network, bob)
        reader.app.bsky.feed.like.create(
            bob.did,
            models.AppBskyFeedLike.Record(
                created_at=reader.get_current_time_iso(),
                subject=models.ComAtprotoRepoStrongRef.Main(uri=post.raw["uri"], cid=post.raw["cid"]),
            ),
        )

        def both_arrived() -> Any:
            page = ours.fetch_inbox()
            kinds = {item.kind for item in page.items}
            return page if {InboundKind.REPLY, InboundKind.MENTION} <= kinds else None

        page = poll(both_arrived, "the reply and the mention in the inbox")
        items = {item.external_id: item for item in page.items}
        assert items[reply.external_id].kind is InboundKind.REPLY
        assert items[reply.external_id].in_reply_to == post.external_id
        assert items[reply.external_id].thread_root == post.external_id
        assert items[reply.external_id].author_id == bob.did
        assert items[reply.external_id].text == "Finde ich gut"
        assert items[mention.external_id].kind is InboundKind.MENTION
        assert all(item.created_at.utcoffset() is not None for item in page.items)
        assert ours.fetch_inbox(since=page.cursor).items == []

        def liked() -> Any:
            counts = {s.name: s.value for s in ours.fetch_metrics([post.external_id])}
            return counts if counts.get("likes") == 1 else None

        counts = poll(liked, "the like in the metrics")
        assert counts["replies"] == 1
