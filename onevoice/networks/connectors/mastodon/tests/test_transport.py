"""Rate-limit times and server addresses, as Mastodon's documentation describes them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from onevoice.networks.connectors.base import ConnectorError
from onevoice.networks.connectors.mastodon.tests.answers import recorded
from onevoice.networks.connectors.mastodon.transport import normalize_instance_url, retry_after_from_headers

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


class TestRetryAfter:
    def test_the_wait_is_measured_on_the_servers_clock(self) -> None:
        headers = recorded("rate_limited_429")["headers"]  # reset 150 s after the server's Date
        assert retry_after_from_headers(headers, now=NOW) == NOW + timedelta(seconds=150)

    def test_without_a_date_the_reset_time_itself_counts(self) -> None:
        headers = {"X-RateLimit-Reset": "2026-11-27T12:04:00.000000Z"}
        assert retry_after_from_headers(headers, now=NOW) == datetime(2026, 11, 27, 12, 4, tzinfo=UTC)

    def test_a_reset_in_the_past_means_now(self) -> None:
        assert retry_after_from_headers({"X-RateLimit-Reset": "2026-11-27T11:00:00Z"}, now=NOW) == NOW

    def test_unix_seconds_of_compatible_servers_are_understood(self) -> None:
        reset = NOW + timedelta(minutes=3)
        headers = {"X-RateLimit-Reset": str(int(reset.timestamp()))}
        assert retry_after_from_headers(headers, now=NOW) == reset

    def test_retry_after_seconds_are_understood(self) -> None:
        assert retry_after_from_headers({"Retry-After": "90"}, now=NOW) == NOW + timedelta(seconds=90)

    def test_without_any_hint_it_waits_one_rate_limit_window(self) -> None:
        assert retry_after_from_headers({}, now=NOW) == NOW + timedelta(minutes=5)


class TestInstanceUrl:
    @pytest.mark.parametrize(
        ("entered", "url"),
        [
            ("mastodon.social", "https://mastodon.social"),
            ("https://Mastodon.Social/", "https://mastodon.social"),
            ("https://mastodon.social/@muster", "https://mastodon.social"),
            ("@muster@social.example", "https://social.example"),
            ("https://social.example:8443", "https://social.example:8443"),
        ],
    )
    def test_what_people_type_becomes_the_servers_address(self, entered: str, url: str) -> None:
        assert normalize_instance_url(entered) == url

    @pytest.mark.parametrize("entered", ["", "ftp://mastodon.social", "https://user:secret@mastodon.social"])
    def test_other_addresses_are_refused(self, entered: str) -> None:
        with pytest.raises(ConnectorError) as error:
            normalize_instance_url(entered)
        assert error.value.permanent

    def test_plain_http_is_only_for_servers_an_operator_allowed(self, settings: object) -> None:
        settings.HTTP_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]  # type: ignore[attr-defined]
        assert normalize_instance_url("http://127.0.0.1:3000") == "http://127.0.0.1:3000"
        with pytest.raises(ConnectorError):
            normalize_instance_url("http://mastodon.social")
