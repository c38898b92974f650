from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from onevoice.networks.tests.recorded_http import Recorded, recorded

RECORDED = Path(__file__).parent / "recorded"
HOSTS = ["graph.facebook.com", "www.facebook.com"]
GRAPH = "https://graph.facebook.com/v24.0"
PAGE = "104857600000001"


@pytest.fixture
def facebook(settings) -> Iterator[Recorded]:
    with recorded(RECORDED, settings, HOSTS) as served:
        yield served
