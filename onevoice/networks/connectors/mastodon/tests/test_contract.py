"""The connector contract for Mastodon, on answers written from the official API documentation.

No Mastodon server can run here (see the Mastodon section of shared/testbed/README.md, and recorded/README.md),
so `responses` serves documentation-based answers instead of a live server.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import requests
import responses

from onevoice.networks.connectors.base import Connector
from onevoice.networks.connectors.mastodon.connector import MastodonConnector
from onevoice.networks.connectors.mastodon.tests.answers import INSTANCE, serve
from onevoice.networks.tests.contract import ConnectorContract

STATUSES = "/api/v1/statuses"
SCENARIO_ANSWERS = {
    "publish_ok": "status_created",
    "publish_invalid": "status_invalid_422",
    "unauthorized": "unauthorized_401",
    "rate_limited": "rate_limited_429",
    "server_error": "server_error_503",
}


class TestMastodonContract(ConnectorContract):
    def make_connector(self) -> Connector:
        return MastodonConnector(credentials={"access_token": "token"}, config={"instance_url": INSTANCE})

    @contextmanager
    def answers(self, scenario: str) -> Iterator[responses.RequestsMock]:
        with responses.RequestsMock() as mock:
            if scenario == "timeout":
                # The request went out; the answer never came back.
                mock.add(
                    responses.POST,
                    INSTANCE + STATUSES,
                    body=requests.exceptions.ReadTimeout("Read timed out."),
                )
            else:
                serve(mock, responses.POST, STATUSES, SCENARIO_ANSWERS[scenario])
            yield mock
