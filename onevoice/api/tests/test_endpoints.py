"""Every endpoint: the right scope works, a missing scope is 403, another organisation's ids are 404."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from onevoice.api.tests.conftest import make_post
from onevoice.core.models import AuditEvent
from onevoice.inbox.models import Case, Reply
from onevoice.planning.models import ContentRequest, Post

pytestmark = pytest.mark.django_db


class TestPosts:
    def test_it_lists_the_posts_of_the_month_with_their_variants(self, personas, world, api_for) -> None:
        response = api_for(personas.cm, "posts:read").get(
            "/posts", range="month", date=world["post"].publish_at.date().isoformat()
        )
        assert response.status_code == 200
        body = response.json()
        assert [p["title"] for p in body["results"]] == ["Sommerfest"]
        assert body["results"][0]["variants"][0]["channel"]["name"] == "Bluesky Marketing"
        assert body["count"] == 1

    def test_it_pages_with_next_links(self, personas, world, api_for) -> None:
        for n in range(5):
            make_post(personas.cm, personas.marketing, None, [world["channel"]], title=f"Idee {n}")
        api = api_for(personas.cm, "posts:read")
        first = api.get("/posts", page_size=2, unscheduled="true").json()
        assert first["count"] == 5
        assert first["pages"] == 3
        assert first["previous"] is None
        assert "page=2" in first["next"]
        second = api.client.get(first["next"]).json()
        assert [p["title"] for p in second["results"]] != [p["title"] for p in first["results"]]
        assert "page=1" in second["previous"]

    def test_it_filters_by_status_and_department(self, personas, world, api_for) -> None:
        api = api_for(personas.cm, "posts:read")
        assert api.get("/posts", status="draft").json()["count"] == 1
        assert api.get("/posts", status="scheduled").json()["count"] == 0
        assert api.get("/posts", department=str(personas.hr.public_id)).json()["count"] == 0

    def test_the_list_costs_a_fixed_number_of_queries(
        self, personas, world, api_for, django_assert_max_num_queries
    ) -> None:
        for n in range(30):
            make_post(
                personas.cm,
                personas.marketing,
                timezone.now() + timedelta(hours=n + 2),
                [world["channel"]],
                title=f"P{n}",
            )
        api = api_for(personas.cm, "posts:read")
        api.get("/posts")  # the token's last use is written once a minute at most
        with django_assert_max_num_queries(8):
            assert len(api.get("/posts").json()["results"]) == 31

    def test_it_refuses_a_token_without_the_scope(self, personas, world, api_for) -> None:
        response = api_for(personas.cm, "cases:read").get("/posts")
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "missing_scope"

    def test_another_organisations_post_is_not_found(self, personas, world, api_for) -> None:
        response = api_for(personas.cm, "posts:read").get(f"/posts/{world['foreign_post'].public_id}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
        assert api_for(personas.cm, "posts:read").get("/posts").json()["count"] == 1

    def test_it_creates_a_draft_through_the_service(self, personas, world, api_for) -> None:
        api = api_for(personas.cm, "posts:write")
        response = api.post(
            "/posts",
            {
                "title": "Neuer Entwurf",
                "department": str(personas.marketing.public_id),
                "channels": [str(world["channel"].public_id)],
                "base_text": "Hallo",
            },
        )
        assert response.status_code == 201, response.json()
        post = Post.objects.get(public_id=response.json()["id"])
        assert post.owner == personas.cm
        assert post.variants.get().text == "Hallo"
        assert AuditEvent.objects.filter(
            verb="post.created", object_id=str(post.public_id), actor=personas.cm.user
        ).exists()

    def test_it_refuses_a_contributor_planning_for_another_department(self, personas, world, api_for) -> None:
        response = api_for(personas.contributor, "posts:write").post(
            "/posts", {"title": "X", "department": str(personas.marketing.public_id)}
        )
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"

    def test_it_refuses_a_channel_of_another_organisation(self, personas, world, api_for) -> None:
        response = api_for(personas.cm, "posts:write").post(
            "/posts",
            {
                "title": "X",
                "department": str(personas.marketing.public_id),
                "channels": [str(world["foreign_channel"].public_id)],
            },
        )
        assert response.status_code == 404

    def test_it_changes_a_post_only_at_the_version_read(self, personas, world, api_for) -> None:
        api = api_for(personas.cm, "posts:write")
        post = world["post"]
        ok = api.patch(f"/posts/{post.public_id}", {"version": post.version, "title": "Sommerfest 2026"})
        assert ok.status_code == 200, ok.json()
        assert ok.json()["title"] == "Sommerfest 2026"
        stale = api.patch(f"/posts/{post.public_id}", {"version": post.version, "title": "Zu spät"})
        assert stale.status_code == 409
        assert stale.json()["error"]["code"] == "conflict"

    def test_it_changes_a_channel_text(self, personas, world, api_for) -> None:
        api = api_for(personas.cm, "posts:write")
        post = world["post"]
        variant = post.variants.get()
        response = api.patch(
            f"/posts/{post.public_id}/variants/{variant.public_id}",
            {"version": post.version, "text": "Nur für Bluesky"},
        )
        assert response.status_code == 200, response.json()
        variant.refresh_from_db()
        assert variant.text == "Nur für Bluesky"

    def test_it_submits_for_review(self, personas, world, api_for) -> None:
        response = api_for(personas.cm, "posts:write").post(f"/posts/{world['post'].public_id}/submit")
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == "in_review"

    def test_a_reader_cannot_write(self, personas, world, api_for) -> None:
        response = api_for(personas.cm, "posts:read").post(f"/posts/{world['post'].public_id}/submit")
        assert response.status_code == 403


class TestRequests:
    def body(self, personas: Any) -> dict[str, Any]:
        return {
            "title": "Ausbildungsmesse",
            "department": str(personas.hr.public_id),
            "briefing": "Wir sind am Stand 12.",
            "links": ["https://example.org/messe"],
        }

    def test_a_department_files_a_request(self, personas, world, api_for) -> None:
        response = api_for(personas.contributor, "requests:write").post("/requests", self.body(personas))
        assert response.status_code == 201, response.json()
        request = ContentRequest.objects.get(public_id=response.json()["id"])
        assert request.requester == personas.contributor
        assert response.json()["links"] == ["https://example.org/messe"]

    def test_it_lists_and_reads_requests(self, personas, world, api_for) -> None:
        api = api_for(personas.contributor, "requests:write")
        created = api.post("/requests", self.body(personas)).json()
        assert api.get("/requests").json()["count"] == 1
        assert api.get(f"/requests/{created['id']}").json()["title"] == "Ausbildungsmesse"

    def test_it_refuses_without_the_scope_and_for_another_organisation(
        self, personas, world, api_for
    ) -> None:
        created = (
            api_for(personas.contributor, "requests:write").post("/requests", self.body(personas)).json()
        )
        assert api_for(personas.contributor, "posts:read").get("/requests").status_code == 403
        outsider = api_for(personas.outsider, "requests:read")
        assert outsider.get(f"/requests/{created['id']}").status_code == 404
        assert outsider.get("/requests").json()["count"] == 0

    def test_a_bad_link_comes_back_with_the_line(self, personas, world, api_for) -> None:
        body = self.body(personas) | {"links": ["keine adresse"]}
        response = api_for(personas.contributor, "requests:write").post("/requests", body)
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "links"


class TestCalendar:
    def test_it_shows_a_month_with_posts(self, personas, world, api_for) -> None:
        when = world["post"].publish_at
        response = api_for(personas.viewer, "calendar:read").get(
            "/calendar", range="month", date=when.date().isoformat()
        )
        assert response.status_code == 200
        assert [p["title"] for p in response.json()["posts"]] == ["Sommerfest"]

    def test_it_refuses_without_the_scope_and_too_long_ranges(self, personas, world, api_for) -> None:
        assert api_for(personas.viewer, "posts:read").get("/calendar").status_code == 403
        response = api_for(personas.viewer, "calendar:read").get(
            "/calendar", start="2026-01-01T00:00:00Z", end="2026-12-31T00:00:00Z"
        )
        assert response.status_code == 422

    def test_another_organisation_sees_none_of_it(self, personas, world, api_for) -> None:
        when = world["post"].publish_at
        response = api_for(personas.outsider, "calendar:read").get("/calendar", date=when.date().isoformat())
        assert [p["title"] for p in response.json()["posts"]] == ["Fremd"]


class TestCases:
    def test_it_lists_and_reads_cases(self, personas, world, api_for, django_assert_max_num_queries) -> None:
        api = api_for(personas.cm, "cases:read")
        api.get("/cases")
        with django_assert_max_num_queries(6):
            body = api.get("/cases").json()
        assert [c["subject"] for c in body["results"]] == ["Wann ist das Sommerfest?"]
        detail = api.get(f"/cases/{world['case'].public_id}").json()
        assert detail["messages"][0]["text"] == "Wann ist das Sommerfest?"

    def test_another_organisations_case_is_not_found(self, personas, world, api_for) -> None:
        api = api_for(personas.cm, "cases:write")
        case = world["foreign_case"]
        assert api.get(f"/cases/{case.public_id}").status_code == 404
        assert api.post(f"/cases/{case.public_id}/close").status_code == 404

    def test_it_assigns_replies_and_closes(self, personas, world, api_for) -> None:
        api = api_for(personas.cm, "cases:write")
        case = world["case"]
        assigned = api.post(f"/cases/{case.public_id}/assign", {"assignee": str(personas.cm.public_id)})
        assert assigned.status_code == 200, assigned.json()
        assert assigned.json()["assignee"]["name"] == "Chris Community"
        reply = api.post(f"/cases/{case.public_id}/replies", {"text": "Am 12. Juli ab 16 Uhr!"})
        assert reply.status_code == 201, reply.json()
        assert Reply.objects.filter(case=case, text="Am 12. Juli ab 16 Uhr!").exists()
        closed = api.post(f"/cases/{case.public_id}/close")
        assert closed.json()["status"] == "closed"
        assert Case.objects.get(pk=case.pk).status == "closed"

    def test_a_person_of_another_organisation_cannot_be_assigned(self, personas, world, api_for) -> None:
        response = api_for(personas.cm, "cases:write").post(
            f"/cases/{world['case'].public_id}/assign", {"assignee": str(personas.outsider.public_id)}
        )
        assert response.status_code == 404

    def test_a_status_that_does_not_follow_is_refused(self, personas, world, api_for) -> None:
        response = api_for(personas.cm, "cases:write").post(
            f"/cases/{world['case'].public_id}/status", {"status": "reopen"}
        )
        assert response.status_code == 422

    def test_it_refuses_without_the_scope(self, personas, world, api_for) -> None:
        assert (
            api_for(personas.cm, "cases:read").post(f"/cases/{world['case'].public_id}/close").status_code
            == 403
        )


class TestChannelsAnalyticsAudit:
    def test_channels(self, personas, world, api_for) -> None:
        api = api_for(personas.cm, "channels:read")
        assert [c["name"] for c in api.get("/channels").json()] == ["Bluesky Marketing"]
        assert api.get(f"/channels/{world['channel'].public_id}").json()["access"] == "publish"
        assert api.get(f"/channels/{world['foreign_channel'].public_id}").status_code == 404
        assert api_for(personas.cm, "posts:read").get("/channels").status_code == 403

    def test_metrics_and_kpis(self, personas, world, api_for) -> None:
        api = api_for(personas.viewer, "analytics:read")
        body = api.get("/metrics", period="30d").json()
        assert {f["key"] for f in body["figures"]} >= {"published", "interactions"}
        assert api.get("/kpis").status_code == 200
        assert api.get("/metrics", start="2026-02-01", end="2026-01-01").status_code == 422
        assert api.get("/metrics", channel=str(world["foreign_channel"].public_id)).status_code == 404
        assert api_for(personas.viewer, "calendar:read").get("/metrics").status_code == 403

    def test_the_audit_log_is_for_administrators(
        self, personas, world, api_for, django_assert_max_num_queries
    ) -> None:
        api = api_for(personas.admin, "audit:read")
        api.get("/audit")
        with django_assert_max_num_queries(4):
            body = api.get("/audit").json()
        assert body["count"] >= 1
        assert any(e["verb"] == "organization.created" for e in body["results"])
        foreign = api_for(personas.outsider, "audit:read").get("/audit").json()
        assert all(e["object_repr"] != "Muster GmbH" for e in foreign["results"])

    def test_a_role_without_the_audit_log_is_refused_whatever_the_scope(self, personas, world) -> None:
        from datetime import timedelta

        from onevoice.api.models import ApiToken
        from onevoice.api.tests.conftest import Api

        # A token saved with a scope the role never had (e.g. made before a demotion) still gets nothing.
        secret = "ov_abcdef1234_secretsecret"
        from onevoice.api.services import hash_token

        ApiToken.objects.create(
            organization=personas.organization,
            membership=personas.cm,
            name="alt",
            prefix="abcdef1234",
            secret_hash=hash_token(secret),
            scopes=["audit:read"],
            expires_at=timezone.now() + timedelta(days=1),
        )
        response = Api(secret).get("/audit")
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "role_forbids"


class TestHealthAndReadiness:
    def test_health_and_ready_answer_without_a_token(self, client) -> None:
        assert client.get("/api/v1/health").json() == {"status": "ok"}
        assert client.get("/api/v1/ready").json() == {"status": "ok"}

    def test_ready_says_so_when_the_database_is_away(self, client, monkeypatch) -> None:
        from django.db import OperationalError, connection

        def refuse(*args: Any, **kwargs: Any) -> None:
            raise OperationalError("connection refused")

        monkeypatch.setattr(connection, "cursor", refuse)
        response = client.get("/api/v1/ready")
        assert response.status_code == 503
        assert response.json() == {"status": "database unavailable"}
