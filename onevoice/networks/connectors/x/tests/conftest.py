from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from onevoice.networks.tests.recorded_http import Recorded, recorded

RECORDED = Path(__file__).parent / "recorded"
HOSTS = ["api.x.com", "x.com"]
API = "https://api.x.com"
USER = "1590000000000000001"


@pytest.fixture
def x(settings) -> Iterator[Recorded]:
    with recorded(RECORDED, settings, HOSTS) as served:
        yield served
