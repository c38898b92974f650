"""Mentions, replies, private mentions and quotes from the notifications API (documentation-based answers)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import responses

from onevoice.networks.connectors.base import AuthExpired, InboundKind
from onevoice.networks.connectors.mastodon.connector import MastodonConnector
from onevoice.networks.connectors.mastodon.content import status_text
from onevoice.networks.connectors.mastodon.tests.answers import INSTANCE, serve, served

NOTIFICATIONS = "/api/v1/notifications"
REPLY, SCRIPT, DIRECT, QUOTE, MENTION = (
    "113541100000000002",
    "113541200000000003",
    "113541300000000004",
    "113541400000000005",
    "113541000000000001",
)


def make_connector(api_version: int = 7) -> MastodonConnector:
    return MastodonConnector(
        credentials={"access_token": "token"},
        config={"instance_url": INSTANCE, "limits": {"api_version": api_version}},
    )


def serve_inbox(mock: responses.RequestsMock) -> None:
    serve(mock, responses.GET, NOTIFICATIONS, "notifications")
    serve(mock, responses.GET, f"/api/v1/statuses/{REPLY}/context", "context")


class TestFetchInbox:
    def test_each_notification_becomes_an_item_of_the_right_kind_oldest_first(self) -> None:
        with served() as mock:
            serve_inbox(mock)
            page = make_connector().fetch_inbox()
        kinds = [(item.external_id, item.kind) for item in page.items]
        assert kinds == [
            (MENTION, InboundKind.MENTION),
            (REPLY, InboundKind.REPLY),
            (SCRIPT, InboundKind.MENTION),
            (DIRECT, InboundKind.DIRECT_MESSAGE),
            (QUOTE, InboundKind.QUOTE),
        ]

    def test_it_asks_for_mentions_and_quotes_and_returns_the_newest_notification_as_cursor(self) -> None:
        with served() as mock:
            serve_inbox(mock)
            page = make_connector().fetch_inbox()
        url = str(mock.calls[0].request.url)
        assert "types%5B%5D=mention" in url
        assert "types%5B%5D=quote" in url
        assert "min_id" not in url
        assert page.cursor == "34975865"

    def test_a_server_before_quote_posts_is_asked_for_mentions_only(self) -> None:
        with served() as mock:
            serve_inbox(mock)
            page = make_connector(api_version=2).fetch_inbox()
        assert "quote" not in str(mock.calls[0].request.url)
        assert QUOTE not in [item.external_id for item in page.items]
        assert page.cursor == "34975865"

    def test_the_cursor_is_sent_as_min_id_and_pages_are_followed_while_full(self) -> None:
        connector = make_connector()
        connector.inbox_page_size = 5
        with served() as mock:
            serve_inbox(mock)
            serve(mock, responses.GET, NOTIFICATIONS, "notifications_empty")
            page = connector.fetch_inbox(since="34975800")
        urls = [str(call.request.url) for call in mock.calls if NOTIFICATIONS in str(call.request.url)]
        assert "min_id=34975800" in urls[0]
        assert "min_id=34975865" in urls[1]
        assert page.cursor == "34975865"
        assert len(page.items) == 5

    def test_nothing_new_keeps_the_cursor(self) -> None:
        with served() as mock:
            serve(mock, responses.GET, NOTIFICATIONS, "notifications_empty")
            page = make_connector().fetch_inbox(since="34975865")
        assert page.items == []
        assert page.cursor == "34975865"

    def test_timestamps_are_the_statuses_own_in_utc(self) -> None:
        with served() as mock:
            serve_inbox(mock)
            items = {item.external_id: item for item in make_connector().fetch_inbox().items}
        assert items[MENTION].created_at == datetime(2026, 3, 2, 10, 50, 1, 940000, tzinfo=UTC)
        # Sent as 13:19:59.900+02:00.
        assert items[DIRECT].created_at == datetime(2026, 3, 2, 11, 19, 59, 900000, tzinfo=UTC)
        assert all(item.created_at.utcoffset() is not None for item in items.values())
        assert all(item.created_at.tzinfo == UTC for item in items.values())

    def test_the_text_is_plain_text_and_a_script_stays_text(self) -> None:
        with served() as mock:
            serve_inbox(mock)
            items = {item.external_id: item for item in make_connector().fetch_inbox().items}
        assert items[MENTION].text == "Was meint @muster dazu?"
        assert items[REPLY].text == (
            "@muster Danke für den Hinweis!\n\nMehr dazu: https://social.example/some/very/long/path\nViele Grüße"
        )
        # Typed by a person: kept as the text they wrote. A script element in the HTML: dropped.
        assert items[SCRIPT].text == "@muster <script>alert(1)</script> Ist das ernst gemeint?"
        assert "alert(2)" not in items[SCRIPT].text
        # Mastodon's hidden "RE: <link>" paragraph of a quote post is left out.
        assert items[QUOTE].text == "Genau so!"
        assert all("<p>" not in item.text and "<span" not in item.text for item in items.values())

    def test_authors_replies_and_thread_roots(self) -> None:
        with served() as mock:
            serve_inbox(mock)
            items = {item.external_id: item for item in make_connector().fetch_inbox().items}
        reply = items[REPLY]
        assert reply.author_id == "971724"
        assert reply.author_handle == "anna@social.example"
        assert reply.author_name == "Anna Beispiel"
        assert reply.in_reply_to == "113541098417614528"
        assert reply.thread_root == "113541098417614528"
        assert reply.url == f"https://social.example/@anna/{REPLY}"
        assert reply.language == "de"
        assert items[SCRIPT].author_handle == "ben@mastodon.example"
        assert items[MENTION].thread_root == MENTION
        assert items[DIRECT].raw["visibility"] == "direct"
        assert items[REPLY].raw["notification_id"] == "34975862"

    def test_a_thread_the_server_will_not_show_leaves_the_root_open(self) -> None:
        with served() as mock:
            serve(mock, responses.GET, NOTIFICATIONS, "notifications")
            serve(mock, responses.GET, f"/api/v1/statuses/{REPLY}/context", "not_found_404")
            items = {item.external_id: item for item in make_connector().fetch_inbox().items}
        assert items[REPLY].thread_root == ""
        assert items[REPLY].in_reply_to == "113541098417614528"

    def test_rejected_credentials_mean_reconnect(self) -> None:
        with served() as mock:
            serve(mock, responses.GET, NOTIFICATIONS, "unauthorized_401")
            with pytest.raises(AuthExpired):
                make_connector().fetch_inbox()


class TestStatusText:
    def test_paragraphs_and_line_breaks_survive_as_text(self) -> None:
        assert status_text("<p>Eins<br>Zwei</p><p>Drei</p>") == "Eins\nZwei\n\nDrei"

    def test_entities_are_decoded_and_nothing_is_left_as_markup(self) -> None:
        assert status_text("<p>A &amp; B &lt;b&gt;fett&lt;/b&gt;</p>") == "A & B <b>fett</b>"

    def test_script_and_style_elements_are_dropped_with_their_content(self) -> None:
        html = "<p>vorher</p><script>document.cookie</script><style>p{}</style><p>nachher</p>"
        assert status_text(html) == "vorher\n\nnachher"

    def test_an_unclosed_script_hides_the_rest_rather_than_showing_code(self) -> None:
        assert status_text("<p>Hallo</p><script>alert(1)") == "Hallo"


class TestFetchMetrics:
    def test_it_counts_favourites_boosts_and_replies_per_status(self) -> None:
        with served() as mock:
            serve(mock, responses.GET, "/api/v1/statuses/113541098417614528", "status_single")
            serve(mock, responses.GET, "/api/v1/statuses/404", "not_found_404")
            samples = make_connector().fetch_metrics(["113541098417614528", "404"])
        values = {sample.name: sample.value for sample in samples}
        assert values == {"likes": 112, "reposts": 98, "replies": 7}
        assert {sample.external_id for sample in samples} == {"113541098417614528"}
        assert all(sample.measured_at.tzinfo is not None for sample in samples)
