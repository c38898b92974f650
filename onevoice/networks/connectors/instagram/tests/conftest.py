from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from onevoice.networks.tests.recorded_http import Recorded, recorded

RECORDED = Path(__file__).parent / "recorded"
HOSTS = ["graph.facebook.com"]
GRAPH = "https://graph.facebook.com/v24.0"
IG = "17841400000000001"


@pytest.fixture
def instagram(settings) -> Iterator[Recorded]:
    with recorded(RECORDED, settings, HOSTS) as served:
        yield served


def jpeg(width: int = 1080, height: int = 1080) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, "JPEG")
    return buffer.getvalue()
