"""The shared REST client: secrets in query strings never reach the log."""

from __future__ import annotations

import logging

import pytest

from onevoice.networks.connectors.threads.connector import accounts
from onevoice.networks.connectors.threads.tests.conftest import RECORDED
from onevoice.networks.oauth import TokenSet
from onevoice.networks.tests.recorded_http import recorded


def test_tokens_and_secrets_in_urls_are_blanked_in_the_log(
    settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="httpx")
    with recorded(RECORDED, settings, ["graph.threads.net"]) as served:
        served.add("GET", "https://graph.threads.net/access_token", "token_long_lived")
        served.add("GET", "https://graph.threads.net/v1.0/me", "me")
        accounts(TokenSet("THQVshort"), client_id="cid", client_secret="very-secret", api_version="", kind="")
    logged = caplog.text
    assert "graph.threads.net/access_token" in logged
    assert "very-secret" not in logged
    assert "THQVshort" not in logged
    assert "client_secret=[redacted]" in logged
