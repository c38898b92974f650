"""The connector contract for Threads, on answers written from Meta's Threads API documentation."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from onevoice.networks.connectors.base import Connector
from onevoice.networks.connectors.threads.connector import ThreadsConnector
from onevoice.networks.connectors.threads.tests.conftest import API, HOSTS, RECORDED, USER
from onevoice.networks.tests.contract import ConnectorContract
from onevoice.networks.tests.recorded_http import Recorded, recorded

ANSWERS = {
    "publish_ok": "published",
    "publish_invalid": "invalid_100",
    "unauthorized": "expired_190",
    "rate_limited": "rate_limited_4",
    "server_error": "server_error_500",
}


class TestThreadsContract(ConnectorContract):
    @pytest.fixture(autouse=True)
    def _settings(self, settings) -> None:
        self.settings = settings

    def make_connector(self) -> Connector:
        connector = ThreadsConnector(credentials={"access_token": "t"}, config={"threads_user_id": USER})
        connector.sleep = lambda seconds: None
        return connector

    @contextmanager
    def answers(self, scenario: str) -> Iterator[Recorded]:
        with recorded(RECORDED, self.settings, HOSTS) as served:
            served.add("GET", f"{API}/{USER}/threads_publishing_limit", "publishing_limit")
            served.add("POST", f"{API}/{USER}/threads", "container_created")
            served.add("GET", f"{API}/18039430466618413", "status_finished")
            publish = f"{API}/{USER}/threads_publish"
            served.add(
                "POST",
                publish,
                httpx.ReadTimeout("timed out") if scenario == "timeout" else ANSWERS[scenario],
            )
            served.add("GET", f"{API}/18062500000000001", "media_details")
            yield served
