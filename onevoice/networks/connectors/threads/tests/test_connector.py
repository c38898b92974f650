"""Threads: containers for text, images and carousels; replies; hiding; token renewal; insights."""

from __future__ import annotations

import time

import pytest

from onevoice.networks.connectors.base import ConnectorError, MediaItem, PublishRequest
from onevoice.networks.connectors.threads.connector import ThreadsConnector
from onevoice.networks.connectors.threads.tests.conftest import API, USER
from onevoice.networks.tests.recorded_http import Recorded

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 32


def profile(saved: list[dict] | None = None, **credentials: object) -> ThreadsConnector:
    connector = ThreadsConnector(
        credentials={"access_token": "t", **credentials},
        config={"threads_user_id": USER},
        on_credentials_changed=saved.append if saved is not None else None,
    )
    connector.sleep = lambda seconds: None
    connector.media_url = lambda item: f"https://onevoice.example/media/public-media/{item.alt_text}.png"
    return connector


def finish(threads: Recorded, container: str = "18039430466618413") -> None:
    threads.add("GET", f"{API}/{container}", "status_finished")
    threads.add("POST", f"{API}/{USER}/threads_publish", "published")
    threads.add("GET", f"{API}/18062500000000001", "media_details")


class TestPublishing:
    def test_a_text_post_with_a_link(self, threads: Recorded) -> None:
        threads.add("GET", f"{API}/{USER}/threads_publishing_limit", "publishing_limit")
        threads.add("POST", f"{API}/{USER}/threads", "container_created")
        finish(threads)
        result = profile().publish(
            PublishRequest(text="Neu", link="https://example.org"), idempotency_key="k"
        )
        assert Recorded.form_of(threads.sent("POST", f"{API}/{USER}/threads")[0]) == {
            "media_type": "TEXT",
            "text": "Neu\nhttps://example.org",
        }
        assert result.url == "https://www.threads.net/@muster.gmbh/post/DCfakeCode"

    def test_a_carousel_carries_alt_texts(self, threads: Recorded) -> None:
        threads.add("GET", f"{API}/{USER}/threads_publishing_limit", "publishing_limit")
        threads.add("POST", f"{API}/{USER}/threads", "child_1")
        threads.add("POST", f"{API}/{USER}/threads", "child_2")
        threads.add("POST", f"{API}/{USER}/threads", "carousel_container")
        threads.add("GET", f"{API}/18039430466618999", "status_in_progress")
        finish(threads, "18039430466618999")
        media = [MediaItem(PNG, "image/png", "Eins"), MediaItem(PNG, "image/png", "Zwei")]
        profile().publish(PublishRequest(text="Bilder", media=media), idempotency_key="k")
        sent = [Recorded.form_of(c) for c in threads.sent("POST", f"{API}/{USER}/threads")]
        assert sent[0]["alt_text"] == "Eins"
        assert sent[0]["is_carousel_item"] == "true"
        assert sent[2]["children"] == "18039430466618001,18039430466618002"

    def test_a_retry_reuses_the_container(self, threads: Recorded) -> None:
        finish(threads)
        profile(threads_containers={"k": "18039430466618413"}).publish(
            PublishRequest(text="x"), idempotency_key="k"
        )
        assert [c.url.path for c in threads.calls if c.method == "POST"] == [f"/v1.0/{USER}/threads_publish"]

    def test_a_failed_container_is_permanent(self, threads: Recorded) -> None:
        threads.add("GET", f"{API}/{USER}/threads_publishing_limit", "publishing_limit")
        threads.add("POST", f"{API}/{USER}/threads", "container_created")
        threads.add("GET", f"{API}/18039430466618413", "status_error")
        with pytest.raises(ConnectorError) as error:
            profile().publish(PublishRequest(text="x"), idempotency_key="k")
        assert error.value.permanent
        assert "FAILED_DOWNLOADING" in error.value.message

    def test_more_than_five_links_are_refused_before_sending(self) -> None:
        text = " ".join(f"https://example.org/{i}" for i in range(6))
        assert "too_many_links" in {p.code for p in profile().check(PublishRequest(text=text))}


class TestTokens:
    def test_a_token_with_less_than_a_week_left_is_renewed(self, threads: Recorded) -> None:
        threads.add("GET", "https://graph.threads.net/refresh_access_token", "token_refreshed")
        threads.add("DELETE", f"{API}/18062500000000001", "success")
        saved: list[dict] = []
        profile(saved, expires_at=int(time.time()) + 3 * 86400).delete("18062500000000001")
        assert "grant_type=th_refresh_token" in str(threads.calls[0].url)
        assert saved[0]["access_token"] == "THQVrefreshed"
        assert saved[0]["expires_at"] > time.time() + 59 * 86400
        assert threads.calls[1].headers["Authorization"] == "Bearer THQVrefreshed"


class TestCommunity:
    def test_replies_come_in_and_can_be_hidden(self, threads: Recorded) -> None:
        threads.add("GET", f"{API}/{USER}/threads", "recent_threads")
        threads.add("GET", f"{API}/18062500000000001/conversation", "conversation")
        threads.add("POST", f"{API}/18062500000000101/manage_reply", "success")
        connector = profile()
        inbox = connector.fetch_inbox()
        assert [i.author_handle for i in inbox.items] == ["leser.lena"]
        connector.hide("18062500000000101")
        assert Recorded.form_of(threads.calls[-1]) == {"hide": "true"}

    def test_a_reply_is_a_post_with_reply_to_id(self, threads: Recorded) -> None:
        threads.add("GET", f"{API}/{USER}/threads_publishing_limit", "publishing_limit")
        threads.add("POST", f"{API}/{USER}/threads", "container_created")
        finish(threads)
        profile().reply(
            to_external_id="18062500000000101", request=PublishRequest(text="Danke!"), idempotency_key="r"
        )
        assert (
            Recorded.form_of(threads.sent("POST", f"{API}/{USER}/threads")[0])["reply_to_id"]
            == "18062500000000101"
        )

    def test_insights(self, threads: Recorded) -> None:
        threads.add("GET", f"{API}/18062500000000001/insights", "insights")
        samples = profile().fetch_metrics(["18062500000000001"])
        assert {(s.name, s.value) for s in samples} >= {("impressions", 812), ("likes", 40), ("quotes", 1)}


class TestChannelMetrics:
    def test_the_profile_reports_its_followers(self, threads: Recorded) -> None:
        threads.add("GET", f"{API}/{USER}/threads_insights", "user_insights")
        assert [(s.name, s.value) for s in profile().fetch_channel_metrics()] == [("followers", 1290)]
