"""X: weighted counting, images with alt text, mentions, likes, hidden replies, refresh and costs."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from onevoice.networks.connectors.base import (
    AuthExpired,
    ConnectorError,
    InboundKind,
    MediaItem,
    PublishRequest,
    RateLimited,
)
from onevoice.networks.connectors.x.connector import XConnector, weighted_length
from onevoice.networks.connectors.x.tests.conftest import API, USER
from onevoice.networks.tests.recorded_http import Recorded

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 32


def account(saved: list[dict] | None = None, **credentials: object) -> XConnector:
    return XConnector(
        credentials={"access_token": "t", **credentials},
        config={"user_id": USER, "username": "muster_gmbh"},
        on_credentials_changed=saved.append if saved is not None else None,
    )


class TestCounting:
    def test_urls_count_23_whatever_their_length(self) -> None:
        assert weighted_length("Mehr: https://example.org/" + "a" * 100) == 6 + 23

    def test_cjk_and_emoji_count_double_latin_and_umlauts_single(self) -> None:
        assert weighted_length("Grüße") == 5
        assert weighted_length("日本") == 4
        assert weighted_length("👍🏽") == 2
        assert weighted_length("👨‍👩‍👧") == 2

    def test_the_check_uses_the_weighted_count(self) -> None:
        assert account().check(PublishRequest(text="日" * 141))[0].code == "text_too_long"
        assert account().check(PublishRequest(text="a" * 280)) == []


class TestPublishing:
    def test_images_are_uploaded_with_alt_text_then_posted(self, x: Recorded) -> None:
        x.add("POST", f"{API}/2/media/upload", "media_uploaded")
        x.add("POST", f"{API}/2/media/metadata", "metadata_created")
        x.add("POST", f"{API}/2/tweets", "post_created_201")
        result = account().publish(
            PublishRequest(text="Sommerfest", media=[MediaItem(PNG, "image/png", "Team beim Sommerfest")]),
            idempotency_key="k",
        )
        assert Recorded.json_of(x.calls[1]) == {
            "id": "1861700000000000777",
            "metadata": {"alt_text": {"text": "Team beim Sommerfest"}},
        }
        assert Recorded.json_of(x.calls[2]) == {
            "text": "Sommerfest",
            "media": {"media_ids": ["1861700000000000777"]},
        }
        assert result.url == "https://x.com/muster_gmbh/status/1861700000000000001"

    def test_the_rate_limit_reset_header_says_until_when(self, x: Recorded) -> None:
        x.add("POST", f"{API}/2/tweets", "rate_limited_429")
        with pytest.raises(RateLimited) as error:
            account().publish(PublishRequest(text="x"), idempotency_key="k")
        assert error.value.retry_after >= datetime(2026, 11, 27, 10, 15, tzinfo=UTC)

    def test_used_up_credits_say_what_to_do(self, x: Recorded) -> None:
        x.add("POST", f"{API}/2/tweets", "credits_402")
        with pytest.raises(ConnectorError) as error:
            account().publish(PublishRequest(text="x"), idempotency_key="k")
        assert error.value.permanent
        assert "credits" in error.value.message

    def test_a_duplicate_is_a_permanent_refusal(self, x: Recorded) -> None:
        x.add("POST", f"{API}/2/tweets", "duplicate_403")
        with pytest.raises(ConnectorError) as error:
            account().publish(PublishRequest(text="x"), idempotency_key="k")
        assert error.value.permanent
        assert "duplicate" in error.value.message

    def test_an_unconfirmed_post_is_found_despite_tco_links(self, x: Recorded) -> None:
        x.add("GET", f"{API}/2/users/{USER}/tweets", "user_posts")
        found = account().find_published(
            idempotency_key="k",
            request=PublishRequest(text="Hallo aus dem Redaktionsplan! #OneVoice https://example.org/news"),
            not_before=datetime(2025, 11, 27, tzinfo=UTC),
        )
        assert found is not None
        assert found.external_id == "1861700000000000001"


class TestTokens:
    def test_an_expiring_token_is_refreshed_with_basic_auth_and_the_new_refresh_token_kept(
        self, x: Recorded
    ) -> None:
        x.add("POST", f"{API}/2/oauth2/token", "token_refreshed")
        x.add("DELETE", f"{API}/2/tweets/1", "deleted")
        saved: list[dict] = []
        account(
            saved,
            expires_at=int(time.time()) + 30,
            refresh_token="XrefreshToken",
            client_id="cid",
            client_secret="csecret",
        ).delete("1")
        token_call = x.calls[0]
        assert token_call.headers["Authorization"].startswith("Basic ")
        assert Recorded.form_of(token_call)["grant_type"] == "refresh_token"
        assert saved[0]["refresh_token"] == "XrefreshToken2"
        assert x.calls[1].headers["Authorization"] == "Bearer XaccessToken2"

    def test_a_refused_refresh_means_reconnect(self, x: Recorded) -> None:
        x.add("POST", f"{API}/2/oauth2/token", "token_invalid_400")
        with pytest.raises(AuthExpired):
            account(
                expires_at=int(time.time()) + 30, refresh_token="old", client_id="cid", client_secret="s"
            ).delete("1")


class TestCommunity:
    def test_mentions_and_replies_come_in_with_their_authors(self, x: Recorded) -> None:
        x.add("GET", f"{API}/2/users/{USER}/mentions", "mentions")
        inbox = account().fetch_inbox(since="1861700000000000050")
        assert "since_id=1861700000000000050" in str(x.calls[0].url)
        assert [(i.kind, i.author_handle) for i in inbox.items] == [
            (InboundKind.REPLY, "kim_k"),
            (InboundKind.MENTION, "partner_ag"),
        ]
        assert inbox.cursor == "1861700000000000102"

    def test_like_and_hide(self, x: Recorded) -> None:
        x.add("POST", f"{API}/2/users/{USER}/likes", "liked")
        x.add("PUT", f"{API}/2/tweets/1861700000000000101/hidden", "hidden")
        account().like("1861700000000000101")
        account().hide("1861700000000000101")
        assert Recorded.json_of(x.calls[0]) == {"tweet_id": "1861700000000000101"}
        assert Recorded.json_of(x.calls[1]) == {"hidden": True}

    def test_public_metrics(self, x: Recorded) -> None:
        x.add("GET", f"{API}/2/tweets?", "public_metrics")
        samples = account().fetch_metrics(["1861700000000000001"])
        assert {(s.name, s.value) for s in samples} == {
            ("likes", 19),
            ("reposts", 4),
            ("replies", 2),
            ("quotes", 1),
            ("impressions", 1402),
        }
