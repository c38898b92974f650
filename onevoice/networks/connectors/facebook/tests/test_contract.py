"""The connector contract for Facebook Pages, on answers written from Meta's Graph API documentation."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from onevoice.networks.connectors.base import Connector
from onevoice.networks.connectors.facebook.connector import FacebookConnector
from onevoice.networks.connectors.facebook.tests.conftest import GRAPH, HOSTS, PAGE, RECORDED
from onevoice.networks.tests.contract import ConnectorContract
from onevoice.networks.tests.recorded_http import Recorded, recorded

ANSWERS = {
    "publish_ok": "feed_created",
    "publish_invalid": "invalid_100",
    "unauthorized": "expired_190",
    "rate_limited": "rate_limited_32",
    "server_error": "server_error_500",
}


class TestFacebookContract(ConnectorContract):
    @pytest.fixture(autouse=True)
    def _settings(self, settings) -> None:
        self.settings = settings

    def make_connector(self) -> Connector:
        return FacebookConnector(credentials={"access_token": "page-token"}, config={"page_id": PAGE})

    @contextmanager
    def answers(self, scenario: str) -> Iterator[Recorded]:
        with recorded(RECORDED, self.settings, HOSTS) as served:
            feed = f"{GRAPH}/{PAGE}/feed"
            served.add(
                "POST",
                feed,
                httpx.ReadTimeout("read timed out") if scenario == "timeout" else ANSWERS[scenario],
            )
            yield served
