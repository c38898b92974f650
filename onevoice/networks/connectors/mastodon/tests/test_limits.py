"""Text counting and the server's limits (answers from the documentation, not a live server)."""

from __future__ import annotations

import responses

from onevoice.networks.connectors.base import MediaItem, PublishRequest
from onevoice.networks.connectors.mastodon.connector import MastodonConnector
from onevoice.networks.connectors.mastodon.tests.answers import INSTANCE, recorded, serve, served

LONG_URL = "https://example.org/" + "a" * 80  # 100 characters


def make_connector(**config: object) -> MastodonConnector:
    return MastodonConnector(
        credentials={"access_token": "token"}, config={"instance_url": INSTANCE, **config}
    )


def codes(connector: MastodonConnector, request: PublishRequest) -> list[str]:
    return [problem.code for problem in connector.check(request)]


class TestTextLength:
    def test_a_url_of_100_characters_counts_23(self) -> None:
        assert len(LONG_URL) == 100
        assert make_connector().text_length(LONG_URL) == 23
        assert make_connector().text_length(f"Lies das: {LONG_URL} !") == 10 + 23 + 2

    def test_500_characters_pass_and_501_do_not(self) -> None:
        connector = make_connector()
        fits = "x" * 476 + " " + LONG_URL
        assert connector.text_length(fits) == 500
        assert codes(connector, PublishRequest(text=fits)) == []
        assert codes(connector, PublishRequest(text="x" + fits)) == ["text_too_long"]

    def test_an_emoji_with_skin_tone_counts_as_one_as_on_mastodon(self) -> None:
        assert make_connector().text_length("👍🏽") == 1

    def test_a_remote_mention_counts_without_its_server(self) -> None:
        assert make_connector().text_length("@anna@social.example hallo") == len("@anna hallo")

    def test_a_separate_link_counts_too(self) -> None:
        request = PublishRequest(text="x" * 476, link=LONG_URL)
        assert codes(make_connector(), request) == ["text_too_long"]  # 476 + 2 newlines + 23


class TestDefaultLimits:
    def test_without_server_limits_the_mastodon_defaults_apply(self) -> None:
        connector = make_connector()
        assert connector.max_text_length == 500
        assert connector.url_length == 23
        assert connector.max_images == 4
        assert connector.max_image_bytes == 16 * 1024 * 1024
        assert connector.max_alt_text_length == 1500

    def test_five_images_are_one_too_many(self) -> None:
        images = [MediaItem(b"x", "image/png", alt_text="Bild") for _ in range(5)]
        assert codes(make_connector(), PublishRequest(text="Hallo", media=images)) == ["too_many_images"]

    def test_alt_text_may_have_1500_characters(self) -> None:
        connector = make_connector()
        assert (
            codes(connector, PublishRequest(text="", media=[MediaItem(b"x", "image/png", "a" * 1500)])) == []
        )
        assert codes(
            connector, PublishRequest(text="", media=[MediaItem(b"x", "image/png", "a" * 1501)])
        ) == ["alt_text_too_long"]


class TestInstanceLimits:
    def test_it_reads_the_limits_from_api_v2_instance(self) -> None:
        with served() as mock:
            serve(mock, responses.GET, "/api/v2/instance/", "instance_v2")
            limits = make_connector().instance_limits()
        assert limits["max_characters"] == 500
        assert limits["characters_reserved_per_url"] == 23
        assert limits["max_media_attachments"] == 4
        assert limits["image_size_limit"] == 16777216
        assert limits["description_limit"] == 1500
        assert limits["version"] == "4.5.0"
        assert limits["api_version"] == 7
        assert "image/avif" in limits["supported_mime_types"]

    def test_an_older_server_is_read_from_api_v1_instance(self) -> None:
        with served() as mock:
            serve(mock, responses.GET, "/api/v2/instance/", "not_found_404")
            serve(mock, responses.GET, "/api/v1/instance/", "instance_v1")
            limits = make_connector().instance_limits()
        assert limits["max_characters"] == 1000
        assert limits["image_size_limit"] == 10485760
        assert limits["version"] == "3.5.3"
        assert "description_limit" not in limits

    def test_the_servers_limits_replace_the_defaults(self) -> None:
        limits = {
            "max_characters": 5000,
            "characters_reserved_per_url": 30,
            "max_media_attachments": 8,
            "image_size_limit": 10485760,
            "description_limit": 3000,
            "supported_mime_types": ["image/jpeg", "image/png", "video/mp4"],
        }
        connector = make_connector(limits=limits)
        assert connector.max_text_length == 5000
        assert connector.text_length(LONG_URL) == 30
        assert connector.max_images == 8
        assert connector.max_image_bytes == 10485760
        assert connector.max_alt_text_length == 3000
        assert connector.image_mime_types == frozenset({"image/jpeg", "image/png"})
        assert codes(connector, PublishRequest(text="x" * 4999)) == []
        assert codes(connector, PublishRequest(text="", media=[MediaItem(b"x", "image/webp", "Bild")])) == [
            "image_type"
        ]
        # Other channels keep Mastodon's defaults: the limits belong to this object, not the class.
        assert make_connector().max_text_length == 500

    def test_limits_read_from_the_server_can_be_kept_in_the_config_as_they_are(self) -> None:
        with served() as mock:
            serve(mock, responses.GET, "/api/v2/instance/", "instance_v2")
            limits = make_connector().instance_limits()
        connector = make_connector(limits=limits)
        assert (
            connector.max_image_bytes
            == recorded("instance_v2")["body"]["configuration"]["media_attachments"]["image_size_limit"]
        )
        assert "image/heic" in connector.image_mime_types
