"""Publishing, finding, replying and deleting, on documentation-based answers (not a live Mastodon server)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests
import responses

from onevoice.networks.connectors.base import (
    AuthExpired,
    ConnectorError,
    MediaItem,
    PublishRequest,
    Unconfirmed,
)
from onevoice.networks.connectors.mastodon.connector import MastodonConnector
from onevoice.networks.connectors.mastodon.tests.answers import INSTANCE, recorded, sent_form, serve, served

STATUSES = "/api/v1/statuses"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ALT = "Das Team der Muster GmbH beim Sommerfest vor dem Rathaus"


def make_connector(**config: object) -> MastodonConnector:
    connector = MastodonConnector(
        credentials={"access_token": "token"}, config={"instance_url": INSTANCE, **config}
    )
    connector.sleep = lambda seconds: None
    return connector


class TestPublish:
    def test_it_sends_the_idempotency_key_with_the_status_and_the_same_key_on_a_retry(self) -> None:
        connector = make_connector()
        with served() as mock:
            serve(mock, responses.POST, STATUSES, "server_error_503")
            serve(mock, responses.POST, STATUSES, "status_created")
            with pytest.raises(ConnectorError) as error:
                connector.publish(PublishRequest(text="Hallo"), idempotency_key="variant-42-channel-7")
            assert not error.value.permanent
            result = connector.publish(PublishRequest(text="Hallo"), idempotency_key="variant-42-channel-7")
        keys = [call.request.headers.get("Idempotency-Key") for call in mock.calls]
        assert keys == ["variant-42-channel-7", "variant-42-channel-7"]
        assert result.external_id == "113541098417614528"
        assert result.url == "https://mastodon.example/@muster/113541098417614528"
        assert result.published_at == datetime(2026, 3, 2, 10, 0, 1, 196000, tzinfo=UTC)

    def test_it_sends_text_language_visibility_and_the_post_answered(self) -> None:
        request = PublishRequest(text="Hallo", language="de-DE", visibility="Unlisted", in_reply_to="1099")
        with served() as mock:
            serve(mock, responses.POST, STATUSES, "status_created")
            make_connector().publish(request, idempotency_key="k")
        form = sent_form(mock.calls[0])
        assert form["status"] == ["Hallo"]
        assert form["language"] == ["de"]
        assert form["visibility"] == ["unlisted"]
        assert form["in_reply_to_id"] == ["1099"]
        assert mock.calls[0].request.headers["Authorization"] == "Bearer token"

    def test_a_separate_link_goes_at_the_end_of_the_text(self) -> None:
        request = PublishRequest(text="Neu im Blog:", link="https://example.org/news")
        with served() as mock:
            serve(mock, responses.POST, STATUSES, "status_created")
            make_connector().publish(request, idempotency_key="k")
        assert sent_form(mock.calls[0])["status"] == ["Neu im Blog:\n\nhttps://example.org/news"]

    def test_it_refuses_an_unknown_visibility_before_sending_anything(self) -> None:
        with served() as mock, pytest.raises(ConnectorError) as error:
            make_connector().publish(PublishRequest(text="Hallo", visibility="friends"), idempotency_key="k")
        assert error.value.permanent
        assert not mock.calls

    def test_it_uploads_each_image_with_its_alt_text_as_the_description(self) -> None:
        request = PublishRequest(text="Unser Sommerfest", media=[MediaItem(PNG, "image/png", alt_text=ALT)])
        with served() as mock:
            serve(mock, responses.POST, "/api/v2/media", "media_created_200")
            serve(mock, responses.POST, STATUSES, "status_with_image")
            make_connector().publish(request, idempotency_key="k")
        upload, post = mock.calls
        body = upload.request.body
        assert isinstance(body, bytes)
        assert b'name="description"' in body
        assert ALT.encode() in body
        assert b'name="file"; filename="image.png"' in body
        assert PNG in body
        assert sent_form(post)["media_ids[]"] == ["22348641"]
        assert post.request.headers["Idempotency-Key"] == "k"

    def test_it_waits_until_the_server_has_processed_the_image(self) -> None:
        connector = make_connector()
        waits: list[float] = []
        connector.sleep = waits.append
        request = PublishRequest(text="", media=[MediaItem(PNG, "image/png", alt_text=ALT)])
        with served() as mock:
            serve(mock, responses.POST, "/api/v2/media", "media_processing_202")
            serve(mock, responses.GET, "/api/v1/media/22348641", "media_processing_206")
            serve(mock, responses.GET, "/api/v1/media/22348641", "media_processed_200")
            serve(mock, responses.POST, STATUSES, "status_with_image")
            result = connector.publish(request, idempotency_key="k")
        assert [call.request.method for call in mock.calls] == ["POST", "GET", "GET", "POST"]
        assert len(waits) == 2
        assert result.external_id == "113541098417614529"

    def test_an_image_that_stays_in_processing_is_a_transient_error_and_nothing_is_posted(self) -> None:
        connector = make_connector()
        connector.media_wait_seconds = (1.0, 1.0, 1.0)
        request = PublishRequest(text="Hallo", media=[MediaItem(PNG, "image/png", alt_text=ALT)])
        with served(all_used=False) as mock:
            serve(mock, responses.POST, "/api/v2/media", "media_processing_202")
            serve(mock, responses.GET, "/api/v1/media/22348641", "media_processing_206")
            serve(mock, responses.POST, STATUSES, "status_created")
            with pytest.raises(ConnectorError) as error:
                connector.publish(request, idempotency_key="k")
        assert not error.value.permanent
        assert "image 1" in error.value.message
        assert all(call.request.url != INSTANCE + STATUSES for call in mock.calls)

    def test_a_rejected_image_is_a_permanent_error_with_the_servers_reason(self) -> None:
        request = PublishRequest(text="Hallo", media=[MediaItem(b"not an image", "image/png", alt_text=ALT)])
        with served() as mock:
            mock.add(
                responses.POST,
                INSTANCE + "/api/v2/media",
                json={"error": "Validation failed: File content type is invalid, File is invalid"},
                status=422,
            )
            with pytest.raises(ConnectorError) as error:
                make_connector().publish(request, idempotency_key="k")
        assert error.value.permanent
        assert "File content type is invalid" in error.value.message

    def test_a_connection_that_never_opened_is_transient_not_unconfirmed(self) -> None:
        with served() as mock:
            mock.add(
                responses.POST, INSTANCE + STATUSES, body=requests.exceptions.ConnectTimeout("timed out")
            )
            with pytest.raises(ConnectorError) as error:
                make_connector().publish(PublishRequest(text="Hallo"), idempotency_key="k")
        assert not isinstance(error.value, Unconfirmed)
        assert not error.value.permanent

    def test_a_gateway_timeout_on_the_status_post_is_unconfirmed(self) -> None:
        with served() as mock:
            mock.add(
                responses.POST, INSTANCE + STATUSES, body="<html>504 Gateway Time-out</html>", status=504
            )
            with pytest.raises(Unconfirmed):
                make_connector().publish(PublishRequest(text="Hallo"), idempotency_key="k")

    def test_a_read_timeout_while_reading_is_transient_not_unconfirmed(self) -> None:
        with served() as mock:
            mock.add(
                responses.GET,
                INSTANCE + "/api/v1/accounts/verify_credentials",
                body=requests.exceptions.ReadTimeout("Read timed out."),
            )
            with pytest.raises(ConnectorError) as error:
                make_connector().verify()
        assert not isinstance(error.value, Unconfirmed)
        assert not error.value.permanent


class TestFindPublished:
    NOT_BEFORE = datetime(2026, 3, 2, 6, 30, tzinfo=UTC)

    def serve_account(self, mock: responses.RequestsMock) -> None:
        serve(mock, responses.GET, "/api/v1/accounts/verify_credentials", "verify_credentials")
        serve(mock, responses.GET, "/api/v1/accounts/109348192751328450/statuses", "account_statuses")

    def test_it_finds_the_status_by_its_text_after_a_timeout(self) -> None:
        connector = make_connector()
        request = PublishRequest(text="Hallo aus dem Redaktionsplan! #OneVoice https://example.org/news")
        with served() as mock:
            mock.add(
                responses.POST, INSTANCE + STATUSES, body=requests.exceptions.ReadTimeout("Read timed out.")
            )
            with pytest.raises(Unconfirmed):
                connector.publish(request, idempotency_key="variant-9")
            self.serve_account(mock)
            found = connector.find_published(idempotency_key="variant-9", not_before=self.NOT_BEFORE)
        assert found is not None
        assert found.external_id == "113541098417614528"
        assert "exclude_reblogs=1" in str(mock.calls[-1].request.url)

    def test_a_remote_mention_matches_as_mastodon_shows_it(self) -> None:
        request = PublishRequest(
            text="@anna@social.example  Danke für die Blumen!", in_reply_to="113540400000000000"
        )
        with served() as mock:
            serve(mock, responses.GET, "/api/v1/accounts/109348192751328450/statuses", "account_statuses")
            found = make_connector(account_id="109348192751328450").find_published(
                idempotency_key="k", request=request, not_before=self.NOT_BEFORE
            )
        assert found is not None
        assert found.external_id == "113540500000000000"

    def test_it_finds_nothing_for_another_text(self) -> None:
        with served() as mock:
            self.serve_account(mock)
            found = make_connector().find_published(
                idempotency_key="k", request=PublishRequest(text="Ganz anders"), not_before=self.NOT_BEFORE
            )
        assert found is None

    def test_it_finds_nothing_older_than_the_attempt(self) -> None:
        with served() as mock:
            self.serve_account(mock)
            found = make_connector().find_published(
                idempotency_key="k", request=PublishRequest(text="Guten Morgen!"), not_before=self.NOT_BEFORE
            )
        assert found is None

    def test_without_the_text_it_cannot_tell_and_asks_nothing(self) -> None:
        with served() as mock:
            assert make_connector().find_published(idempotency_key="unknown") is None
        assert not mock.calls


class TestReply:
    def test_it_mentions_the_author_and_keeps_a_private_conversation_private(self) -> None:
        direct = recorded("notifications")["body"][1]["status"]
        assert direct["visibility"] == "direct"
        with served() as mock:
            mock.add(responses.GET, f"{INSTANCE}{STATUSES}/{direct['id']}", json=direct)
            serve(mock, responses.POST, STATUSES, "status_created")
            make_connector().reply(
                to_external_id=direct["id"],
                request=PublishRequest(text="Gern, sie ist unterwegs.", visibility="public"),
                idempotency_key="reply-1",
            )
        form = sent_form(mock.calls[1])
        assert form["status"] == ["@cara@other.example Gern, sie ist unterwegs."]
        assert form["visibility"] == ["direct"]
        assert form["in_reply_to_id"] == [direct["id"]]
        assert mock.calls[1].request.headers["Idempotency-Key"] == "reply-1"

    def test_it_does_not_mention_the_author_twice(self) -> None:
        public = recorded("notifications")["body"][3]["status"]
        with served() as mock:
            mock.add(responses.GET, f"{INSTANCE}{STATUSES}/{public['id']}", json=public)
            serve(mock, responses.POST, STATUSES, "status_created")
            make_connector().reply(
                to_external_id=public["id"],
                request=PublishRequest(text="@anna@social.example Gern geschehen!"),
                idempotency_key="reply-2",
            )
        form = sent_form(mock.calls[1])
        assert form["status"] == ["@anna@social.example Gern geschehen!"]
        assert "visibility" not in form

    def test_a_local_author_mentioned_with_the_server_is_not_mentioned_again(self) -> None:
        local = recorded("notifications")["body"][2]["status"]
        assert local["account"]["acct"] == "ben"
        with served() as mock:
            mock.add(responses.GET, f"{INSTANCE}{STATUSES}/{local['id']}", json=local)
            serve(mock, responses.POST, STATUSES, "status_created")
            make_connector().reply(
                to_external_id=local["id"],
                request=PublishRequest(text="Ja, @ben@mastodon.example."),
                idempotency_key="reply-3",
            )
        assert sent_form(mock.calls[1])["status"] == ["Ja, @ben@mastodon.example."]

    def test_answering_our_own_post_does_not_mention_ourselves(self) -> None:
        ours = recorded("status_single")["body"]
        with served() as mock:
            mock.add(responses.GET, f"{INSTANCE}{STATUSES}/{ours['id']}", json=ours)
            serve(mock, responses.POST, STATUSES, "status_created")
            make_connector(account_id=ours["account"]["id"]).reply(
                to_external_id=ours["id"],
                request=PublishRequest(text="Nachtrag: ab 18 Uhr."),
                idempotency_key="r4",
            )
        assert sent_form(mock.calls[1])["status"] == ["Nachtrag: ab 18 Uhr."]


class TestDelete:
    def test_it_deletes_the_status(self) -> None:
        with served() as mock:
            serve(mock, responses.DELETE, f"{STATUSES}/113541098417614528", "status_deleted")
            make_connector().delete("113541098417614528")
        assert mock.calls[0].request.method == "DELETE"

    def test_a_status_already_gone_counts_as_deleted(self) -> None:
        with served() as mock:
            serve(mock, responses.DELETE, f"{STATUSES}/404", "not_found_404")
            make_connector().delete("404")

    def test_rejected_credentials_mean_reconnect(self) -> None:
        with served() as mock:
            serve(mock, responses.DELETE, f"{STATUSES}/1", "unauthorized_401")
            with pytest.raises(AuthExpired):
                make_connector().delete("1")


class TestVerify:
    def test_it_says_whose_account_the_token_opens(self) -> None:
        with served() as mock:
            serve(mock, responses.GET, "/api/v1/accounts/verify_credentials", "verify_credentials")
            account = make_connector().verify()
        assert account.external_id == "109348192751328450"
        assert account.handle == "muster@mastodon.example"
        assert account.display_name == "Muster GmbH"
        assert account.profile_url == "https://mastodon.example/@muster"
        assert account.avatar_url.startswith("https://mastodon.example/")

    def test_a_revoked_token_means_reconnect(self) -> None:
        with served() as mock:
            serve(mock, responses.GET, "/api/v1/accounts/verify_credentials", "unauthorized_401")
            with pytest.raises(AuthExpired):
                make_connector().verify()
