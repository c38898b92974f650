"""The SSRF guard covers Mastodon: no request reaches an internal address unless an operator allowed it."""

from __future__ import annotations

import pytest
import responses

from onevoice.networks.connectors.base import ConnectorError, PublishRequest
from onevoice.networks.connectors.mastodon import oauth
from onevoice.networks.connectors.mastodon.connector import MastodonConnector
from onevoice.networks.connectors.mastodon.tests.answers import INSTANCE, recorded, serve, served

INTERNAL = ["https://10.0.0.5", "https://169.254.169.254"]


def connector_for(instance_url: str) -> MastodonConnector:
    return MastodonConnector(credentials={"access_token": "token"}, config={"instance_url": instance_url})


class TestGuardedSession:
    @pytest.mark.parametrize("instance_url", INTERNAL)
    def test_an_instance_on_an_internal_address_is_refused_before_anything_is_sent(
        self, instance_url: str
    ) -> None:
        with served() as mock:
            with pytest.raises(ConnectorError) as error:
                connector_for(instance_url).verify()
            with pytest.raises(ConnectorError):
                connector_for(instance_url).publish(PublishRequest(text="Hallo"), idempotency_key="k")
        assert not mock.calls
        assert error.value.permanent
        assert "internal address" in error.value.message

    @pytest.mark.parametrize("instance_url", INTERNAL)
    def test_oauth_is_guarded_too(self, instance_url: str) -> None:
        with served() as mock, pytest.raises(ConnectorError) as error:
            oauth.register_app(instance_url, "https://onevoice.example/callback")
        assert not mock.calls
        assert error.value.permanent

    def test_an_allowed_internal_server_is_reached(self, settings: object) -> None:
        settings.HTTP_ALLOWED_PRIVATE_HOSTS = ["10.0.0.5"]  # type: ignore[attr-defined]
        with served() as mock:
            serve(
                mock,
                responses.GET,
                "/api/v1/accounts/verify_credentials",
                "verify_credentials",
                base="https://10.0.0.5",
            )
            account = connector_for("https://10.0.0.5").verify()
        assert account.handle == "muster@10.0.0.5"

    def test_a_redirect_to_an_internal_address_is_refused(self) -> None:
        with served(all_used=False) as mock:
            mock.add(
                responses.GET,
                INSTANCE + "/api/v1/accounts/verify_credentials",
                status=302,
                headers={"Location": "http://169.254.169.254/latest/meta-data/"},
            )
            mock.add(
                responses.GET,
                "http://169.254.169.254/latest/meta-data/",
                json=recorded("verify_credentials")["body"],
            )
            with pytest.raises(ConnectorError) as error:
                connector_for(INSTANCE).verify()
        assert len(mock.calls) == 1
        assert error.value.permanent

    def test_plain_http_is_refused_for_a_public_server(self) -> None:
        with pytest.raises(ConnectorError) as error:
            connector_for("http://mastodon.social")
        assert error.value.permanent
        assert "https" in error.value.message
