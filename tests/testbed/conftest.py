"""Tests against real servers of the local testbed (../shared/testbed), marked `testbed`.

They skip with the reason when the servers cannot start here (no Node, no network script), unless
ONEVOICE_REQUIRE_TESTBED=1 is set, as in CI: then they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.testbed.bluesky import Network, NetworkUnavailable, ensure_network


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "testbed: talks to real servers of the local testbed (../shared/testbed)"
    )


def testbed_required() -> bool:
    return os.environ.get("ONEVOICE_REQUIRE_TESTBED") == "1"


@pytest.fixture(scope="session")
def bluesky_network() -> Iterator[Network]:
    """The full local Bluesky network (PDS + AppView), reused if running, stopped after the session if started."""
    try:
        network = ensure_network(full=True)
    except NetworkUnavailable as error:
        if testbed_required():
            pytest.fail(f"ONEVOICE_REQUIRE_TESTBED=1 but the local Bluesky network cannot start: {error}")
        pytest.skip(f"the local Bluesky network cannot start here: {error}")
    yield network
    network.stop()
