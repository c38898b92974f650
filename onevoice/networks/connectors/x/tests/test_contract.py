"""The connector contract for X, on answers written from the X API v2 documentation."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from onevoice.networks.connectors.base import Connector
from onevoice.networks.connectors.x.connector import XConnector
from onevoice.networks.connectors.x.tests.conftest import API, HOSTS, RECORDED, USER
from onevoice.networks.tests.contract import ConnectorContract
from onevoice.networks.tests.recorded_http import Recorded, recorded

ANSWERS = {
    "publish_ok": "post_created_201",
    "publish_invalid": "post_invalid_400",
    "unauthorized": "unauthorized_401",
    "rate_limited": "rate_limited_429",
    "server_error": "server_error_503",
}


class TestXContract(ConnectorContract):
    @pytest.fixture(autouse=True)
    def _settings(self, settings) -> None:
        self.settings = settings

    def make_connector(self) -> Connector:
        return XConnector(
            credentials={"access_token": "t"}, config={"user_id": USER, "username": "muster_gmbh"}
        )

    @contextmanager
    def answers(self, scenario: str) -> Iterator[Recorded]:
        with recorded(RECORDED, self.settings, HOSTS) as served:
            served.add(
                "POST",
                f"{API}/2/tweets",
                httpx.ReadTimeout("timed out") if scenario == "timeout" else ANSWERS[scenario],
            )
            yield served
