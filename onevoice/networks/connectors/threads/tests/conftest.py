from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from onevoice.networks.tests.recorded_http import Recorded, recorded

RECORDED = Path(__file__).parent / "recorded"
HOSTS = ["graph.threads.net", "threads.net"]
API = "https://graph.threads.net/v1.0"
USER = "25000000000000001"


@pytest.fixture
def threads(settings) -> Iterator[Recorded]:
    with recorded(RECORDED, settings, HOSTS) as served:
        yield served
