"""The Bluesky connector on answers recorded from the testbed's real PDS and AppView (see record_answers.py).

Answers written by hand are marked as such where they appear.
"""

from __future__ import annotations

import base64
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import respx
from PIL import Image
from pytest_django.fixtures import Settings

from onevoice.networks.connectors.base import (
    AuthExpired,
    ConnectorError,
    InboundKind,
    MediaItem,
    PublishRequest,
    RateLimited,
    Unconfirmed,
)
from onevoice.networks.connectors.bluesky import BlueskyConnector
from onevoice.networks.connectors.bluesky.errors import retry_after_of
from onevoice.networks.connectors.bluesky.record_key import record_key_for
from onevoice.networks.connectors.bluesky.tests.replay import (
    SERVICE,
    exchanges,
    replay,
    stored_credentials,
)
from onevoice.networks.connectors.bluesky.tests.test_contract import SAMPLE

CREATE = "com.atproto.repo.createRecord"


@pytest.fixture(autouse=True)
def allow_the_recorded_host(settings: Settings) -> None:
    settings.HTTP_ALLOWED_PRIVATE_HOSTS = ["localhost"]


def connector(credentials: dict[str, Any] | None = None, **kwargs: Any) -> BlueskyConnector:
    return BlueskyConnector(
        credentials=stored_credentials() if credentials is None else credentials,
        config={"service": SERVICE},
        **kwargs,
    )


def jwt(**claims: Any) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'typ': 'at+jwt', 'alg': 'HS256'})}.{part(claims)}.c2ln"


def strong_ref(ref: dict[str, Any]) -> tuple[str, str]:
    return ref["uri"], ref["cid"]


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (0, 90, 160)).save(out, "PNG")
    return out.getvalue()


class TestSignIn:
    def test_a_new_channel_signs_in_and_hands_its_session_over_for_storage(self) -> None:
        saved: list[dict[str, Any]] = []
        new = connector(
            {"identifier": "alice.test", "app_password": "abcd-efgh-ijkl-mnop"},
            on_credentials_changed=saved.append,
        )
        with replay("login") as sent:
            account = new.verify()
        session = exchanges("login")[0]["body"]
        assert sent.json("com.atproto.server.createSession") == {
            "identifier": "alice.test",
            "password": "abcd-efgh-ijkl-mnop",
        }
        assert account.external_id == session["did"]
        assert account.handle == session["handle"]
        assert saved[-1]["access_jwt"] == session["accessJwt"]
        assert saved[-1]["refresh_jwt"] == session["refreshJwt"]
        assert saved[-1]["did"] == session["did"]
        assert saved[-1]["pds"] == SERVICE
        assert saved[-1]["app_password"] == "abcd-efgh-ijkl-mnop"

    def test_a_stored_session_is_reused_without_signing_in(self) -> None:
        with replay("publish_ok") as sent:
            connector().publish(SAMPLE, idempotency_key="variant-1")
        assert sent.paths == [CREATE]
        assert sent.requests[0].headers["authorization"] == f"Bearer {stored_credentials()['access_jwt']}"

    def test_an_expiring_access_token_is_refreshed_and_the_new_tokens_are_stored(self) -> None:
        stored = stored_credentials()
        soon = int((datetime.now(UTC) + timedelta(minutes=5)).timestamp())
        stored["access_jwt"] = jwt(scope="com.atproto.appPass", sub=stored["did"], exp=soon)
        saved: list[dict[str, Any]] = []
        with replay("refresh", "publish_ok") as sent:
            connector(stored, on_credentials_changed=saved.append).publish(
                SAMPLE, idempotency_key="variant-1"
            )
        refreshed = exchanges("refresh")[0]["body"]
        assert sent.to("com.atproto.server.refreshSession")[0].headers["authorization"] == (
            f"Bearer {stored['refresh_jwt']}"
        )
        assert saved[-1]["access_jwt"] == refreshed["accessJwt"]
        assert sent.to(CREATE)[0].headers["authorization"] == f"Bearer {refreshed['accessJwt']}"

    def test_a_refused_stored_session_gets_one_fresh_sign_in(self) -> None:
        saved: list[dict[str, Any]] = []
        invalid_token, signed_in = exchanges("unauthorized")[0], exchanges("login")[0]
        with replay(invalid_token, signed_in, "publish_ok") as sent:
            result = connector(on_credentials_changed=saved.append).publish(
                SAMPLE, idempotency_key="variant-1"
            )
        assert result.external_id == exchanges("publish_ok")[0]["body"]["uri"]
        assert len(sent.to(CREATE)) == 2
        assert saved[-1]["access_jwt"] == signed_in["body"]["accessJwt"]

    def test_a_revoked_app_password_means_reconnect(self) -> None:
        with replay("unauthorized"), pytest.raises(AuthExpired) as error:
            connector().publish(SAMPLE, idempotency_key="variant-3")
        assert "app password" in error.value.message

    def test_an_expired_token_means_reconnect(self) -> None:
        # Hand-written: the PDS's answer to an expired token (ExpiredToken, "Token has expired").
        expired = {
            "method": "POST",
            "nsid": CREATE,
            "status": 400,
            "headers": {"content-type": "application/json; charset=utf-8"},
            "body": {"error": "ExpiredToken", "message": "Token has expired"},
        }
        credentials = {**stored_credentials(), "app_password": ""}
        with replay(expired), pytest.raises(AuthExpired):
            connector(credentials).publish(SAMPLE, idempotency_key="variant-1")

    def test_a_server_on_an_internal_address_is_never_contacted(self, settings: Settings) -> None:
        settings.HTTP_ALLOWED_PRIVATE_HOSTS = []
        blocked = BlueskyConnector(credentials=stored_credentials(), config={"service": "http://10.0.0.7"})
        with respx.mock() as router:
            with pytest.raises(ConnectorError) as error:
                blocked.verify()
            assert not router.calls
        assert error.value.permanent


