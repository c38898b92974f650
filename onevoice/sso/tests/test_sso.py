from __future__ import annotations

import time
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from conftest import PASSWORD
from onevoice.accounts import totp
from onevoice.accounts.models import User
from onevoice.core.models import AuditEvent
from onevoice.organization.models import Membership
from onevoice.organization.roles import Role
from onevoice.sso import oidc, services
from onevoice.sso.models import Identity, SsoSettings
from onevoice.sso.tests.provider import Provider, path_of, running_provider

pytestmark = pytest.mark.django_db


def start(client: Client, email: str) -> str:
    """Enter the work e-mail on the SSO page; return the provider's authorization URL."""
    response = client.post(reverse("sso:login"), {"email": email})
    assert response.status_code == 302, response.content.decode()[:2000]
    return str(response["Location"])


def sso_login(client: Client, provider: Provider, sub: str, claims: dict[str, Any]) -> Any:
    provider.set_user(sub, claims)
    authorization_url = start(client, str(claims["email"]))
    return client.get(path_of(provider.authorize(authorization_url, sub)))


def claims_for(email: str, groups: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"email": email, "email_verified": True, "name": "Nina Neu", "groups": groups or [], **extra}


def logged_in_as(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


class TestAuthorizationRequest:
    def test_it_uses_the_code_flow_with_pkce_state_and_nonce(self, sso: SsoSettings) -> None:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        url = start(client, "nina@muster.example")
        query = parse_qs(urlsplit(url).query)
        assert query["response_type"] == ["code"]
        assert query["code_challenge_method"] == ["S256"]
        assert len(query["code_challenge"][0]) == 43
        assert query["client_id"] == ["onevoice-test"]
        assert query["redirect_uri"] == ["http://testserver/sso/callback/"] or query["redirect_uri"][
            0
        ].endswith("/sso/callback/")
        assert query["state"][0]
        assert query["nonce"][0]
        assert query["state"] != query["nonce"]
        assert query["login_hint"] == ["nina@muster.example"]

    def test_an_unknown_domain_gets_a_clear_message(self, sso: SsoSettings) -> None:
        response = Client(HTTP_ACCEPT_LANGUAGE="en").post(
            reverse("sso:login"), {"email": "someone@elsewhere.example"}
        )
        assert response.status_code == 400
        assert "not set up for this e-mail domain" in response.content.decode()
        assert 'value="someone@elsewhere.example"' in response.content.decode()

    def test_a_provider_that_is_down_gets_a_clear_message(self, personas: Any, settings: Any) -> None:
        settings.HTTP_ALLOWED_PRIVATE_HOSTS = ["localhost"]
        with running_provider() as provider:
            row = services.settings_get_or_create(personas.organization)
            services.settings_update(
                actor=personas.admin,
                sso=row,
                mappings=[],
                enabled=True,
                issuer=provider.url,
                client_id="x",
                email_domains=["muster.example"],
            )
        response = Client(HTTP_ACCEPT_LANGUAGE="en").post(
            reverse("sso:login"), {"email": "nina@muster.example"}, follow=True
        )
        assert "cannot be reached right now" in response.content.decode()

    def test_a_provider_that_goes_down_during_the_sign_in_gets_a_clear_message(
        self, personas: Any, settings: Any
    ) -> None:
        settings.HTTP_ALLOWED_PRIVATE_HOSTS = ["localhost"]
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        with running_provider() as provider:
            services.settings_update(
                actor=personas.admin,
                sso=services.settings_get_or_create(personas.organization),
                mappings=[],
                enabled=True,
                issuer=provider.url,
                client_id="x",
                email_domains=["muster.example"],
            )
            provider.set_user("u-nina", claims_for("nina@muster.example"))
            callback = path_of(provider.authorize(start(client, "nina@muster.example"), "u-nina"))
        response = client.get(callback, follow=True)
        assert logged_in_as(client) is None
        assert "cannot be reached right now" in response.content.decode()


class TestLogin:
    def test_a_new_person_joins_with_the_default_role_and_department(
        self, sso: SsoSettings, provider: Provider
    ) -> None:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        response = sso_login(client, provider, "u-nina", claims_for("Nina@Muster.example"))
        assert response.status_code == 302
        assert response["Location"] == reverse("home")
        user = logged_in_as(client)
        assert user is not None
        assert user.email == "nina@muster.example"
        assert user.full_name == "Nina Neu"
        assert not user.has_usable_password()
        membership = Membership.objects.get(user=user, organization=sso.organization)
        assert membership.role == Role.CONTRIBUTOR
        assert [d.name for d in membership.departments.all()] == ["Marketing"]
        assert Identity.objects.filter(user=user, subject="u-nina", issuer=provider.url).exists()
        verbs = set(AuditEvent.objects.filter(organization=sso.organization).values_list("verb", flat=True))
        assert {"sso.member_joined", "sso.login"} <= verbs
        assert "Muster GmbH" in client.get(response["Location"], follow=True).content.decode()

    def test_the_stored_subject_finds_the_person_after_an_address_change(
        self, sso: SsoSettings, provider: Provider
    ) -> None:
        sso_login(Client(HTTP_ACCEPT_LANGUAGE="en"), provider, "u-nina", claims_for("nina@muster.example"))
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        sso_login(client, provider, "u-nina", claims_for("nina.neu@muster-gruppe.example"))
        user = logged_in_as(client)
        assert user is not None
        assert user.email == "nina@muster.example"
        assert User.objects.filter(full_name="Nina Neu").count() == 1

    def test_an_existing_account_is_matched_by_its_verified_address(
        self, personas: Any, sso: SsoSettings, provider: Provider
    ) -> None:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        sso_login(client, provider, "u-cm", claims_for("cm@muster.example", groups=["community"]))
        assert logged_in_as(client) == personas.cm.user
        assert Membership.objects.filter(user=personas.cm.user).count() == 1

    def test_an_unverified_address_is_refused(self, sso: SsoSettings, provider: Provider) -> None:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        response = sso_login(client, provider, "u-x", claims_for("cm@muster.example", email_verified=False))
        assert logged_in_as(client) is None
        assert "did not confirm your e-mail address" in client.get(response["Location"]).content.decode()

    def test_an_address_outside_the_domains_is_refused(self, sso: SsoSettings, provider: Provider) -> None:
        provider.set_user("u-y", claims_for("y@elsewhere.example"))
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        url = start(client, "y@muster.example")
        response = client.get(path_of(provider.authorize(url, "u-y")), follow=True)
        assert logged_in_as(client) is None
        assert "does not belong to the domains" in response.content.decode()

    def test_a_removed_member_is_not_let_back_in(
        self, personas: Any, sso: SsoSettings, provider: Provider
    ) -> None:
        personas.cm.is_active = False
        personas.cm.save()
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        response = sso_login(client, provider, "u-cm", claims_for("cm@muster.example"))
        assert logged_in_as(client) is None
        assert "were removed from Muster GmbH" in client.get(response["Location"]).content.decode()

    def test_the_provider_saying_no_gets_a_message(self, sso: SsoSettings, provider: Provider) -> None:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        url = start(client, "nina@muster.example")
        response = client.get(path_of(provider.deny(url)), follow=True)
        assert logged_in_as(client) is None
        assert "did not let you in" in response.content.decode()

    def test_it_returns_to_the_page_asked_for(
        self, personas: Any, sso: SsoSettings, provider: Provider
    ) -> None:
        provider.set_user("u-nina", claims_for("nina@muster.example"))
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        target = f"/o/{personas.organization.slug}/"
        response = client.post(reverse("sso:login"), {"email": "nina@muster.example", "next": target})
        response = client.get(path_of(provider.authorize(response["Location"], "u-nina")))
        assert response["Location"] == target


class TestReplayAndTampering:
    def test_a_replayed_state_is_refused(self, sso: SsoSettings, provider: Provider) -> None:
        provider.set_user("u-nina", claims_for("nina@muster.example"))
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        callback = path_of(provider.authorize(start(client, "nina@muster.example"), "u-nina"))
        assert client.get(callback).status_code == 302
        client.logout()
        response = client.get(callback, follow=True)
        assert logged_in_as(client) is None
        assert "already used or has expired" in response.content.decode()

    def test_a_state_from_another_browser_is_refused(self, sso: SsoSettings, provider: Provider) -> None:
        provider.set_user("u-nina", claims_for("nina@muster.example"))
        callback = path_of(
            provider.authorize(start(Client(HTTP_ACCEPT_LANGUAGE="en"), "nina@muster.example"), "u-nina")
        )
        attacker = Client(HTTP_ACCEPT_LANGUAGE="en")
        attacker.get(callback)
        assert logged_in_as(attacker) is None

    def test_an_expired_flow_is_refused(self, sso: SsoSettings, provider: Provider) -> None:
        provider.set_user("u-nina", claims_for("nina@muster.example"))
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        url = start(client, "nina@muster.example")
        session = client.session
        flows = session["onevoice_sso_flows"]
        for flow in flows.values():
            flow["until"] = time.time() - 1
        session["onevoice_sso_flows"] = flows
        session.save()
        client.get(path_of(provider.authorize(url, "u-nina")))
        assert logged_in_as(client) is None

    def test_a_wrong_nonce_is_refused(self, sso: SsoSettings, provider: Provider) -> None:
        provider.set_user("u-nina", claims_for("nina@muster.example"))
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        url = start(client, "nina@muster.example")
        session = client.session
        flows = session["onevoice_sso_flows"]
        for flow in flows.values():
            flow["nonce"] = "another-nonce"
        session["onevoice_sso_flows"] = flows
        session.save()
        response = client.get(path_of(provider.authorize(url, "u-nina")), follow=True)
        assert logged_in_as(client) is None
        assert "could not be verified" in response.content.decode()

    def test_a_tampered_token_from_the_provider_is_refused(
        self, sso: SsoSettings, provider: Provider, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        real_exchange = oidc.exchange_code

        def tampered(**kwargs: Any) -> dict[str, Any]:
            tokens = real_exchange(**kwargs)
            header, payload, signature = tokens["id_token"].split(".")
            import base64
            import json

            claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            claims["email"] = "admin@muster.example"
            forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
            return {**tokens, "id_token": f"{header}.{forged}.{signature}"}

        monkeypatch.setattr(oidc, "exchange_code", tampered)
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        sso_login(client, provider, "u-nina", claims_for("nina@muster.example"))
        assert logged_in_as(client) is None

    def test_an_expired_token_from_the_provider_is_refused(self, personas: Any, settings: Any) -> None:
        settings.HTTP_ALLOWED_PRIVATE_HOSTS = ["localhost"]
        with running_provider(token_max_age=timedelta(minutes=-5)) as provider:
            row = services.settings_get_or_create(personas.organization)
            services.settings_update(
                actor=personas.admin,
                sso=row,
                mappings=[],
                enabled=True,
                issuer=provider.url,
                client_id="x",
                email_domains=["muster.example"],
            )
            client = Client(HTTP_ACCEPT_LANGUAGE="en")
            response = sso_login(client, provider, "u-nina", claims_for("nina@muster.example"))
            assert logged_in_as(client) is None
            assert "could not be verified" in client.get(response["Location"]).content.decode()


class TestIdTokenChecks:
    """The checks on their own, with a key of ours, so each failure is told apart."""

    key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    issuer = "https://idp.example/realms/staff"

    def token(self, key: RSAKey | None = None, **overrides: Any) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": "u1",
            "aud": "onevoice",
            "exp": now + 300,
            "iat": now,
            "nonce": "n1",
            **overrides,
        }
        claims = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key or self.key)

    def verify(self, token: str) -> dict[str, Any]:
        keys = KeySet([RSAKey.import_key(self.key.as_dict(private=False))])
        return oidc.verify_id_token(
            id_token=token, keys=keys, issuer=self.issuer, client_id="onevoice", nonce="n1"
        )

    def test_a_good_token_passes(self) -> None:
        assert self.verify(self.token())["sub"] == "u1"

    @pytest.mark.parametrize(
        ("overrides", "why"),
        [
            ({"aud": "another-app"}, "wrong audience"),
            ({"aud": ["onevoice", "another-app"]}, "several audiences without azp"),
            ({"iss": "https://evil.example"}, "wrong issuer"),
            ({"exp": int(time.time()) - 3600}, "expired"),
            ({"nonce": "n2"}, "wrong nonce"),
            ({"nonce": None}, "no nonce"),
            ({"sub": None}, "no subject"),
        ],
    )
    def test_a_bad_claim_is_refused(self, overrides: dict[str, Any], why: str) -> None:
        with pytest.raises(oidc.TokenRejected):
            self.verify(self.token(**overrides))

    def test_a_token_signed_by_another_key_is_refused(self) -> None:
        other = RSAKey.generate_key(2048, parameters={"kid": "k1"})
        with pytest.raises(oidc.TokenRejected):
            self.verify(self.token(key=other))

    def test_an_unsigned_token_is_refused(self) -> None:
        import base64
        import json

        def b64(data: dict[str, Any]) -> str:
            return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

        now = int(time.time())
        unsigned = f"{b64({'alg': 'none'})}.{b64({'iss': self.issuer, 'sub': 'u1', 'aud': 'onevoice', 'exp': now + 60, 'iat': now, 'nonce': 'n1'})}."
        with pytest.raises(oidc.TokenRejected):
            self.verify(unsigned)


