"""The connector contract for Instagram, on answers written from Meta's content publishing documentation."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from onevoice.networks.connectors.base import Connector, MediaItem, PublishRequest
from onevoice.networks.connectors.instagram.connector import InstagramConnector
from onevoice.networks.connectors.instagram.tests.conftest import GRAPH, HOSTS, IG, RECORDED, jpeg
from onevoice.networks.tests.contract import ConnectorContract
from onevoice.networks.tests.recorded_http import Recorded, recorded

ANSWERS = {
    "publish_ok": "media_published",
    "publish_invalid": "invalid_9004",
    "unauthorized": "expired_190",
    "rate_limited": "rate_limited_4",
    "server_error": "server_error_500",
}


class TestInstagramContract(ConnectorContract):
    @pytest.fixture(autouse=True)
    def _settings(self, settings) -> None:
        self.settings = settings

    def make_connector(self) -> Connector:
        connector = InstagramConnector(credentials={"access_token": "page-token"}, config={"ig_user_id": IG})
        connector.media_url = lambda item: "https://onevoice.example/media/public-media/a.jpg"
        connector.sleep = lambda seconds: None
        return connector

    def sample_request(self) -> PublishRequest:
        return PublishRequest(
            text="Hallo aus dem Redaktionsplan! #OneVoice", media=[MediaItem(jpeg(), "image/jpeg", "Logo")]
        )

    @contextmanager
    def answers(self, scenario: str) -> Iterator[Recorded]:
        with recorded(RECORDED, self.settings, HOSTS) as served:
            served.add("GET", f"{GRAPH}/{IG}/content_publishing_limit", "publishing_limit")
            served.add("POST", f"{GRAPH}/{IG}/media?", "container_created")
            served.add("POST", f"{GRAPH}/{IG}/media", "container_created")
            served.add("GET", f"{GRAPH}/17889455560051444", "status_finished")
            publish = f"{GRAPH}/{IG}/media_publish"
            if scenario == "timeout":
                served.add("POST", publish, httpx.ReadTimeout("read timed out"))
            else:
                served.add("POST", publish, ANSWERS[scenario])
            served.add("GET", f"{GRAPH}/17920238422030506", "media_details")
            yield served
