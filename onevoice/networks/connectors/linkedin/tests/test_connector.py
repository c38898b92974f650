"""LinkedIn: what is sent (little text, images, versions) and what is understood, on documented answers."""

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
from onevoice.networks.connectors.linkedin.connector import LinkedInConnector, little_text, version_sunset
from onevoice.networks.tests.recorded_http import Recorded

API = "https://api.linkedin.com"
ORG = "urn:li:organization:2414183"
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def page(**credentials: object) -> LinkedInConnector:
    return LinkedInConnector(
        credentials={"access_token": "token", **credentials},
        config={"author_urn": ORG, "api_version": "202610"},
    )


class TestLittleText:
    def test_it_escapes_reserved_characters_and_turns_hashtags_into_templates(self) -> None:
        assert little_text("Neu (2026) #OneVoice @team_a") == (
            "Neu \\(2026\\) {hashtag|\\#|OneVoice} \\@team\\_a"
        )

    def test_it_leaves_urls_and_plain_text_alone(self) -> None:
        assert little_text("Mehr: https://example.org/news") == "Mehr: https://example.org/news"


class TestPublishing:
    def test_it_sends_the_version_headers_and_an_organisation_post(self, linkedin: Recorded) -> None:
        linkedin.add("POST", f"{API}/rest/posts", "post_created_201")
        result = page().publish(
            PublishRequest(text="Hallo #OneVoice", link="https://example.org"), idempotency_key="k"
        )
        sent = linkedin.sent("POST", f"{API}/rest/posts")[0]
        assert sent.headers["Linkedin-Version"] == "202610"
        assert sent.headers["X-Restli-Protocol-Version"] == "2.0.0"
        assert sent.headers["Authorization"] == "Bearer token"
        body = Recorded.json_of(sent)
        assert body["author"] == ORG
        assert body["commentary"] == "Hallo {hashtag|\\#|OneVoice}"
        assert body["content"] == {
            "article": {"source": "https://example.org", "title": "https://example.org"}
        }
        assert result.external_id == "urn:li:share:7267000000000000001"
        assert result.url == "https://www.linkedin.com/feed/update/urn:li:share:7267000000000000001/"

    def test_images_are_uploaded_first_and_carry_their_alt_text(self, linkedin: Recorded) -> None:
        linkedin.add("POST", f"{API}/rest/images?action=initializeUpload", "images_initialize", repeat=True)
        linkedin.add("PUT", "https://www.linkedin.com/dms-uploads/", "upload_201", repeat=True)
        linkedin.add("POST", f"{API}/rest/posts", "post_created_201")
        images = [MediaItem(PNG, "image/png", "Team beim Sommerfest"), MediaItem(PNG, "image/png", "Bühne")]
        page().publish(PublishRequest(text="Bilder", media=images), idempotency_key="k")
        init = Recorded.json_of(linkedin.sent("POST", f"{API}/rest/images")[0])
        assert init == {"initializeUploadRequest": {"owner": ORG}}
        upload = linkedin.sent("PUT", "https://www.linkedin.com/dms-uploads/")[0]
        assert upload.content == PNG
        assert upload.headers["Content-Type"] == "image/png"
        body = Recorded.json_of(linkedin.sent("POST", f"{API}/rest/posts")[0])
        assert body["content"]["multiImage"]["images"][0] == {
            "id": "urn:li:image:D4E10AQFakeImage01",
            "altText": "Team beim Sommerfest",
        }

    def test_a_missing_permission_is_named(self, linkedin: Recorded) -> None:
        linkedin.add("POST", f"{API}/rest/posts", "forbidden_403")
        with pytest.raises(ConnectorError) as error:
            page().publish(PublishRequest(text="x"), idempotency_key="k")
        assert error.value.permanent
        assert "partnerApiPostsExternal.CREATE" in error.value.message
        assert "Community Management API" in error.value.message

    def test_a_retired_version_says_where_to_set_a_newer_one(self, linkedin: Recorded) -> None:
        linkedin.add("POST", f"{API}/rest/posts", "version_426")
        with pytest.raises(ConnectorError) as error:
            page().publish(PublishRequest(text="x"), idempotency_key="k")
        assert error.value.permanent
        assert "202610" in error.value.message

    def test_a_rate_limit_without_retry_after_waits_a_while(self, linkedin: Recorded) -> None:
        linkedin.add("POST", f"{API}/rest/posts", "rate_limited_429")
        with pytest.raises(RateLimited) as error:
            page().publish(PublishRequest(text="x"), idempotency_key="k")
        assert error.value.retry_after > datetime.now(UTC)

    def test_an_unconfirmed_post_is_found_by_its_text(self, linkedin: Recorded) -> None:
        linkedin.add("GET", f"{API}/rest/posts?", "posts_by_author")
        found = page().find_published(
            idempotency_key="k",
            request=PublishRequest(text="Hallo aus dem Redaktionsplan! #OneVoice https://example.org/news"),
            not_before=datetime(2025, 11, 27, tzinfo=UTC),
        )
        assert found is not None
        assert found.external_id == "urn:li:share:7267000000000000001"
        assert "author=urn%3Ali%3Aorganization%3A2414183" in str(linkedin.calls[0].url)

    def test_delete_encodes_the_urn(self, linkedin: Recorded) -> None:
        linkedin.add("DELETE", f"{API}/rest/posts/", "post_deleted_204")
        page().delete("urn:li:share:7267000000000000001")
        assert str(linkedin.calls[0].url).endswith("/rest/posts/urn%3Ali%3Ashare%3A7267000000000000001")


