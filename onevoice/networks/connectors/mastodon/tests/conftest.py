from __future__ import annotations

import pytest

from onevoice.networks.connectors.mastodon.tests.answers import HOST


@pytest.fixture(autouse=True)
def the_test_server_is_allowed(settings: object) -> None:
    """Under tests the guard refuses every outside host; mastodon.example is served by `responses`."""
    settings.HTTP_ALLOWED_PRIVATE_HOSTS = [HOST]  # type: ignore[attr-defined]
