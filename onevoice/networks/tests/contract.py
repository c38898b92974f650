"""The contract every connector keeps, checked on recorded answers of its network.

A connector's test class inherits `ConnectorContract` and fills in three hooks:
`make_connector()`, `sample_request()` and `answers(scenario)`, a context manager that makes the
network give the recorded answer for one scenario (success, validation error, 401, 429 with its
headers, 5xx, a timeout after the request was sent).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import UTC, datetime

import pytest

from onevoice.networks.connectors.base import (
    AuthExpired,
    Connector,
    ConnectorError,
    PublishRequest,
    RateLimited,
    Unconfirmed,
)

SCENARIOS = ("publish_ok", "publish_invalid", "unauthorized", "rate_limited", "server_error", "timeout")


class ConnectorContract:
    def make_connector(self) -> Connector:
        raise NotImplementedError

    def sample_request(self) -> PublishRequest:
        return PublishRequest(
            text="Hallo aus dem Redaktionsplan! #OneVoice https://example.org/news", language="de"
        )

    def answers(self, scenario: str) -> AbstractContextManager[object]:
        raise NotImplementedError

    @pytest.fixture
    def connector(self) -> Connector:
        return self.make_connector()

    def test_publish_returns_the_external_id_and_a_link(self, connector: Connector) -> None:
        with self.answers("publish_ok"):
            result = connector.publish(self.sample_request(), idempotency_key="variant-1")
        assert result.external_id
        assert result.url.startswith("https://") or result.url.startswith("http://")

    def test_a_validation_error_is_permanent(self, connector: Connector) -> None:
        with self.answers("publish_invalid"), pytest.raises(ConnectorError) as error:
            connector.publish(self.sample_request(), idempotency_key="variant-2")
        assert error.value.permanent
        assert not isinstance(error.value, AuthExpired | RateLimited | Unconfirmed)

    def test_rejected_credentials_mean_reconnect(self, connector: Connector) -> None:
        with self.answers("unauthorized"), pytest.raises(AuthExpired):
            connector.publish(self.sample_request(), idempotency_key="variant-3")

    def test_a_rate_limit_says_until_when(self, connector: Connector) -> None:
        with self.answers("rate_limited"), pytest.raises(RateLimited) as error:
            connector.publish(self.sample_request(), idempotency_key="variant-4")
        assert error.value.retry_after > datetime(2000, 1, 1, tzinfo=UTC)
        assert error.value.retry_after.tzinfo is not None

    def test_a_server_error_is_transient(self, connector: Connector) -> None:
        with self.answers("server_error"), pytest.raises(ConnectorError) as error:
            connector.publish(self.sample_request(), idempotency_key="variant-5")
        assert not error.value.permanent

    def test_a_timeout_after_sending_is_unconfirmed(self, connector: Connector) -> None:
        with self.answers("timeout"), pytest.raises(Unconfirmed):
            connector.publish(self.sample_request(), idempotency_key="variant-6")
