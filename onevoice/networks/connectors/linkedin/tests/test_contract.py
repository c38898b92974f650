"""The connector contract for LinkedIn, on answers written from LinkedIn's API documentation."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from onevoice.networks.connectors.base import Connector
from onevoice.networks.connectors.linkedin.connector import LinkedInConnector
from onevoice.networks.connectors.linkedin.tests.conftest import HOSTS, RECORDED
from onevoice.networks.tests.contract import ConnectorContract
from onevoice.networks.tests.recorded_http import Recorded, recorded

POSTS = "https://api.linkedin.com/rest/posts"
ANSWERS = {
    "publish_ok": "post_created_201",
    "publish_invalid": "post_invalid_422",
    "unauthorized": "unauthorized_401",
    "rate_limited": "rate_limited_429",
    "server_error": "server_error_500",
}


class TestLinkedInContract(ConnectorContract):
    @pytest.fixture(autouse=True)
    def _settings(self, settings) -> None:
        self.settings = settings

    def make_connector(self) -> Connector:
        return LinkedInConnector(
            credentials={"access_token": "token"}, config={"author_urn": "urn:li:organization:2414183"}
        )

    @contextmanager
    def answers(self, scenario: str) -> Iterator[Recorded]:
        with recorded(RECORDED, self.settings, HOSTS) as served:
            if scenario == "timeout":
                served.add("POST", POSTS, httpx.ReadTimeout("read timed out"))
            else:
                served.add("POST", POSTS, ANSWERS[scenario])
            yield served
