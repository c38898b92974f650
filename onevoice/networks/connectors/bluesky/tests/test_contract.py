"""The connector contract for Bluesky, on answers recorded from the real PDS of the local testbed.

How the answers were made: `record_answers.py` in this folder drove the connector against the testbed's
reference PDS (+ AppView) and saved every answer under recorded/ (tokens replaced by look-alikes that
expire in 2100). The 429 comes from a second PDS with its rate limits switched on; the 500 is what the
PDS answers when a record key is taken. The timeout is made here: the connection breaks off after
createRecord was sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

import httpx
import pytest
import respx
from pytest_django.fixtures import Settings

from onevoice.networks.connectors.base import Connector
from onevoice.networks.connectors.bluesky import BlueskyConnector
from onevoice.networks.connectors.bluesky.tests.replay import SERVICE, replay, stored_credentials
from onevoice.networks.tests.contract import ConnectorContract

SAMPLE = ConnectorContract().sample_request()


@contextmanager
def connection_lost_after_sending() -> Iterator[respx.MockRouter]:
    with respx.mock() as router:
        router.post(path="/xrpc/com.atproto.repo.createRecord").mock(
            side_effect=httpx.ReadTimeout("no answer within the timeout")
        )
        yield router


class TestBlueskyContract(ConnectorContract):
    @pytest.fixture(autouse=True)
    def allow_the_recorded_host(self, settings: Settings) -> None:
        settings.HTTP_ALLOWED_PRIVATE_HOSTS = ["localhost"]

    def make_connector(self) -> Connector:
        return BlueskyConnector(credentials=stored_credentials(), config={"service": SERVICE})

    def answers(self, scenario: str) -> AbstractContextManager[object]:
        if scenario == "timeout":
            return connection_lost_after_sending()
        return replay(scenario)
