"""Connecting Facebook Pages and Instagram accounts through Facebook Login, on documented Graph answers."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from onevoice.networks.connectors.facebook.tests.conftest import GRAPH, HOSTS, RECORDED
from onevoice.networks.models import AppRegistration, Channel
from onevoice.networks.tests.recorded_http import Recorded, recorded

pytestmark = pytest.mark.django_db


def url(name: str, personas, *args: object) -> str:
    return reverse(f"networks:{name}", args=[personas.organization.slug, *args])


def register(personas, network: str) -> None:
    registration = AppRegistration(
        organization=personas.organization, network=network, client_id="1234567890"
    )
    registration.set_client_secret("app-secret")
    registration.save()


def sign_in(personas, client, network: str) -> str:
    response = client.post(url("oauth-connect", personas, network), {"name": ""})
    target = urlsplit(response["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == "https://www.facebook.com/v24.0/dialog/oauth"
    return parse_qs(target.query)["state"][0]


def login_answers(served: Recorded, permissions: str = "permissions") -> None:
    served.add("POST", f"{GRAPH}/oauth/access_token", "token")
    served.add("POST", f"{GRAPH}/oauth/access_token", "token_long_lived")
    served.add("GET", f"{GRAPH}/me/permissions", permissions)
    served.add("GET", f"{GRAPH}/me/accounts", "accounts")


class TestFacebookPages:
    def test_the_person_picks_one_of_their_pages(self, personas, settings) -> None:
        register(personas, "facebook")
        client = personas.client_for(personas.smm)
        state = sign_in(personas, client, "facebook")
        with recorded(RECORDED, settings, HOSTS) as served:
            login_answers(served)
            served.add("GET", f"{GRAPH}/104857600000002", "page")
            response = client.get(url("oauth-callback", personas, "facebook"), {"code": "c", "state": state})
            assert response["Location"] == url("oauth-choose", personas, "facebook")
            exchange = Recorded.form_of(served.calls[1])
            assert exchange["grant_type"] == "fb_exchange_token"
            assert exchange["fb_exchange_token"] == "EAAshortLived"
            assert served.calls[3].headers["Authorization"] == "Bearer EAAlongLived"
            response = client.post(response["Location"], {"account": "104857600000002"})
        channel = Channel.objects.get()
        assert channel.network == "facebook"
        assert channel.config["page_id"] == "104857600000002"
        assert channel.credentials == {"access_token": "EAApageToken2"}  # Page tokens do not expire

    def test_a_declined_permission_is_named(self, personas, settings) -> None:
        register(personas, "facebook")
        client = personas.client_for(personas.smm)
        state = sign_in(personas, client, "facebook")
        with recorded(RECORDED, settings, HOSTS) as served:
            served.add("POST", f"{GRAPH}/oauth/access_token", "token")
            served.add("POST", f"{GRAPH}/oauth/access_token", "token_long_lived")
            served.add("GET", f"{GRAPH}/me/permissions", "permissions_declined")
            response = client.get(
                url("oauth-callback", personas, "facebook"), {"code": "c", "state": state}, follow=True
            )
        assert "pages_manage_posts" in response.content.decode()
        assert not Channel.objects.exists()


class TestInstagram:
    def test_the_page_with_a_linked_professional_account_connects_it(self, personas, settings) -> None:
        register(personas, "instagram")
        client = personas.client_for(personas.smm)
        state = sign_in(personas, client, "instagram")
        with recorded(RECORDED, settings, HOSTS) as served:
            login_answers(served)
            served.add("GET", f"{GRAPH}/17841400000000001", "../../../instagram/tests/recorded/account")
            response = client.get(url("oauth-callback", personas, "instagram"), {"code": "c", "state": state})
            scope = parse_qs(urlsplit(str(served.calls[0].url)).query)
        channel = Channel.objects.get()
        assert response["Location"] == url("channel", personas, channel.public_id)
        assert channel.network == "instagram"
        assert channel.handle == "muster.gmbh"
        assert channel.config["ig_user_id"] == "17841400000000001"
        assert channel.credentials == {"access_token": "EAApageToken1"}
        assert scope == {}  # the code exchange sends its fields in the body, not the URL

    def test_the_sign_in_asks_for_the_publishing_permission(self, personas) -> None:
        register(personas, "instagram")
        response = personas.client_for(personas.smm).post(url("oauth-connect", personas, "instagram"), {})
        scopes = parse_qs(urlsplit(response["Location"]).query)["scope"][0].split(",")
        assert "instagram_content_publish" in scopes
        assert "instagram_manage_comments" in scopes


class TestThreads:
    def test_a_threads_profile_connects_with_a_60_day_token(self, personas, settings) -> None:
        import time

        from onevoice.networks.connectors.threads.tests.conftest import HOSTS as THREADS_HOSTS
        from onevoice.networks.connectors.threads.tests.conftest import RECORDED as THREADS

        register(personas, "threads")
        client = personas.client_for(personas.smm)
        response = client.post(url("oauth-connect", personas, "threads"), {"name": "Threads"})
        target = urlsplit(response["Location"])
        assert f"{target.scheme}://{target.netloc}{target.path}" == "https://threads.net/oauth/authorize"
        state = parse_qs(target.query)["state"][0]
        with recorded(THREADS, settings, THREADS_HOSTS) as served:
            served.add("POST", "https://graph.threads.net/oauth/access_token", "token")
            served.add("GET", "https://graph.threads.net/access_token", "token_long_lived")
            served.add("GET", "https://graph.threads.net/v1.0/me", "me")
            served.add("GET", "https://graph.threads.net/v1.0/25000000000000001", "me")
            client.get(url("oauth-callback", personas, "threads"), {"code": "c", "state": state})
        channel = Channel.objects.get()
        assert channel.handle == "muster.gmbh"
        assert channel.credentials["access_token"] == "THQVlong"
        assert channel.credentials["expires_at"] > time.time() + 59 * 86400
