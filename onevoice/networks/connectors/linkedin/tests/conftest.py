from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from onevoice.networks.tests.recorded_http import Recorded, recorded

RECORDED = Path(__file__).parent / "recorded"
HOSTS = ["api.linkedin.com", "www.linkedin.com"]


@pytest.fixture
def linkedin(settings) -> Iterator[Recorded]:
    with recorded(RECORDED, settings, HOSTS) as served:
        yield served
