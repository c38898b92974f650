"""Facebook Pages: what is sent and what is understood, on documented Graph API answers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from onevoice.networks.connectors.base import ConnectorError, MediaItem, PublishRequest, RateLimited
from onevoice.networks.connectors.facebook.connector import FacebookConnector
from onevoice.networks.connectors.facebook.tests.conftest import GRAPH, PAGE
from onevoice.networks.tests.recorded_http import Recorded

JPEG = b"\xff\xd8\xff\xe0" + b"0" * 64


def page() -> FacebookConnector:
    return FacebookConnector(credentials={"access_token": "page-token"}, config={"page_id": PAGE})


class TestPublishing:
    def test_a_link_post_goes_to_the_feed_with_the_page_token(self, facebook: Recorded) -> None:
        facebook.add("POST", f"{GRAPH}/{PAGE}/feed", "feed_created")
        result = page().publish(PublishRequest(text="Neu", link="https://example.org"), idempotency_key="k")
        sent = facebook.calls[0]
        assert sent.headers["Authorization"] == "Bearer page-token"
        assert "access_token" not in str(sent.url)  # never in a URL that could be logged
        assert Recorded.form_of(sent) == {"message": "Neu", "link": "https://example.org"}
        assert result.external_id == f"{PAGE}_122100000000000001"
        assert result.url == f"https://www.facebook.com/{PAGE}_122100000000000001"

    def test_images_are_uploaded_unpublished_and_attached_to_one_post(self, facebook: Recorded) -> None:
        facebook.add("POST", f"{GRAPH}/{PAGE}/photos", "photo_unpublished", repeat=True)
        facebook.add("POST", f"{GRAPH}/{PAGE}/feed", "feed_created")
        images = [MediaItem(JPEG, "image/jpeg", "Messestand"), MediaItem(JPEG, "image/jpeg", "Team")]
        page().publish(PublishRequest(text="Messe", media=images), idempotency_key="k")
        uploads = facebook.sent("POST", f"{GRAPH}/{PAGE}/photos")
        assert len(uploads) == 2
        assert b'name="published"\r\n\r\nfalse' in uploads[0].content
        assert b"Messestand" in uploads[0].content
        assert JPEG in uploads[0].content
        form = Recorded.form_of(facebook.sent("POST", f"{GRAPH}/{PAGE}/feed")[0])
        assert json.loads(form["attached_media[1]"]) == {"media_fbid": "122100000000000777"}

    def test_a_missing_permission_is_named(self, facebook: Recorded) -> None:
        facebook.add("POST", f"{GRAPH}/{PAGE}/feed", "permission_200")
        with pytest.raises(ConnectorError) as error:
            page().publish(PublishRequest(text="x"), idempotency_key="k")
        assert error.value.permanent
        assert "pages_manage_posts" in error.value.message

    def test_the_rate_limit_waits_as_long_as_meta_says(self, facebook: Recorded) -> None:
        facebook.add("POST", f"{GRAPH}/{PAGE}/feed", "rate_limited_32")
        with pytest.raises(RateLimited) as error:
            page().publish(PublishRequest(text="x"), idempotency_key="k")
        wait = error.value.retry_after - datetime.now(UTC)
        assert timedelta(minutes=16) < wait <= timedelta(minutes=17)

    def test_an_unconfirmed_post_is_found_by_its_text(self, facebook: Recorded) -> None:
        facebook.add("GET", f"{GRAPH}/{PAGE}/published_posts", "published_posts")
        found = page().find_published(
            idempotency_key="k",
            request=PublishRequest(text="Hallo aus dem Redaktionsplan! #OneVoice https://example.org/news"),
            not_before=datetime(2025, 11, 27, tzinfo=UTC),
        )
        assert found is not None
        assert found.external_id == f"{PAGE}_122100000000000001"
        assert found.published_at == datetime(2025, 11, 27, 9, tzinfo=UTC)


class TestCommunity:
    def test_comments_of_others_come_in_and_the_pages_own_do_not(self, facebook: Recorded) -> None:
        facebook.add("GET", f"{GRAPH}/{PAGE}/published_posts", "published_posts")
        facebook.add("GET", f"{GRAPH}/{PAGE}_122100000000000001/comments", "comments")
        facebook.add("GET", f"{GRAPH}/{PAGE}_122099999999999999/comments", "comments_empty")
        inbox = page().fetch_inbox()
        assert [i.author_name for i in inbox.items] == ["Max Kunde"]
        assert "<img" in inbox.items[0].text  # text; templates escape it
        assert inbox.items[0].created_at == datetime(2025, 11, 27, 10, 15, tzinfo=UTC)
        assert inbox.cursor == "2025-11-27T10:15:00+00:00"

    def test_a_second_fetch_brings_only_newer_comments(self, facebook: Recorded) -> None:
        facebook.add("GET", f"{GRAPH}/{PAGE}/published_posts", "published_posts")
        facebook.add("GET", f"{GRAPH}/{PAGE}_122100000000000001/comments", "comments")
        facebook.add("GET", f"{GRAPH}/{PAGE}_122099999999999999/comments", "comments_empty")
        assert page().fetch_inbox(since="2025-11-27T10:15:00+00:00").items == []

    def test_reply_hide_and_like(self, facebook: Recorded) -> None:
        comment = "122100000000000001_900000000000001"
        facebook.add("POST", f"{GRAPH}/{comment}/comments", "comment_created")
        facebook.add("POST", f"{GRAPH}/{comment}/likes", "success")
        facebook.add("POST", f"{GRAPH}/{comment}", "success")
        connector = page()
        result = connector.reply(
            to_external_id=comment, request=PublishRequest(text="Ja, ab Montag."), idempotency_key="r"
        )
        connector.like(comment)
        connector.hide(comment)
        assert result.external_id == "122100000000000001_900000000000003"
        assert Recorded.form_of(facebook.calls[0]) == {"message": "Ja, ab Montag."}
        assert Recorded.form_of(facebook.calls[2]) == {"is_hidden": "true"}

    def test_metrics_come_from_the_summaries(self, facebook: Recorded) -> None:
        facebook.add("GET", f"{GRAPH}/{PAGE}_122100000000000001", "post_metrics")
        facebook.add("GET", f"{GRAPH}/{PAGE}?", "page_followers")
        connector = page()
        samples = connector.fetch_metrics([f"{PAGE}_122100000000000001"])
        assert {(s.name, s.value) for s in samples} == {("likes", 42), ("replies", 5), ("reposts", 3)}
        assert connector.fetch_channel_metrics()[0].value == 1520
