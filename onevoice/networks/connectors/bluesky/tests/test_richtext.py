from __future__ import annotations

from typing import Any

from onevoice.networks.connectors.bluesky.richtext import build_facets

DIDS = {"bob.test": "did:plc:bob"}


def spans(text: str, facets: list[Any]) -> list[tuple[str, str, Any]]:
    """(feature type, the bytes the facet covers decoded, the feature's value) for each facet."""
    data = text.encode()
    found = []
    for facet in facets:
        feature = facet.features[0]
        kind = feature.py_type.rsplit("#", 1)[1]
        value = (
            getattr(feature, "uri", None) or getattr(feature, "did", None) or getattr(feature, "tag", None)
        )
        found.append((kind, data[facet.index.byte_start : facet.index.byte_end].decode(), value))
    return found


class TestBuildFacets:
    def test_offsets_count_utf8_bytes_past_umlauts_and_emoji(self) -> None:
        text = "Schöne Grüße 👋🏽 an @bob.test! Mehr: https://example.org/straße #Übermorgen 🇩🇪"
        facets = build_facets(text, DIDS.get)
        assert spans(text, facets) == [
            ("mention", "@bob.test", "did:plc:bob"),
            ("link", "https://example.org/straße", "https://example.org/straße"),
            ("tag", "#Übermorgen", "Übermorgen"),
        ]

    def test_an_unresolvable_mention_stays_plain_text(self) -> None:
        text = "Hallo @niemand.test und @bob.test"
        assert spans(text, build_facets(text, DIDS.get)) == [("mention", "@bob.test", "did:plc:bob")]

    def test_each_handle_is_resolved_once(self) -> None:
        asked: list[str] = []

        def resolve(handle: str) -> str | None:
            asked.append(handle)
            return DIDS.get(handle)

        build_facets("@bob.test @Bob.test @bob.test", resolve)
        assert asked == ["bob.test"]

    def test_trailing_punctuation_is_not_part_of_a_link_or_tag(self) -> None:
        text = "Siehe https://example.org/a. Und #Sommer!"
        assert spans(text, build_facets(text, DIDS.get)) == [
            ("link", "https://example.org/a", "https://example.org/a"),
            ("tag", "#Sommer", "Sommer"),
        ]

    def test_a_text_without_links_tags_or_mentions_has_no_facets(self) -> None:
        assert build_facets("Guten Morgen, Köln! 🌅 Nr. 1", DIDS.get) == []
