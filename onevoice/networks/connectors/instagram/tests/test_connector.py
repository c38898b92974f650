"""Instagram: limits checked before sending, the container → publish flow made exactly-once, comments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from onevoice.networks.connectors.base import (
    ConnectorError,
    MediaItem,
    PublishRequest,
    RateLimited,
    Unconfirmed,
)
from onevoice.networks.connectors.instagram.connector import InstagramConnector
from onevoice.networks.connectors.instagram.tests.conftest import GRAPH, IG, jpeg
from onevoice.networks.tests.recorded_http import Recorded

CONTAINER = "17889455560051444"


def account(saved: list[dict] | None = None, **credentials: object) -> InstagramConnector:
    connector = InstagramConnector(
        credentials={"access_token": "page-token", **credentials},
        config={"ig_user_id": IG},
        on_credentials_changed=(saved.append if saved is not None else None),
    )
    connector.media_url = lambda item: (
        f"https://onevoice.example/media/public-media/{item.alt_text or 'x'}.jpg"
    )
    connector.sleep = lambda seconds: None
    return connector


def image(alt: str = "Logo", width: int = 1080, height: int = 1080) -> MediaItem:
    return MediaItem(jpeg(width, height), "image/jpeg", alt)


class TestLimits:
    def test_text_only_pngs_wrong_ratios_and_too_many_hashtags_are_refused_before_sending(self) -> None:
        codes = {p.code for p in account().check(PublishRequest(text="Nur Text"))}
        assert "image_required" in codes
        png = MediaItem(b"\x89PNG\r\n\x1a\n", "image/png")
        assert "image_type" in {p.code for p in account().check(PublishRequest(text="x", media=[png]))}
        wide = account().check(PublishRequest(text="x", media=[image(width=2000, height=800)]))
        assert [p.code for p in wide] == ["aspect_ratio"]
        tags = " ".join(f"#tag{i}" for i in range(31))
        assert "too_many_hashtags" in {
            p.code for p in account().check(PublishRequest(text=tags, media=[image()]))
        }
        assert account().check(PublishRequest(text="#a #b", media=[image(width=1080, height=1350)])) == []


class TestPublishing:
    def test_a_carousel_sends_children_with_alt_text_then_publishes(self, instagram: Recorded) -> None:
        instagram.add("GET", f"{GRAPH}/{IG}/content_publishing_limit", "publishing_limit")
        instagram.add("POST", f"{GRAPH}/{IG}/media", "child_container_1")
        instagram.add("POST", f"{GRAPH}/{IG}/media", "child_container_2")
        instagram.add("POST", f"{GRAPH}/{IG}/media", "carousel_container")
        instagram.add("GET", f"{GRAPH}/18002151838040211", "status_in_progress")
        instagram.add("GET", f"{GRAPH}/18002151838040211", "status_finished")
        instagram.add("POST", f"{GRAPH}/{IG}/media_publish", "media_published")
        instagram.add("GET", f"{GRAPH}/17920238422030506", "media_details")
        saved: list[dict] = []
        result = account(saved).publish(
            PublishRequest(text="Zwei Bilder", media=[image("Eins"), image("Zwei")]), idempotency_key="k1"
        )
        children = instagram.sent("POST", f"{GRAPH}/{IG}/media")
        first = Recorded.form_of(children[0])
        assert first == {
            "image_url": "https://onevoice.example/media/public-media/Eins.jpg",
            "is_carousel_item": "true",
            "alt_text": "Eins",
        }
        carousel = Recorded.form_of(children[2])
        assert carousel == {
            "media_type": "CAROUSEL",
            "children": "17899506308402767,18000748627392977",
            "caption": "Zwei Bilder",
        }
        assert Recorded.form_of(instagram.sent("POST", f"{GRAPH}/{IG}/media_publish")[0]) == {
            "creation_id": "18002151838040211"
        }
        # The container id was saved before publishing, and forgotten after.
        assert saved[0]["ig_containers"] == {"k1": "18002151838040211"}
        assert saved[-1]["ig_containers"] == {}
        assert result.url == "https://www.instagram.com/p/DCfakeShort/"
        assert result.published_at == datetime(2025, 11, 27, 9, 0, 2, tzinfo=UTC)

    def test_a_retry_reuses_the_saved_container(self, instagram: Recorded) -> None:
        instagram.add("GET", f"{GRAPH}/{CONTAINER}", "status_finished")
        instagram.add("POST", f"{GRAPH}/{IG}/media_publish", "media_published")
        instagram.add("GET", f"{GRAPH}/17920238422030506", "media_details")
        account(ig_containers={"k1": CONTAINER}).publish(
            PublishRequest(text="x", media=[image()]), idempotency_key="k1"
        )
        assert instagram.sent("POST", f"{GRAPH}/{IG}/media?") == []
        assert not [
            c
            for c in instagram.calls
            if str(c.url).startswith(f"{GRAPH}/{IG}/media")
            and c.method == "POST"
            and "publish" not in str(c.url)
        ]

    def test_a_container_already_published_is_found_instead_of_posted_again(
        self, instagram: Recorded
    ) -> None:
        instagram.add("GET", f"{GRAPH}/{CONTAINER}", "status_published")
        instagram.add("GET", f"{GRAPH}/{IG}/media", "recent_media")
        connector = account(ig_containers={"k1": CONTAINER})
        connector.find_published_window = timedelta(days=3650)  # type: ignore[misc]  # recorded in 2025
        result = connector.publish(
            PublishRequest(
                text="Hallo aus dem Redaktionsplan! #OneVoice https://example.org/news", media=[image()]
            ),
            idempotency_key="k1",
        )
        assert result.external_id == "17920238422030506"
        assert instagram.sent("POST", f"{GRAPH}/{IG}/media_publish") == []

    def test_a_lost_publish_answer_is_unconfirmed(self, instagram: Recorded) -> None:
        instagram.add("GET", f"{GRAPH}/{IG}/content_publishing_limit", "publishing_limit")
        instagram.add("POST", f"{GRAPH}/{IG}/media", "container_created")
        instagram.add("GET", f"{GRAPH}/{CONTAINER}", "status_finished")
        instagram.add("POST", f"{GRAPH}/{IG}/media_publish", httpx.ReadTimeout("timed out"))
        saved: list[dict] = []
        with pytest.raises(Unconfirmed):
            account(saved).publish(PublishRequest(text="x", media=[image()]), idempotency_key="k1")
        assert saved[-1]["ig_containers"] == {"k1": CONTAINER}  # kept for the reconciliation

    def test_the_publishing_limit_is_read_at_run_time(self, instagram: Recorded) -> None:
        instagram.add("GET", f"{GRAPH}/{IG}/content_publishing_limit", "publishing_limit_used_up")
        with pytest.raises(RateLimited) as error:
            account().publish(PublishRequest(text="x", media=[image()]), idempotency_key="k1")
        assert "100 posts" in error.value.message
        assert len(instagram.calls) == 1

    def test_a_container_instagram_refuses_is_a_permanent_error_with_its_reason(
        self, instagram: Recorded
    ) -> None:
        instagram.add("GET", f"{GRAPH}/{IG}/content_publishing_limit", "publishing_limit")
        instagram.add("POST", f"{GRAPH}/{IG}/media", "container_created")
        instagram.add("GET", f"{GRAPH}/{CONTAINER}", "status_error")
        with pytest.raises(ConnectorError) as error:
            account().publish(PublishRequest(text="x", media=[image()]), idempotency_key="k1")
        assert error.value.permanent
        assert "Unsupported format" in error.value.message


class TestCommunity:
    def test_comments_come_in_and_can_be_answered_and_hidden(self, instagram: Recorded) -> None:
        instagram.add("GET", f"{GRAPH}/{IG}/media", "recent_media")
        instagram.add("GET", f"{GRAPH}/17920238422030506/comments", "comments")
        instagram.add("POST", f"{GRAPH}/17858893269000001/replies", "reply_created")
        instagram.add("POST", f"{GRAPH}/17858893269000001", "success")
        connector = account()
        inbox = connector.fetch_inbox()
        assert [i.author_handle for i in inbox.items] == ["kundin.anna"]
        reply = connector.reply(
            to_external_id="17858893269000001", request=PublishRequest(text="Im Laden!"), idempotency_key="r"
        )
        connector.hide("17858893269000001")
        assert reply.external_id == "17858893269000003"
        assert Recorded.form_of(instagram.calls[-1]) == {"hide": "true"}

    def test_metrics(self, instagram: Recorded) -> None:
        instagram.add("GET", f"{GRAPH}/17920238422030506", "media_metrics")
        samples = account().fetch_metrics(["17920238422030506"])
        assert {(s.name, s.value) for s in samples} == {("likes", 31), ("replies", 2)}