class TestGroupMapping:
    @pytest.mark.parametrize(
        ("groups", "role", "departments"),
        [
            ([], Role.CONTRIBUTOR, ["Marketing"]),
            (["unknown"], Role.CONTRIBUTOR, ["Marketing"]),
            (["management"], Role.VIEWER, ["Marketing"]),
            (["community"], Role.CM, ["Marketing"]),
            (["hr-writers"], Role.CONTRIBUTOR, ["Marketing", "Personal"]),
            (["management", "social-team"], Role.SMM, ["Marketing"]),
            (["community", "social-admins", "management"], Role.ADMIN, ["Marketing"]),
        ],
    )
    def test_a_new_member_gets_the_highest_mapped_role(
        self, sso: SsoSettings, provider: Provider, groups: list[str], role: str, departments: list[str]
    ) -> None:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        sso_login(client, provider, "u-new", claims_for("new@muster.example", groups=groups))
        membership = Membership.objects.get(user__email="new@muster.example")
        assert membership.role == role
        assert sorted(d.name for d in membership.departments.all()) == departments

    def test_roles_follow_the_groups_at_every_login_and_are_audited(
        self, personas: Any, sso: SsoSettings, provider: Provider
    ) -> None:
        sso_login(
            Client(HTTP_ACCEPT_LANGUAGE="en"),
            provider,
            "u-cm",
            claims_for("cm@muster.example", groups=["social-team"]),
        )
        personas.cm.refresh_from_db()
        assert personas.cm.role == Role.SMM
        event = AuditEvent.objects.get(verb="sso.role_changed", object_id=str(personas.cm.public_id))
        assert event.before["role"] == Role.CM
        assert event.after["role"] == Role.SMM
        sso_login(
            Client(HTTP_ACCEPT_LANGUAGE="en"),
            provider,
            "u-cm",
            claims_for("cm@muster.example", groups=["management"]),
        )
        personas.cm.refresh_from_db()
        assert personas.cm.role == Role.VIEWER

    def test_no_matching_group_keeps_the_role(
        self, personas: Any, sso: SsoSettings, provider: Provider
    ) -> None:
        sso_login(
            Client(HTTP_ACCEPT_LANGUAGE="en"),
            provider,
            "u-cm",
            claims_for("cm@muster.example", groups=["unrelated"]),
        )
        personas.cm.refresh_from_db()
        assert personas.cm.role == Role.CM

    def test_the_last_administrator_is_never_demoted(
        self, personas: Any, sso: SsoSettings, provider: Provider
    ) -> None:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        sso_login(client, provider, "u-admin", claims_for("admin@muster.example", groups=["management"]))
        personas.admin.refresh_from_db()
        assert personas.admin.role == Role.ADMIN
        assert logged_in_as(client) == personas.admin.user
        assert AuditEvent.objects.filter(verb="sso.last_admin_kept").exists()

    def test_an_administrator_with_another_admin_beside_them_is_demoted(
        self, personas: Any, sso: SsoSettings, provider: Provider
    ) -> None:
        personas.smm.role = Role.ADMIN
        personas.smm.save()
        sso_login(
            Client(HTTP_ACCEPT_LANGUAGE="en"),
            provider,
            "u-admin",
            claims_for("admin@muster.example", groups=["management"]),
        )
        personas.admin.refresh_from_db()
        assert personas.admin.role == Role.VIEWER


