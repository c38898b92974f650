"""Rich text facets for a post: links, #tags and @mentions, indexed by UTF-8 byte offsets.

Detection follows Bluesky's own rules (the SDK ports `detectFacets` of the official TypeScript
client). Mentions need the account's DID: handles that don't resolve stay plain text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from atproto_client import models
from atproto_client.utils import facet_detection


def build_facets(text: str, resolve_handle: Callable[[str], str | None]) -> list[Any]:
    """Facets of `text`, in text order; `resolve_handle` gives a handle's DID or None if it has none."""
    facets: list[Any] = list(facet_detection.detect_facets(text))
    dids: dict[str, str | None] = {}
    for mention in facet_detection.detect_mentions(text):
        handle = mention.handle.lower()
        if handle not in dids:
            dids[handle] = resolve_handle(handle)
        did = dids[handle]
        if did is None:
            continue
        facets.append(
            models.AppBskyRichtextFacet.Main(
                features=[models.AppBskyRichtextFacet.Mention(did=did)],
                index=models.AppBskyRichtextFacet.ByteSlice(
                    byte_start=mention.byte_start, byte_end=mention.byte_end
                ),
            )
        )
    return sorted(facets, key=lambda facet: facet.index.byte_start)
