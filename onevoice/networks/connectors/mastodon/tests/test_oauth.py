"""The OAuth helpers send what docs.joinmastodon.org (methods/apps, methods/oauth) asks for.

The answers are written from that documentation; no Mastodon server runs here.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from onevoice.networks.connectors.base import ConnectorError, RateLimited
from onevoice.networks.connectors.mastodon import oauth
from onevoice.networks.connectors.mastodon.tests.answers import INSTANCE, sent_form, serve, served

REDIRECT = "https://onevoice.example/channels/mastodon/callback"
CLIENT_ID = "TWhM-tNSuncnqN7DBJmoyeLnk6K3iJJ71KKXxgL1hPM"
CLIENT_SECRET = "ZEaFUFmF0umgBX1qKJDjaU99Q31lDkOU8NutzTOoliw"


class TestRegisterApp:
    def test_it_registers_onevoice_with_the_redirect_and_read_write_scopes(self) -> None:
        with served() as mock:
            serve(mock, responses.POST, "/api/v1/apps", "app_created")
            client_id, client_secret = oauth.register_app("mastodon.example", REDIRECT)
        assert (client_id, client_secret) == (CLIENT_ID, CLIENT_SECRET)
        form = sent_form(mock.calls[0])
        assert form == {"client_name": ["OneVoice"], "redirect_uris": [REDIRECT], "scopes": ["read write"]}

    def test_a_refusal_is_permanent_with_the_servers_reason(self) -> None:
        with served() as mock:
            serve(mock, responses.POST, "/api/v1/apps", "app_invalid_422")
            with pytest.raises(ConnectorError) as error:
                oauth.register_app(INSTANCE, "not a uri")
        assert error.value.permanent
        assert "Redirect URI must be an absolute URI" in error.value.message

    def test_a_server_that_is_not_mastodon_is_named_as_such(self) -> None:
        with served() as mock:
            mock.add(responses.POST, INSTANCE + "/api/v1/apps", body="<html>Welcome</html>", status=200)
            with pytest.raises(ConnectorError) as error:
                oauth.register_app(INSTANCE, REDIRECT)
        assert error.value.permanent
        assert "does not answer like a Mastodon server" in error.value.message


class TestAuthorizationUrl:
    def test_it_points_to_the_servers_form_with_code_scopes_and_state(self) -> None:
        url = oauth.authorization_url(
            "https://mastodon.example/", CLIENT_ID, REDIRECT, "s7a7e", language="de"
        )
        parts = urlsplit(url)
        assert (parts.scheme, parts.netloc, parts.path) == ("https", "mastodon.example", "/oauth/authorize")
        assert parse_qs(parts.query) == {
            "response_type": ["code"],
            "client_id": [CLIENT_ID],
            "redirect_uri": [REDIRECT],
            "scope": ["read write"],
            "state": ["s7a7e"],
            "lang": ["de"],
        }


class TestExchangeCode:
    def test_it_trades_the_code_for_the_access_token(self) -> None:
        with served() as mock:
            serve(mock, responses.POST, "/oauth/token", "oauth_token")
            token = oauth.exchange_code(INSTANCE, CLIENT_ID, CLIENT_SECRET, REDIRECT, "qDFUEaYrRK5c")
        assert token == "ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0"
        assert sent_form(mock.calls[0]) == {
            "grant_type": ["authorization_code"],
            "code": ["qDFUEaYrRK5c"],
            "client_id": [CLIENT_ID],
            "client_secret": [CLIENT_SECRET],
            "redirect_uri": [REDIRECT],
            "scope": ["read write"],
        }

    def test_a_used_or_expired_code_is_permanent(self) -> None:
        with served() as mock:
            serve(mock, responses.POST, "/oauth/token", "oauth_invalid_grant_400")
            with pytest.raises(ConnectorError) as error:
                oauth.exchange_code(INSTANCE, CLIENT_ID, CLIENT_SECRET, REDIRECT, "used")
        assert error.value.permanent
        assert error.value.status == 400
        assert "authorization grant is invalid" in error.value.message

    def test_an_unknown_registration_asks_to_register_again(self) -> None:
        with served() as mock:
            serve(mock, responses.POST, "/oauth/token", "oauth_invalid_client_401")
            with pytest.raises(ConnectorError) as error:
                oauth.exchange_code(INSTANCE, CLIENT_ID, CLIENT_SECRET, REDIRECT, "code")
        assert error.value.permanent
        assert error.value.status == 401
        assert "registers anew" in error.value.message

    def test_a_token_without_write_access_is_refused(self) -> None:
        with served() as mock:
            serve(mock, responses.POST, "/oauth/token", "oauth_token_read_only")
            with pytest.raises(ConnectorError) as error:
                oauth.exchange_code(INSTANCE, CLIENT_ID, CLIENT_SECRET, REDIRECT, "code")
        assert error.value.permanent
        assert "read and to write" in error.value.message

    def test_a_rate_limit_says_until_when(self) -> None:
        with served() as mock:
            serve(mock, responses.POST, "/oauth/token", "rate_limited_429")
            with pytest.raises(RateLimited):
                oauth.exchange_code(INSTANCE, CLIENT_ID, CLIENT_SECRET, REDIRECT, "code")

    def test_an_unreachable_server_is_transient(self) -> None:
        with served() as mock:
            mock.add(
                responses.POST, INSTANCE + "/oauth/token", body=requests.exceptions.ConnectionError("refused")
            )
            with pytest.raises(ConnectorError) as error:
                oauth.exchange_code(INSTANCE, CLIENT_ID, CLIENT_SECRET, REDIRECT, "code")
        assert not error.value.permanent


class TestRevoke:
    def test_it_revokes_the_token_with_the_apps_credentials(self) -> None:
        with served() as mock:
            serve(mock, responses.POST, "/oauth/revoke", "oauth_revoked")
            oauth.revoke(INSTANCE, CLIENT_ID, CLIENT_SECRET, "the-token")
        assert sent_form(mock.calls[0]) == {
            "client_id": [CLIENT_ID],
            "client_secret": [CLIENT_SECRET],
            "token": ["the-token"],
        }
