"""App registrations and the OAuth sign-in (LinkedIn as the example), on documentation-based answers."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from onevoice.core.models import AuditEvent
from onevoice.networks.connectors.linkedin.tests.conftest import HOSTS, RECORDED
from onevoice.networks.models import AppRegistration, Channel
from onevoice.networks.tests.recorded_http import recorded

pytestmark = pytest.mark.django_db
TOKEN_URL = "https://www.linkedin.com/oauth/v2/accessToken"
API = "https://api.linkedin.com"


def url(name: str, personas, *args: object) -> str:
    return reverse(f"networks:{name}", args=[personas.organization.slug, *args])


@pytest.fixture
def app(personas) -> AppRegistration:
    registration = AppRegistration(organization=personas.organization, network="linkedin", client_id="86abc")
    registration.set_client_secret("s3cret")
    registration.save()
    return registration


def start(personas, client, **data: str):
    return client.post(url("oauth-connect", personas, "linkedin"), {"kind": "organization", **data})


class TestAppRegistration:
    def test_an_admin_enters_the_app_and_sees_the_callback_url(self, personas, settings) -> None:
        settings.BASE_URL = "https://onevoice.muster.example"
        client = personas.client_for(personas.admin)
        page = client.get(url("app-registration", personas, "linkedin")).content.decode()
        assert "https://onevoice.muster.example" + url("oauth-callback", personas, "linkedin") in page
        response = client.post(
            url("app-registration", personas, "linkedin"),
            {"client_id": " 86abc ", "client_secret": "s3cret", "api_version": ""},
        )
        assert response.status_code == 302
        registration = AppRegistration.objects.get()
        assert registration.client_id == "86abc"
        assert registration.client_secret == "s3cret"
        assert "s3cret" not in registration.client_secret_encrypted
        event = AuditEvent.objects.get(verb="app_registration.saved")
        assert "s3cret" not in str(event.after)
        listing = client.get(url("app-registrations", personas)).content.decode()
        assert url("oauth-callback", personas, "linkedin") in listing

    def test_an_empty_secret_keeps_the_stored_one(self, personas, app) -> None:
        client = personas.client_for(personas.admin)
        client.post(
            url("app-registration", personas, "linkedin"), {"client_id": "new-id", "api_version": "202609"}
        )
        app.refresh_from_db()
        assert (app.client_id, app.client_secret, app.api_version) == ("new-id", "s3cret", "202609")

    def test_a_first_registration_needs_a_secret_and_keeps_what_was_typed(self, personas) -> None:
        response = personas.client_for(personas.admin).post(
            url("app-registration", personas, "linkedin"), {"client_id": "86abc", "api_version": "latest"}
        )
        assert response.status_code == 400
        page = response.content.decode()
        assert "Enter the client secret" in page
        assert "202610" in page
        assert 'value="86abc"' in page
        assert not AppRegistration.objects.exists()

    @pytest.mark.parametrize("who", ["smm", "cm", "viewer", "outsider"])
    def test_only_an_administrator_of_the_organisation_sees_it(self, personas, app, who) -> None:
        client = personas.client_for(getattr(personas, who))
        assert client.get(url("app-registrations", personas)).status_code == 404
        assert client.post(url("app-registration-remove", personas, "linkedin")).status_code == 404
        assert AppRegistration.objects.exists()

    def test_an_unknown_network_is_not_found(self, personas) -> None:
        assert (
            personas.client_for(personas.admin).get(url("app-registration", personas, "myspace")).status_code
            == 404
        )

    def test_removing_is_audited(self, personas, app) -> None:
        personas.client_for(personas.admin).post(url("app-registration-remove", personas, "linkedin"))
        assert not AppRegistration.objects.exists()
        assert AuditEvent.objects.filter(verb="app_registration.removed").exists()


class TestSignIn:
    def test_without_an_app_the_connect_page_explains_what_to_set_up(self, personas) -> None:
        client = personas.client_for(personas.smm)
        page = client.get(url("oauth-connect", personas, "linkedin")).content.decode()
        assert "app-missing" in page
        assert "Ask an administrator" in page
        assert start(personas, client).status_code == 400

    def test_the_organisation_flow_goes_to_linkedin_with_state_and_scopes(self, personas, app) -> None:
        response = start(personas, personas.client_for(personas.smm), name="LinkedIn Muster")
        assert response.status_code == 302
        target = urlsplit(response["Location"])
        assert (
            f"{target.scheme}://{target.netloc}{target.path}"
            == "https://www.linkedin.com/oauth/v2/authorization"
        )
        params = {k: v[0] for k, v in parse_qs(target.query).items()}
        assert params["client_id"] == "86abc"
        assert params["response_type"] == "code"
        assert params["redirect_uri"].endswith(url("oauth-callback", personas, "linkedin"))
        assert "w_organization_social" in params["scope"].split()
        assert len(params["state"]) >= 32
        assert "code_challenge" not in params

    def test_the_member_flow_uses_pkce(self, personas, app) -> None:
        client = personas.client_for(personas.smm)
        response = start(personas, client, kind="member")
        params = {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}
        assert params["code_challenge_method"] == "S256"
        assert len(params["code_challenge"]) == 43
        assert params["scope"] == "openid profile w_member_social"

    def test_a_callback_connects_the_chosen_page(self, personas, app, settings) -> None:
        client = personas.client_for(personas.smm)
        state = parse_qs(urlsplit(start(personas, client, name="")["Location"]).query)["state"][0]
        with recorded(RECORDED, settings, HOSTS) as served:
            served.add("POST", TOKEN_URL, "token")
            served.add("GET", f"{API}/rest/organizationAcls", "organization_acls")
            served.add("GET", f"{API}/rest/organizations/2414183", "organization", repeat=True)
            served.add("GET", f"{API}/rest/organizations/2414184", "organization_2")
            response = client.get(
                url("oauth-callback", personas, "linkedin"), {"code": "c0de", "state": state}
            )
            assert response["Location"] == url("oauth-choose", personas, "linkedin")
            form = served.form_of(served.calls[0])
            assert form["client_secret"] == "s3cret"
            assert form["code"] == "c0de"
            choose = client.get(response["Location"]).content.decode()
            assert "Muster GmbH Karriere" in choose
            response = client.post(response["Location"], {"account": "urn:li:organization:2414183"})
        channel = Channel.objects.get()
        assert response["Location"] == url("channel", personas, channel.public_id)
        assert channel.network == "linkedin"
        assert channel.name == "Muster GmbH"
        assert channel.config["author_urn"] == "urn:li:organization:2414183"
        assert channel.credentials["refresh_token"] == "AQWfakeRefreshToken"
        assert "AQUfakeAccessToken" not in channel.credentials_encrypted
        # The chosen page cannot be replayed.
        assert client.post(url("oauth-choose", personas, "linkedin"), {"account": "x"}).status_code == 302

    def test_a_forged_state_connects_nothing(self, personas, app, settings) -> None:
        client = personas.client_for(personas.smm)
        start(personas, client)
        with recorded(RECORDED, settings, HOSTS) as served:
            response = client.get(
                url("oauth-callback", personas, "linkedin"), {"code": "c", "state": "forged"}, follow=True
            )
            assert served.calls == []
        assert "could not be matched" in response.content.decode()
        assert not Channel.objects.exists()

    def test_a_state_is_used_once(self, personas, app, settings) -> None:
        client = personas.client_for(personas.smm)
        state = parse_qs(urlsplit(start(personas, client)["Location"]).query)["state"][0]
        with recorded(RECORDED, settings, HOSTS) as served:
            served.add("POST", TOKEN_URL, "token_invalid_400")
            first = client.get(
                url("oauth-callback", personas, "linkedin"), {"code": "c", "state": state}, follow=True
            )
            second = client.get(
                url("oauth-callback", personas, "linkedin"), {"code": "c", "state": state}, follow=True
            )
            assert len(served.calls) == 1
        assert "did not hand out access" in first.content.decode()
        assert "could not be matched" in second.content.decode()

    def test_a_permission_not_granted_is_named(self, personas, app, settings) -> None:
        client = personas.client_for(personas.smm)
        state = parse_qs(urlsplit(start(personas, client)["Location"]).query)["state"][0]
        with recorded(RECORDED, settings, HOSTS) as served:
            served.add("POST", TOKEN_URL, "token_missing_scope")
            response = client.get(
                url("oauth-callback", personas, "linkedin"), {"code": "c", "state": state}, follow=True
            )
        assert "w_organization_social" in response.content.decode()
        assert not Channel.objects.exists()

    def test_a_refusal_at_the_network_connects_nothing(self, personas, app) -> None:
        client = personas.client_for(personas.smm)
        state = parse_qs(urlsplit(start(personas, client)["Location"]).query)["state"][0]
        response = client.get(
            url("oauth-callback", personas, "linkedin"),
            {
                "error": "user_cancelled_authorize",
                "error_description": "<b>The user cancelled</b>",
                "state": state,
            },
            follow=True,
        )
        page = response.content.decode()
        assert "did not grant access" in page
        assert "<b>The user" not in page

    def test_a_member_profile_connects_directly(self, personas, app, settings) -> None:
        client = personas.client_for(personas.smm)
        response = start(personas, client, kind="member", name="Erika auf LinkedIn")
        state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
        with recorded(RECORDED, settings, HOSTS) as served:
            served.add("POST", TOKEN_URL, "token_member")
            served.add("GET", f"{API}/v2/userinfo", "userinfo", repeat=True)
            response = client.get(url("oauth-callback", personas, "linkedin"), {"code": "c", "state": state})
            verifier = served.form_of(served.calls[0])["code_verifier"]
        assert len(verifier) >= 43
        channel = Channel.objects.get()
        assert channel.name == "Erika auf LinkedIn"
        assert channel.config["author_urn"] == "urn:li:person:782bbtaQ"

    @pytest.mark.parametrize("who", ["cm", "contributor", "viewer", "outsider"])
    def test_people_who_do_not_manage_channels_cannot_connect(self, personas, app, who) -> None:
        client = personas.client_for(getattr(personas, who))
        assert client.get(url("oauth-connect", personas, "linkedin")).status_code == 404
        assert (
            client.get(url("oauth-callback", personas, "linkedin"), {"code": "c", "state": "s"}).status_code
            == 404
        )
        assert client.get(url("oauth-choose", personas, "linkedin")).status_code == 404

    def test_the_connect_page_lists_the_finished_networks_and_says_which_app_is_missing(
        self, personas, app
    ) -> None:
        from onevoice.networks.oauth import OAUTH_NETWORKS

        page = personas.client_for(personas.smm).get(url("connect", personas)).content.decode()
        for network in OAUTH_NETWORKS:
            assert f"connect-{network}" in page
        assert page.count("app is not set up yet") == len(OAUTH_NETWORKS) - 1  # LinkedIn's is


class TestTokenLifetime:
    def make_channel(self, personas, **credentials: object) -> Channel:
        channel = Channel(
            organization=personas.organization,
            network="linkedin",
            name="LinkedIn",
            config={"author_urn": "urn:li:organization:2414183"},
        )
        channel.set_credentials({"access_token": "t", **credentials})
        channel.save()
        return channel

    def test_a_token_that_cannot_be_renewed_asks_for_a_new_sign_in_a_week_ahead(
        self, personas, settings, mailoutbox, django_capture_on_commit_callbacks
    ) -> None:
        import time

        from onevoice.networks import services

        channel = self.make_channel(personas, expires_at=int(time.time()) + 3 * 86400)
        with recorded(RECORDED, settings, HOSTS) as served:
            served.add("GET", f"{API}/rest/organizations/2414183", "organization")
            with django_capture_on_commit_callbacks(execute=True):
                services.channel_verify(actor=None, channel=channel)
        channel.refresh_from_db()
        assert channel.state == Channel.State.RECONNECT
        assert "runs out on" in channel.state_reason
        assert mailoutbox  # the managers are told

    def test_a_renewable_token_stays_connected(self, personas, settings) -> None:
        import time

        from onevoice.networks import services

        channel = self.make_channel(
            personas,
            expires_at=int(time.time()) + 3 * 86400,
            refresh_token="r",
            client_id="86abc",
            client_secret="s3cret",
        )
        with recorded(RECORDED, settings, HOSTS) as served:
            served.add("GET", f"{API}/rest/organizations/2414183", "organization")
            services.channel_verify(actor=None, channel=channel)
        channel.refresh_from_db()
        assert channel.state == Channel.State.CONNECTED


class TestApiVersionWarning:
    def test_a_version_near_its_sunset_is_shown_on_the_channel_page(self, personas) -> None:
        channel = Channel.objects.create(
            organization=personas.organization,
            network="linkedin",
            name="LinkedIn",
            config={"author_urn": "urn:li:organization:2414183", "api_version": "202501"},
        )
        page = (
            personas.client_for(personas.smm)
            .get(url("channel", personas, channel.public_id))
            .content.decode()
        )
        assert "api-version-warning" in page
        assert "202501" in page

    def test_the_default_version_shows_no_warning(self, personas) -> None:
        channel = Channel.objects.create(
            organization=personas.organization, network="linkedin", name="LinkedIn", config={}
        )
        page = (
            personas.client_for(personas.smm)
            .get(url("channel", personas, channel.public_id))
            .content.decode()
        )
        assert "api-version-warning" not in page