class TestEnforcement:
    def enforce(self, sso: SsoSettings, **extra: Any) -> None:
        SsoSettings.objects.filter(pk=sso.pk).update(enforce=True, **extra)

    def password_login(self, email: str) -> Any:
        return Client(HTTP_ACCEPT_LANGUAGE="en").post(
            reverse("accounts:login"), {"username": email, "password": PASSWORD}
        )

    def test_members_cannot_use_their_password(self, personas: Any, sso: SsoSettings) -> None:
        self.enforce(sso)
        response = self.password_login("cm@muster.example")
        assert response.status_code == 200
        body = response.content.decode()
        assert "Muster GmbH signs you in with single sign-on" in body
        assert reverse("sso:login") in body

    def test_other_organisations_are_not_affected(self, personas: Any, sso: SsoSettings) -> None:
        self.enforce(sso)
        assert self.password_login("admin@andere.example").status_code == 302

    def test_an_administrator_with_two_factor_authentication_may_break_glass(
        self, personas: Any, sso: SsoSettings
    ) -> None:
        self.enforce(sso)
        assert self.password_login("admin@muster.example").status_code == 200  # no TOTP yet: refused
        device = totp.totp_begin(user=personas.admin.user)
        import pyotp

        totp.totp_confirm(user=personas.admin.user, code=pyotp.TOTP(device.secret()).now())
        response = self.password_login("admin@muster.example")
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:login_code")

    def test_people_on_the_break_glass_list_may_use_their_password(
        self, personas: Any, sso: SsoSettings
    ) -> None:
        self.enforce(sso, break_glass_emails=["cm@muster.example"])
        assert self.password_login("cm@muster.example").status_code == 302

    def test_enforcing_needs_single_sign_on_switched_on(self, personas: Any, sso: SsoSettings) -> None:
        with pytest.raises(Exception, match="only be switched off while single sign-on is switched on"):
            services.settings_update(actor=personas.admin, sso=sso, mappings=[], enabled=False, enforce=True)


