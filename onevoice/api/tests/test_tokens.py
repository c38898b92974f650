"""Tokens: stored hashed, scopes, expiry, revocation, a demoted person's token, service tokens in the audit
log; the API's answers to bad input (one error format, translated), rate limit, and the token pages."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone

from onevoice.api import services
from onevoice.api.models import ApiToken
from onevoice.api.tests.conftest import Api, token_for
from onevoice.core.models import AuditEvent
from onevoice.organization.roles import Role
from onevoice.planning.models import Post

pytestmark = pytest.mark.django_db


def in_days(days: int) -> datetime:
    return timezone.now() + timedelta(days=days)


class TestTokenService:
    def test_it_keeps_only_a_hash_of_the_secret(self, personas) -> None:
        created = services.token_create_personal(
            actor=personas.cm, name="Skript", scopes=["posts:write"], expires_at=in_days(30)
        )
        token = ApiToken.objects.get(pk=created.token.pk)
        assert created.secret.startswith(f"ov_{token.prefix}_")
        assert created.secret not in json.dumps(list(ApiToken.objects.values()), default=str)
        assert token.secret_hash == services.hash_token(created.secret)
        assert token.scopes == ["posts:read", "posts:write"]  # writing includes reading
        assert AuditEvent.objects.filter(verb="api_token.created", object_id=str(token.public_id)).exists()

    def test_it_refuses_scopes_beyond_the_role_and_a_long_expiry(self, personas) -> None:
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError) as error:
            services.token_create_personal(
                actor=personas.viewer, name="BI", scopes=["audit:read"], expires_at=in_days(400)
            )
        assert set(error.value.message_dict) == {"scopes", "expires_at"}

    def test_only_administrators_create_service_tokens(self, personas) -> None:
        from onevoice.organization.access import NotAllowed

        with pytest.raises(NotAllowed):
            services.token_create_service(
                actor=personas.smm,
                name="Formular-Dienst",
                role=Role.CONTRIBUTOR,
                departments=[],
                scopes=["requests:write"],
                expires_at=in_days(30),
            )


class TestAuthentication:
    def test_without_a_token_it_answers_401_in_the_error_format(self, personas) -> None:
        from django.test import Client

        response = Client().get("/api/v1/posts")
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Bearer"
        assert response.json()["error"]["code"] == "not_authenticated"

    def test_an_unknown_or_tampered_token_is_401(self, personas) -> None:
        secret = token_for(personas.cm, "posts:read")
        assert Api(secret[:-1] + ("A" if secret[-1] != "A" else "B")).get("/posts").status_code == 401
        assert Api("nonsense").get("/posts").status_code == 401

    def test_a_revoked_or_expired_token_stops_working(self, personas) -> None:
        secret = token_for(personas.cm, "posts:read")
        api = Api(secret)
        assert api.get("/posts").status_code == 200
        token = ApiToken.objects.get(prefix=services.split_token(secret)[0])
        services.token_revoke(actor=personas.cm, token=token)
        assert api.get("/posts").status_code == 401
        assert AuditEvent.objects.filter(verb="api_token.revoked").exists()
        other = token_for(personas.cm, "posts:read")
        ApiToken.objects.filter(prefix=services.split_token(other)[0]).update(expires_at=in_days(-1))
        assert Api(other).get("/posts").status_code == 401

    def test_a_demoted_persons_token_loses_power_and_a_removed_ones_stops(self, personas) -> None:
        api = Api(token_for(personas.cm, "cases:write"))
        assert api.get("/cases").status_code == 200
        personas.cm.role = Role.VIEWER
        personas.cm.save(update_fields=["role"])
        response = api.get("/cases")
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "role_forbids"
        personas.cm.is_active = False
        personas.cm.save(update_fields=["is_active"])
        assert api.get("/cases").status_code == 401

    def test_it_remembers_the_last_use(self, personas) -> None:
        secret = token_for(personas.cm, "posts:read")
        Api(secret).client.get("/api/v1/me", REMOTE_ADDR="10.0.0.7")
        token = ApiToken.objects.get(prefix=services.split_token(secret)[0])
        assert token.last_used_at is not None
        assert token.last_used_ip == "10.0.0.7"

    def test_session_login_does_not_open_the_api(self, personas) -> None:
        client = personas.client_for(personas.admin)
        assert client.get("/api/v1/posts").status_code == 401
        assert client.post("/api/v1/posts", "{}", content_type="application/json").status_code == 401


class TestServiceTokens:
    def test_a_service_token_files_requests_and_shows_in_the_audit_log_by_name(self, personas) -> None:
        created = services.token_create_service(
            actor=personas.admin,
            name="Intranet-Formular",
            role=Role.CONTRIBUTOR,
            departments=[personas.hr],
            scopes=["requests:write"],
            expires_at=in_days(30),
        )
        api = Api(created.secret)
        assert api.get("/me").json()["role"] == "contributor"
        response = api.post(
            "/requests", {"title": "Tag der offenen Tür", "department": str(personas.hr.public_id)}
        )
        assert response.status_code == 201, response.json()
        event = AuditEvent.objects.get(verb="request.filed")
        assert event.actor is not None
        assert "Intranet-Formular" in event.actor.full_name
        # It is nobody to assign, count or log in as.
        assert created.token.membership.is_active is False
        assert created.token.membership.user.is_active is False
        refused = api.post("/requests", {"title": "X", "department": str(personas.marketing.public_id)})
        assert refused.status_code == 422  # not one of its departments

    def test_a_service_token_is_not_listed_among_people_who_left(self, personas) -> None:
        from onevoice.organization.selectors import members_of

        created = services.token_create_service(
            actor=personas.admin,
            name="Intranet-Formular",
            role=Role.CONTRIBUTOR,
            departments=[personas.hr],
            scopes=["requests:write"],
            expires_at=in_days(30),
        )
        assert created.token.membership not in members_of(personas.admin, active=False)
        assert created.token.membership not in members_of(personas.admin)

    def test_a_service_token_does_not_reach_another_organisation(self, personas) -> None:
        created = services.token_create_service(
            actor=personas.outsider,
            name="Fremd",
            role=Role.SMM,
            departments=[],
            scopes=["posts:read"],
            expires_at=in_days(30),
        )
        Post.objects.create(
            organization=personas.organization,
            department=personas.marketing,
            owner=personas.cm,
            title="Intern",
        )
        assert Api(created.secret).get("/posts").json()["count"] == 0


class TestBadInput:
    def test_malformed_json_is_400(self, personas) -> None:
        response = Api(token_for(personas.cm, "posts:write")).post("/posts", "{not json")
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "malformed_json"

    def test_wrong_types_and_unknown_fields_are_422_with_details(self, personas) -> None:
        api = Api(token_for(personas.cm, "posts:write"))
        response = api.post("/posts", {"title": 5, "department": "nicht-uuid", "colour": "red"})
        assert response.status_code == 422
        fields = {d["field"]: d["message"] for d in response.json()["error"]["details"]}
        assert fields["colour"] == "This field is not known; leave it out."
        assert fields["department"] == "Enter an id (a UUID)."
        assert "title" in fields

    def test_an_oversized_body_is_413(self, personas) -> None:
        api = Api(token_for(personas.cm, "posts:write"))
        response = api.post("/posts", {"title": "x", "department": "y", "base_text": "a" * 300_000})
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "body_too_large"

    def test_messages_follow_accept_language(self, personas) -> None:
        body = {"title": "Messe", "department": str(personas.marketing.public_id)}
        german = Api(token_for(personas.contributor, "requests:write"), language="de").post("/requests", body)
        english = Api(token_for(personas.contributor, "requests:write"), language="en").post(
            "/requests", body
        )
        assert german.json()["error"]["details"][0]["message"] == "Wählen Sie eine Ihrer eigenen Abteilungen."
        assert english.json()["error"]["details"][0]["message"] == "Choose one of your own departments."
        assert german["Content-Language"] == "de"

    def test_the_rate_limit_answers_429_with_retry_after(self, personas, settings) -> None:
        settings.API_RATE_PER_MINUTE = 3
        api = Api(token_for(personas.cm, "posts:read"))
        codes = [api.get("/me").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        response = api.get("/me")
        assert 1 <= int(response["Retry-After"]) <= 60
        assert response.json()["error"]["code"] == "rate_limited"
        # Another token has its own budget.
        assert Api(token_for(personas.cm, "posts:read")).get("/me").status_code == 200


class TestDocs:
    def test_the_openapi_document_is_3_1_and_public(self, client) -> None:
        response = client.get("/api/v1/openapi.json")
        schema = response.json()
        assert schema["openapi"].startswith("3.1")
        assert "/api/v1/posts" in schema["paths"]
        assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"

    def test_the_docs_page_uses_no_cdn(self, client) -> None:
        page = client.get("/api/v1/docs").content.decode()
        assert "cdn" not in page.lower()
        assert 'src="/static/ninja/swagger-ui-bundle.js"' in page
        assert finders.find("ninja/swagger-ui-bundle.js")  # served by whitenoise, collected for production


class TestTokenPages:
    def test_a_person_creates_a_token_and_sees_it_once(self, personas) -> None:
        client = personas.client_for(personas.cm)
        url = f"/o/{personas.organization.slug}/api-tokens/"
        response = client.post(
            url,
            {
                "name": "Mein Skript",
                "expires_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
                "scopes": ["posts:read", "cases:write"],
            },
        )
        assert response.status_code == 302
        page = client.get(url).content.decode()
        token = ApiToken.objects.get(name="Mein Skript")
        assert f"ov_{token.prefix}_" in page
        assert f"ov_{token.prefix}_" not in client.get(url).content.decode().replace(token.masked, "")
        assert token.scopes == ["posts:read", "cases:read", "cases:write"]

    def test_bad_input_keeps_what_was_typed(self, personas) -> None:
        client = personas.client_for(personas.viewer)
        response = client.post(
            f"/o/{personas.organization.slug}/api-tokens/",
            {
                "name": "BI-Anbindung",
                "expires_on": (timezone.localdate() + timedelta(days=500)).isoformat(),
                "scopes": ["audit:read"],
            },
        )
        assert response.status_code == 400
        page = response.content.decode()
        assert "BI-Anbindung" in page
        assert "at most one year" in page
        assert "The role does not allow" in page
        assert not ApiToken.objects.exists()

    def test_only_administrators_see_and_create_service_tokens(self, personas) -> None:
        url = f"/o/{personas.organization.slug}/api-tokens/"
        expires = (timezone.localdate() + timedelta(days=30)).isoformat()
        personas.client_for(personas.cm).post(
            url,
            {
                "kind": "service",
                "name": "Versuch",
                "expires_on": expires,
                "scopes": ["posts:read"],
                "role": "admin",
            },
        )
        assert ApiToken.objects.get(name="Versuch").kind == "personal"  # a CM's token is always personal
        admin = personas.client_for(personas.admin)
        admin.post(
            url,
            {
                "kind": "service",
                "name": "Formular-Dienst",
                "expires_on": expires,
                "scopes": ["requests:write"],
                "role": "contributor",
                "departments": [personas.hr.pk],
            },
        )
        service = ApiToken.objects.get(name="Formular-Dienst")
        assert service.kind == "service"
        assert "Formular-Dienst" in admin.get(url).content.decode()
        assert "Formular-Dienst" not in personas.client_for(personas.cm).get(url).content.decode()

    def test_revoking_someone_elses_token_or_another_organisations_is_404(self, personas) -> None:
        token_for(personas.cm, "posts:read")
        token = ApiToken.objects.get()
        org = personas.organization.slug
        assert (
            personas.client_for(personas.contributor)
            .post(f"/o/{org}/api-tokens/{token.public_id}/revoke/")
            .status_code
            == 404
        )
        outsider = personas.client_for(personas.outsider)
        slug = personas.outsider.organization.slug
        assert outsider.post(f"/o/{slug}/api-tokens/{token.public_id}/revoke/").status_code == 404
        assert outsider.get(f"/o/{org}/api-tokens/").status_code == 404
        response = personas.client_for(personas.cm).post(f"/o/{org}/api-tokens/{token.public_id}/revoke/")
        assert response.status_code == 302
        token.refresh_from_db()
        assert token.revoked_at is not None