class TestVerify:
    def test_it_shows_the_profile_the_appview_knows(self) -> None:
        with replay("verify_profile"):
            account = connector().verify()
        profile = exchanges("verify_profile")[0]["body"]
        assert account.display_name == "Alice Beispiel"
        assert account.handle == profile["handle"]
        assert account.profile_url == f"https://bsky.app/profile/{profile['handle']}"

    def test_without_an_appview_it_reads_the_profile_record_of_the_repo(self) -> None:
        with replay("appview_missing_verify"):
            account = connector({"identifier": "carol.test", "app_password": "abcd-efgh-ijkl-mnop"}).verify()
        assert account.display_name == "Carol Ohne AppView"
        assert account.external_id.startswith("did:plc:")

    def test_an_account_the_appview_has_not_indexed_yet_still_verifies(self) -> None:
        with replay(exchanges("login")[0], "profile_not_indexed") as sent:
            account = connector({"identifier": "alice.test", "app_password": "x"}).verify()
        assert sent.paths == [
            "com.atproto.server.createSession",
            "app.bsky.actor.getProfile",
            "com.atproto.repo.getRecord",
        ]
        assert account.display_name == ""
        assert account.handle == exchanges("login")[0]["body"]["handle"]


class TestPublish:
    def test_it_sends_facets_alt_text_aspect_ratio_and_language_under_the_derived_key(self) -> None:
        text = "Grüße an @bob.test und @nobody.test #OneVoice https://example.org/news"
        bob_did = exchanges("publish_rich")[0]["body"]["did"]
        with replay("publish_rich") as sent:
            result = connector().publish(
                PublishRequest(
                    text=text,
                    media=[MediaItem(png(60, 40), "image/png", "Ein rotes Rechteck")],
                    language="de",
                ),
                idempotency_key="rich-1",
            )
        body = sent.json(CREATE)
        assert body["rkey"] == record_key_for("rich-1")
        assert body["collection"] == "app.bsky.feed.post"
        record = body["record"]
        assert record["text"] == text
        assert record["langs"] == ["de"]
        data = text.encode()
        covered = [
            (f["features"][0]["$type"], data[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode())
            for f in record["facets"]
        ]
        assert covered == [
            ("app.bsky.richtext.facet#mention", "@bob.test"),
            ("app.bsky.richtext.facet#tag", "#OneVoice"),
            ("app.bsky.richtext.facet#link", "https://example.org/news"),
        ]
        assert record["facets"][0]["features"][0]["did"] == bob_did
        image = record["embed"]["images"][0]
        assert record["embed"]["$type"] == "app.bsky.embed.images"
        assert image["alt"] == "Ein rotes Rechteck"
        assert (image["aspectRatio"]["width"], image["aspectRatio"]["height"]) == (60, 40)
        assert image["image"]["ref"]["$link"] == exchanges("publish_rich")[2]["body"]["blob"]["ref"]["$link"]
        assert sent.to("com.atproto.repo.uploadBlob")[0].headers["content-type"] == "image/png"
        assert result.external_id == exchanges("publish_rich")[3]["body"]["uri"]
        assert result.url.endswith(f"/post/{record_key_for('rich-1')}")
        assert result.url.startswith("https://bsky.app/profile/")

    def test_a_link_becomes_a_card_without_fetching_the_page_when_there_is_no_image(self) -> None:
        with replay("publish_ok") as sent:
            connector().publish(
                PublishRequest(text="Neu im Blog", link="https://example.org/blog/1"),
                idempotency_key="variant-1",
            )
        embed = sent.json(CREATE)["record"]["embed"]
        assert embed["$type"] == "app.bsky.embed.external"
        assert embed["external"]["uri"] == "https://example.org/blog/1"
        assert [request.url.host for request in sent.requests] == ["localhost"]

    def test_publishing_again_under_the_same_key_returns_the_first_post(self) -> None:
        with replay("publish_ok", "publish_existing") as sent:
            first = connector().publish(SAMPLE, idempotency_key="variant-1")
            second = connector().publish(SAMPLE, idempotency_key="variant-1")
        assert second.external_id == first.external_id
        assert second.url == first.url
        assert len(sent.to(CREATE)) == 2
        assert sent.json(CREATE, 0)["rkey"] == sent.json(CREATE, 1)["rkey"]

    def test_a_connection_that_fails_before_sending_is_a_transient_error_not_unconfirmed(self) -> None:
        with respx.mock() as router:
            router.post(path=f"/xrpc/{CREATE}").mock(side_effect=httpx.ConnectError("connection refused"))
            with pytest.raises(ConnectorError) as error:
                connector().publish(SAMPLE, idempotency_key="variant-1")
        assert not isinstance(error.value, Unconfirmed)
        assert not error.value.permanent

    def test_a_rate_limit_waits_until_the_reset_the_pds_announced(self) -> None:
        reset = int(exchanges("rate_limited")[0]["headers"]["ratelimit-reset"])
        with replay("rate_limited"), pytest.raises(RateLimited) as error:
            connector().publish(SAMPLE, idempotency_key="variant-1")
        assert error.value.retry_after >= datetime.fromtimestamp(reset, tz=UTC)


class TestFindPublished:
    def test_it_finds_the_post_published_under_a_key(self) -> None:
        found_record = exchanges("publish_existing")[1]
        with replay(found_record) as sent:
            found = connector().find_published(idempotency_key="variant-1")
        assert found is not None
        assert found.external_id == found_record["body"]["uri"]
        assert sent.requests[0].url.params["rkey"] == record_key_for("variant-1")

    def test_a_key_never_published_finds_nothing(self) -> None:
        with replay("find_missing"):
            assert connector().find_published(idempotency_key="never-published") is None


class TestReplyAndDelete:
    def test_a_reply_points_to_its_parent_and_the_thread_root(self) -> None:
        parent = exchanges("reply")[0]["body"]
        with replay("reply") as sent:
            connector().reply(
                to_external_id=parent["uri"], request=PublishRequest(text="Danke!"), idempotency_key="r1"
            )
        reply = sent.json(CREATE)["record"]["reply"]
        assert strong_ref(reply["parent"]) == (parent["uri"], parent["cid"])
        assert strong_ref(reply["root"]) == (parent["uri"], parent["cid"])

    def test_a_reply_to_a_reply_keeps_the_root_of_the_thread(self) -> None:
        parent = dict(exchanges("reply")[0])
        root = {"uri": "at://did:plc:root/app.bsky.feed.post/3jzfcijpj2z2a", "cid": "bafyroot"}
        parent["body"] = {
            **parent["body"],
            "value": {**parent["body"]["value"], "reply": {"root": root, "parent": root}},
        }
        with replay(parent, exchanges("reply")[1]) as sent:
            connector().reply(
                to_external_id=parent["body"]["uri"],
                request=PublishRequest(text="Genau"),
                idempotency_key="r2",
            )
        reply = sent.json(CREATE)["record"]["reply"]
        assert strong_ref(reply["root"]) == (root["uri"], root["cid"])
        assert reply["parent"]["uri"] == parent["body"]["uri"]

    def test_it_deletes_a_post_of_its_own_account(self) -> None:
        rkey = "3jzfcijpj2z2a"
        did = stored_credentials()["did"]
        with replay("delete") as sent:
            connector().delete(f"at://{did}/app.bsky.feed.post/{rkey}")
        assert sent.json("com.atproto.repo.deleteRecord") == {
            "collection": "app.bsky.feed.post",
            "repo": did,
            "rkey": rkey,
        }

    def test_it_refuses_to_delete_a_post_of_another_account(self) -> None:
        with respx.mock() as router:
            with pytest.raises(ConnectorError) as error:
                connector().delete("at://did:plc:someoneelse/app.bsky.feed.post/3jzfcijpj2z2a")
            assert not router.calls
        assert error.value.permanent


class TestInbox:
    def test_replies_mentions_and_quotes_arrive_with_their_threads_and_utc_times(self) -> None:
        with replay("inbox"):
            page = connector().fetch_inbox()
        notifications = exchanges("inbox")[0]["body"]["notifications"]
        assert sorted(item.kind for item in page.items) == [
            InboundKind.MENTION,
            InboundKind.QUOTE,
            InboundKind.REPLY,
        ]
        assert page.cursor == max(n["indexedAt"] for n in notifications)
        by_kind = {item.kind: item for item in page.items}
        reply = by_kind[InboundKind.REPLY]
        original = next(n for n in notifications if n["reason"] == "reply")["record"]["reply"]["parent"][
            "uri"
        ]
        assert reply.in_reply_to == original
        assert reply.thread_root == original
        assert reply.text == "Danke!"
        assert by_kind[InboundKind.QUOTE].in_reply_to == original
        assert by_kind[InboundKind.MENTION].thread_root == by_kind[InboundKind.MENTION].external_id
        for item in page.items:
            assert item.created_at.tzinfo is not None
            assert item.created_at.utcoffset() == timedelta(0)
            assert item.author_handle.endswith(".test")
            assert item.url.startswith("https://bsky.app/profile/")
        assert [item.created_at for item in page.items] == sorted(item.created_at for item in page.items)

    def test_only_what_is_newer_than_the_cursor_comes_again(self) -> None:
        notifications = exchanges("inbox")[0]["body"]["notifications"]
        newest = max(n["indexedAt"] for n in notifications)
        oldest = min(n["indexedAt"] for n in notifications)
        with replay("inbox"):
            assert connector().fetch_inbox(since=newest).items == []
        with replay("inbox"):
            page = connector().fetch_inbox(since=oldest)
        assert len(page.items) == 2
        assert page.cursor == newest

    def test_without_an_appview_the_inbox_is_empty_and_keeps_its_cursor(self) -> None:
        with replay("appview_missing_inbox"):
            page = connector().fetch_inbox(since="2026-01-01T00:00:00.000Z")
        assert page.items == []
        assert page.cursor == "2026-01-01T00:00:00.000Z"


class TestMetrics:
    def test_it_counts_likes_reposts_replies_and_quotes_per_post(self) -> None:
        posts = exchanges("metrics")[0]["body"]["posts"]
        with replay("metrics"):
            samples = connector().fetch_metrics([post["uri"] for post in posts])
        values = {(s.external_id, s.name): s.value for s in samples}
        liked = posts[0]["uri"]
        assert values[(liked, "likes")] == 1
        assert values[(liked, "replies")] == 1
        assert values[(liked, "quotes")] == 1
        assert values[(liked, "reposts")] == 0
        assert all(s.measured_at.tzinfo is not None for s in samples)

    def test_without_an_appview_there_are_no_metrics_and_no_error(self) -> None:
        with replay("appview_missing_metrics"):
            assert connector().fetch_metrics(["at://did:plc:x/app.bsky.feed.post/3jzfcijpj2z2a"]) == []


class TestRetryAfter:
    def test_it_reads_retry_after_in_seconds_when_there_is_no_reset(self) -> None:
        from atproto_client.exceptions import RateLimitExceededError
        from atproto_client.request import Response

        now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
        error = RateLimitExceededError(Response(False, 429, None, {"retry-after": "120"}))
        assert retry_after_of(error, now) == now + timedelta(seconds=120)
        error = RateLimitExceededError(Response(False, 429, None, {}))
        assert retry_after_of(error, now) == now + timedelta(seconds=60)