class TestSettingsPage:
    def url(self, personas: Any) -> str:
        return reverse("sso_settings:edit", args=[personas.organization.slug])

    def form(self, provider_url: str, **extra: Any) -> dict[str, Any]:
        data = {
            "enabled": "on",
            "issuer": provider_url,
            "client_id": "onevoice-web",
            "client_secret": "very-secret",
            "scopes": "email profile",
            "email_domains": "Muster.example, @muster-gruppe.example",
            "default_role": Role.VIEWER,
            "default_department": "",
            "group_claim": "groups",
            "break_glass_emails": "",
            "map-TOTAL_FORMS": "2",
            "map-INITIAL_FORMS": "0",
            "map-0-group": "social-team",
            "map-0-role": Role.SMM,
            "map-1-group": "",
            "map-1-role": "",
        }
        return {**data, **extra}

    def test_an_administrator_sets_up_the_provider(self, personas: Any, provider: Provider) -> None:
        client = personas.client_for(personas.admin)
        page = client.get(self.url(personas)).content.decode()
        assert "/sso/callback/" in page
        response = client.post(self.url(personas), self.form(provider.url))
        assert response.status_code == 302, response.content.decode()
        row = SsoSettings.objects.get(organization=personas.organization)
        assert row.enabled
        assert row.discovery["issuer"] == provider.url
        assert row.email_domains == ["muster-gruppe.example", "muster.example"]
        assert row.scopes == "openid email profile"
        assert "very-secret" not in row.client_secret_encrypted
        assert row.client_secret() == "very-secret"
        assert [m.describe() for m in row.group_mappings.all()] == ["social-team → smm"]
        event = AuditEvent.objects.get(verb="sso.settings_changed")
        assert event.after["client_secret"] == "(stored)"
        assert "very-secret" not in str(event.after)
        # Saving again without a secret keeps the stored one.
        client.post(self.url(personas), self.form(provider.url, client_secret=""))
        row.refresh_from_db()
        assert row.client_secret() == "very-secret"

    def test_an_unreachable_issuer_is_refused_and_keeps_what_was_typed(
        self, personas: Any, settings: Any
    ) -> None:
        settings.HTTP_ALLOWED_PRIVATE_HOSTS = ["localhost"]
        client = personas.client_for(personas.admin)
        response = client.post(self.url(personas), self.form("http://localhost:9/realms/x"))
        body = response.content.decode()
        assert response.status_code == 400
        assert "could not be fetched" in body
        assert 'value="onevoice-web"' in body
        assert not SsoSettings.objects.filter(organization=personas.organization, enabled=True).exists()

    def test_an_internal_host_needs_to_be_allowed(self, personas: Any) -> None:
        client = personas.client_for(personas.admin)
        response = client.post(self.url(personas), self.form("http://127.0.0.1:9/realms/x"))
        assert "ONEVOICE_HTTP_ALLOWED_PRIVATE_HOSTS" in response.content.decode()

    def test_a_domain_of_another_organisation_is_refused(
        self, personas: Any, sso: SsoSettings, provider: Provider
    ) -> None:
        client = personas.client_for(personas.outsider)
        response = client.post(
            reverse("sso_settings:edit", args=[personas.outsider.organization.slug]),
            self.form(provider.url, email_domains="muster.example"),
        )
        assert response.status_code == 400
        assert "already leads to another organisation" in response.content.decode()

    def test_a_bad_domain_is_explained(self, personas: Any, provider: Provider) -> None:
        client = personas.client_for(personas.admin)
        response = client.post(self.url(personas), self.form(provider.url, email_domains="not a domain!"))
        assert "is not a domain" in response.content.decode()

    def test_the_connection_test_reports_the_keys(self, personas: Any, sso: SsoSettings) -> None:
        client = personas.client_for(personas.admin)
        response = client.post(reverse("sso_settings:test", args=[personas.organization.slug]), follow=True)
        assert "The connection works" in response.content.decode()

    @pytest.mark.parametrize("persona", ["smm", "cm", "contributor", "reviewer", "viewer"])
    def test_other_roles_get_404(self, personas: Any, persona: str) -> None:
        client = personas.client_for(getattr(personas, persona))
        assert client.get(self.url(personas)).status_code == 404
        assert client.post(reverse("sso_settings:test", args=[personas.organization.slug])).status_code == 404

    def test_another_organisation_gets_404(self, personas: Any) -> None:
        client = personas.client_for(personas.outsider)
        assert client.get(self.url(personas)).status_code == 404
        assert client.post(self.url(personas), {"enabled": "on"}).status_code == 404

    def test_visitors_are_sent_to_the_login(self, personas: Any) -> None:
        response = Client(HTTP_ACCEPT_LANGUAGE="en").get(self.url(personas))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
