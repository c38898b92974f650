from __future__ import annotations

from onevoice.networks.connectors.base import MediaItem, PublishRequest
from onevoice.networks.connectors.bluesky import BlueskyConnector

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


def codes(request: PublishRequest, *, require_alt_text: bool = False) -> list[str]:
    connector = BlueskyConnector(credentials={})
    return [problem.code for problem in connector.check(request, require_alt_text=require_alt_text)]


def image(alt: str = "Ein Bild", size: int = 0) -> MediaItem:
    return MediaItem(content=PNG + b"0" * size, mime_type="image/png", alt_text=alt)


class TestTextLength:
    def test_300_emoji_with_skin_tone_are_300_characters_and_fit(self) -> None:
        text = "👍🏽" * 300
        assert BlueskyConnector(credentials={}).text_length(text) == 300
        assert codes(PublishRequest(text=text)) == []

    def test_the_301st_character_is_too_many(self) -> None:
        assert codes(PublishRequest(text="ä" * 301)) == ["text_too_long"]

    def test_a_text_within_300_characters_but_over_3000_bytes_is_refused(self) -> None:
        family = "👨‍👩‍👧‍👦"  # one character, 25 bytes
        problems = BlueskyConnector(credentials={}).check(PublishRequest(text=family * 150))
        assert [p.code for p in problems] == ["text_too_long"]
        assert "3750" in problems[0].message


class TestImages:
    def test_four_images_with_alt_text_are_fine(self) -> None:
        assert codes(PublishRequest(text="x", media=[image()] * 4), require_alt_text=True) == []

    def test_a_fifth_image_is_refused(self) -> None:
        assert codes(PublishRequest(text="x", media=[image()] * 5)) == ["too_many_images"]

    def test_an_image_over_one_megabyte_is_refused(self) -> None:
        big = image(size=1_000_000 - len(PNG) + 1)
        assert len(big.content) == 1_000_001
        assert codes(PublishRequest(text="x", media=[big])) == ["image_too_large"]
        assert codes(PublishRequest(text="x", media=[image(size=1_000_000 - len(PNG))])) == []

    def test_missing_alt_text_is_refused_when_the_organisation_requires_it(self) -> None:
        request = PublishRequest(text="x", media=[image(alt=" ")])
        assert codes(request, require_alt_text=True) == ["alt_text_missing"]
        assert codes(request) == []

    def test_alt_text_over_2000_characters_is_refused(self) -> None:
        assert codes(PublishRequest(text="x", media=[image(alt="a" * 2000)])) == []
        assert codes(PublishRequest(text="x", media=[image(alt="a" * 2001)])) == ["alt_text_too_long"]

    def test_a_video_is_not_an_image(self) -> None:
        video = MediaItem(content=b"0", mime_type="video/mp4", alt_text="Film")
        assert codes(PublishRequest(text="x", media=[video])) == ["image_type"]
