from __future__ import annotations

from collections.abc import Iterator

import pytest

from onevoice.networks import registry
from onevoice.networks.tests.fakes import ScriptedConnector


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[ScriptedConnector]]:
    """Bluesky channels talk to the scripted connector during this test."""
    ScriptedConnector.reset()
    monkeypatch.setitem(registry.CONNECTORS, "bluesky", "onevoice.networks.tests.fakes.ScriptedConnector")
    yield ScriptedConnector
    ScriptedConnector.reset()
