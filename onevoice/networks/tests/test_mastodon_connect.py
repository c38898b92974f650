"""Connecting a Mastodon channel through the UI, against documentation-based answers (no live server here)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from onevoice.networks.connectors.mastodon.tests.answers import HOST, INSTANCE, serve, served
from onevoice.networks.models import Channel

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def the_test_server_is_allowed(settings) -> None:
    settings.HTTP_ALLOWED_PRIVATE_HOSTS = [HOST]


def url(name: str, personas) -> str:
    return reverse(f"networks:{name}", args=[personas.organization.slug])


class TestConnectWithToken:
    def test_a_pasted_token_connects_and_keeps_the_instance_limits(self, personas) -> None:
        with served(all_used=False) as mock:
            serve(mock, "GET", "/api/v1/accounts/verify_credentials", "verify_credentials")
            serve(mock, "GET", "/api/v2/instance/", "instance_v2")
            response = personas.client_for(personas.smm).post(
                url("connect-mastodon", personas),
                {"instance_url": INSTANCE, "access_token": "token-123", "name": "Mastodon Muster"},
            )
        channel = Channel.objects.get()
        assert response["Location"] == reverse(
            "networks:channel", args=[personas.organization.slug, channel.public_id]
        )
        assert channel.handle.startswith("muster")
        assert channel.credentials["access_token"] == "token-123"
        assert channel.config["account_id"] == "109348192751328450"
        assert "limits" in channel.config

    def test_a_rejected_token_shows_why_and_saves_nothing(self, personas) -> None:
        with served(all_used=False) as mock:
            serve(mock, "GET", "/api/v1/accounts/verify_credentials", "unauthorized_401")
            response = personas.client_for(personas.smm).post(
                url("connect-mastodon", personas), {"instance_url": INSTANCE, "access_token": "revoked"}
            )
        assert response.status_code == 400
        assert "no longer accepts the login" in response.content.decode()
        assert not Channel.objects.exists()

    def test_an_instance_on_an_internal_address_is_refused(self, personas, settings) -> None:
        settings.HTTP_ALLOWED_PRIVATE_HOSTS = []
        response = personas.client_for(personas.smm).post(
            url("connect-mastodon", personas), {"instance_url": "http://169.254.169.254", "access_token": "x"}
        )
        assert response.status_code == 400
        assert not Channel.objects.exists()


class TestConnectWithOAuth:
    def test_sign_in_on_the_instance_and_come_back(self, personas) -> None:
        client = personas.client_for(personas.smm)
        with served(all_used=False) as mock:
            serve(mock, "POST", "/api/v1/apps", "app_created")
            response = client.post(url("connect-mastodon", personas), {"instance_url": INSTANCE, "name": ""})
        assert response.status_code == 302
        authorize = urlsplit(response["Location"])
        assert authorize.netloc == HOST
        assert authorize.path == "/oauth/authorize"
        params = parse_qs(authorize.query)
        assert params["scope"] == ["read write"]
        assert params["redirect_uri"][0].endswith(url("mastodon-callback", personas))
        state = params["state"][0]

        with served(all_used=False) as mock:
            serve(mock, "POST", "/oauth/token", "oauth_token")
            serve(mock, "GET", "/api/v1/accounts/verify_credentials", "verify_credentials")
            serve(mock, "GET", "/api/v2/instance/", "instance_v2")
            response = client.get(url("mastodon-callback", personas), {"code": "abc", "state": state})
        channel = Channel.objects.get()
        assert response["Location"].endswith(f"/channels/{channel.public_id}/")
        assert channel.credentials["client_id"]

    def test_a_wrong_state_is_refused(self, personas) -> None:
        client = personas.client_for(personas.smm)
        with served(all_used=False) as mock:
            serve(mock, "POST", "/api/v1/apps", "app_created")
            client.post(url("connect-mastodon", personas), {"instance_url": INSTANCE})
        response = client.get(
            url("mastodon-callback", personas), {"code": "abc", "state": "forged"}, follow=True
        )
        assert "could not be matched" in response.content.decode()
        assert not Channel.objects.exists()

    def test_a_declined_authorisation_connects_nothing(self, personas) -> None:
        client = personas.client_for(personas.smm)
        with served(all_used=False) as mock:
            serve(mock, "POST", "/api/v1/apps", "app_created")
            response = client.post(url("connect-mastodon", personas), {"instance_url": INSTANCE})
        state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
        response = client.get(
            url("mastodon-callback", personas), {"error": "access_denied", "state": state}, follow=True
        )
        assert "did not grant access" in response.content.decode()
        assert not Channel.objects.exists()

    def test_a_cm_cannot_use_the_callback(self, personas) -> None:
        response = personas.client_for(personas.cm).get(url("mastodon-callback", personas), {"code": "x"})
        assert response.status_code == 404
