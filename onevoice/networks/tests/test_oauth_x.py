"""Connecting X (PKCE, confidential client), its cost note, and signing in again to renew a channel."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from onevoice.networks.connectors.x.tests.conftest import API, HOSTS, RECORDED
from onevoice.networks.models import AppRegistration, Channel
from onevoice.networks.tests.recorded_http import Recorded, recorded

pytestmark = pytest.mark.django_db


def url(name: str, personas, *args: object) -> str:
    return reverse(f"networks:{name}", args=[personas.organization.slug, *args])


@pytest.fixture
def app(personas) -> AppRegistration:
    registration = AppRegistration(organization=personas.organization, network="x", client_id="x-client")
    registration.set_client_secret("x-secret")
    registration.save()
    return registration


def sign_in(personas, client, **data: str) -> dict[str, str]:
    response = client.post(url("oauth-connect", personas, "x"), {"name": "", **data})
    target = urlsplit(response["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == "https://x.com/i/oauth2/authorize"
    return {k: v[0] for k, v in parse_qs(target.query).items()}


class TestX:
    def test_the_connect_page_notes_the_pay_per_use_cost(self, personas, app) -> None:
        page = personas.client_for(personas.smm).get(url("oauth-connect", personas, "x")).content.decode()
        assert "x-cost" in page
        assert "pay-per-use" in page

    def test_sign_in_uses_pkce_and_the_code_exchange_basic_auth(self, personas, app, settings) -> None:
        client = personas.client_for(personas.smm)
        params = sign_in(personas, client)
        assert params["code_challenge_method"] == "S256"
        assert "offline.access" in params["scope"].split(" ")
        with recorded(RECORDED, settings, HOSTS) as served:
            served.add("POST", f"{API}/2/oauth2/token", "token")
            served.add("GET", f"{API}/2/users/me", "me", repeat=True)
            client.get(url("oauth-callback", personas, "x"), {"code": "c", "state": params["state"]})
            exchange = served.calls[0]
            form = Recorded.form_of(exchange)
        assert exchange.headers["Authorization"].startswith("Basic ")
        assert "client_secret" not in form
        assert len(form["code_verifier"]) >= 43
        channel = Channel.objects.get()
        assert channel.handle == "muster_gmbh"
        assert channel.credentials["refresh_token"] == "XrefreshToken"
        page = client.get(url("channel", personas, channel.public_id)).content.decode()
        assert "pay-per-use" in page

    def test_signing_in_again_renews_the_channel_instead_of_adding_one(self, personas, app, settings) -> None:
        channel = Channel.objects.create(
            organization=personas.organization,
            network="x",
            name="X Muster",
            external_account_id="1590000000000000001",
            config={"user_id": "1590000000000000001", "username": "muster_gmbh"},
            state=Channel.State.RECONNECT,
        )
        client = personas.client_for(personas.smm)
        page = client.get(url("channel", personas, channel.public_id)).content.decode()
        assert "sign-in-again" in page
        params = sign_in(personas, client, channel=str(channel.public_id))
        with recorded(RECORDED, settings, HOSTS) as served:
            served.add("POST", f"{API}/2/oauth2/token", "token")
            served.add("GET", f"{API}/2/users/me", "me", repeat=True)
            response = client.get(
                url("oauth-callback", personas, "x"), {"code": "c", "state": params["state"]}
            )
        assert response["Location"] == url("channel", personas, channel.public_id)
        channel.refresh_from_db()
        assert Channel.objects.count() == 1
        assert channel.state == Channel.State.CONNECTED
        assert channel.credentials["access_token"] == "XaccessToken"

    def test_a_channel_of_another_organisation_cannot_be_renewed(self, personas, app) -> None:
        other = Channel.objects.create(organization=personas.outsider.organization, network="x", name="Fremd")
        client = personas.client_for(personas.smm)
        sign_in(personas, client, channel=str(other.public_id))
        assert client.session["oauth_pending"]["channel"] == ""