class TestTokens:
    def test_a_token_about_to_expire_is_refreshed_first_and_saved(self, linkedin: Recorded) -> None:
        linkedin.add("POST", "https://www.linkedin.com/oauth/v2/accessToken", "token_refreshed")
        linkedin.add("DELETE", f"{API}/rest/posts/", "post_deleted_204")
        saved: list[dict] = []
        connector = LinkedInConnector(
            credentials={
                "access_token": "old",
                "refresh_token": "AQWfakeRefreshToken",
                "expires_at": int(time.time()) + 60,
                "client_id": "cid",
                "client_secret": "secret",
            },
            config={"author_urn": ORG},
            on_credentials_changed=saved.append,
        )
        connector.delete("urn:li:share:1")
        form = Recorded.form_of(linkedin.calls[0])
        assert form["grant_type"] == "refresh_token"
        assert form["refresh_token"] == "AQWfakeRefreshToken"
        assert saved[0]["access_token"] == "AQUrefreshedToken"
        assert linkedin.calls[1].headers["Authorization"] == "Bearer AQUrefreshedToken"

    def test_an_expired_token_without_refresh_means_reconnect(self, linkedin: Recorded) -> None:
        connector = page(expires_at=int(time.time()) - 10)
        with pytest.raises(AuthExpired):
            connector.delete("urn:li:share:1")
        assert linkedin.calls == []

    def test_versions_are_supported_for_about_a_year(self) -> None:
        assert version_sunset("202610") == version_sunset("202610.01")
        assert version_sunset("202610") is not None
        assert version_sunset("202610").year == 2027
        assert version_sunset("v24.0") is None


class TestInboxAndMetrics:
    def test_comments_of_others_come_in_as_text_with_utc_times(self, linkedin: Recorded) -> None:
        linkedin.add("GET", f"{API}/rest/posts?", "posts_by_author")
        linkedin.add(
            "GET", f"{API}/rest/socialActions/urn%3Ali%3Ashare%3A7267000000000000001/comments", "comments"
        )
        linkedin.add(
            "GET",
            f"{API}/rest/socialActions/urn%3Ali%3Ashare%3A7266000000000000009/comments",
            "comments_empty",
        )
        inbox = page().fetch_inbox()
        assert len(inbox.items) == 1  # the page's own answer is not an inbound item
        item = inbox.items[0]
        assert item.kind == InboundKind.REPLY
        assert "<script>" in item.text  # kept as text; templates escape it
        assert item.created_at == datetime(2025, 11, 27, 9, 0, tzinfo=UTC)
        assert inbox.cursor == "1764234000000"

    def test_replying_to_a_comment_names_it_as_parent(self, linkedin: Recorded) -> None:
        linkedin.add("POST", f"{API}/rest/socialActions/", "comment_created_201")
        comment = "urn:li:comment:(urn:li:activity:7267000000000000002,7267100000000000001)"
        result = page().reply(
            to_external_id=comment, request=PublishRequest(text="Danke!"), idempotency_key="r"
        )
        body = Recorded.json_of(linkedin.calls[0])
        assert body["object"] == "urn:li:activity:7267000000000000002"
        assert body["parentComment"] == comment
        assert result.external_id.endswith("7267100000000000003)")

    def test_likes_and_comments_are_counted(self, linkedin: Recorded) -> None:
        linkedin.add("GET", f"{API}/rest/socialActions/", "social_actions")
        samples = page().fetch_metrics(["urn:li:share:7267000000000000001"])
        assert {(s.name, s.value) for s in samples} == {("likes", 12), ("replies", 4)}

    def test_like_reacts_as_the_page(self, linkedin: Recorded) -> None:
        linkedin.add("POST", f"{API}/rest/reactions", "reaction_created_201")
        page().like("urn:li:share:7267000000000000001")
        assert "actor=urn%3Ali%3Aorganization%3A2414183" in str(linkedin.calls[0].url)
        assert Recorded.json_of(linkedin.calls[0])["reactionType"] == "LIKE"


class TestChannelMetrics:
    def test_a_page_reports_its_followers(self, linkedin: Recorded) -> None:
        linkedin.add("GET", f"{API}/rest/networkSizes/urn%3Ali%3Aorganization%3A2414183", "network_size")
        samples = page().fetch_channel_metrics()
        assert [(s.name, s.value) for s in samples] == [("followers", 4821)]
        assert "edgeType=COMPANY_FOLLOWED_BY_MEMBER" in str(linkedin.calls[0].url)
