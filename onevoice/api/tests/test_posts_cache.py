"""The posts list's kept answers: served again only while nothing shown has changed (PostgreSQL; elsewhere
nothing is kept and every answer is built afresh, which these tests hold to the same results)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from onevoice.api.models import ApiToken
from onevoice.api.services import token_revoke
from onevoice.api.tests.conftest import Api, make_post, token_for
from onevoice.api.v1 import posts_cache
from onevoice.networks.models import Access, ChannelPermission
from onevoice.planning.models import Notification, Post, PostVariant

pytestmark = pytest.mark.django_db

POSTGRES = connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def empty_answers() -> None:
    posts_cache.answers.clear()


@pytest.fixture
def month(personas: Any, world: dict[str, Any]) -> dict[str, Any]:
    """Posts in the month of the world's post, a reader's token for the list and its query."""
    when = world["post"].publish_at
    for n in range(3):
        make_post(
            personas.cm,
            personas.marketing,
            when + timedelta(minutes=n + 1),
            [world["channel"]],
            title=f"P{n}",
        )
    return {"query": {"range": "month", "date": when.date().isoformat()}, "when": when}


def fresh(api: Api, query: dict[str, Any]) -> bytes:
    """The answer built afresh (nothing kept)."""
    posts_cache.answers.clear()
    return bytes(api.get("/posts", **query).content)


class TestKeptAnswers:
    def test_a_kept_answer_is_the_answer_built_afresh(self, personas, world, month) -> None:
        api = Api(token_for(personas.viewer, "posts:read"))
        first = bytes(api.get("/posts", **month["query"]).content)
        again = bytes(api.get("/posts", **month["query"]).content)
        assert first == again == fresh(api, month["query"])
        assert len(posts_cache.answers.answers) == (1 if POSTGRES else 0)

    def test_a_warm_request_costs_the_token_check_and_the_data_version(self, personas, world, month) -> None:
        api = Api(token_for(personas.viewer, "posts:read"))
        api.get("/posts", **month["query"])  # builds and keeps the answer; the token's use is written
        with CaptureQueriesContext(connection) as queries:
            response = api.get("/posts", **month["query"])
        assert response.status_code == 200
        assert len(response.json()["results"]) == 4
        # PostgreSQL: the token with its person, its organisation and the data version; elsewhere the
        # answer is built as before.
        assert len(queries) == (1 if POSTGRES else 6)

    def test_an_edited_post_changes_the_answer(self, personas, world, month) -> None:
        api = Api(token_for(personas.viewer, "posts:read"))
        api.get("/posts", **month["query"])
        Post.objects.filter(pk=world["post"].pk).update(title="Sommerfest verschoben")
        body = api.get("/posts", **month["query"]).json()
        assert "Sommerfest verschoben" in [p["title"] for p in body["results"]]
        assert bytes(api.get("/posts", **month["query"]).content) == fresh(api, month["query"])

    def test_an_edited_channel_text_changes_the_answer(self, personas, world, month) -> None:
        api = Api(token_for(personas.viewer, "posts:read"))
        api.get("/posts", **month["query"])
        PostVariant.objects.filter(post=world["post"]).update(text="Neuer Text")
        body = api.get("/posts", **month["query"]).json()
        [post] = [p for p in body["results"] if p["title"] == "Sommerfest"]
        assert post["variants"][0]["text"] == "Neuer Text"

    def test_a_new_post_in_the_month_changes_the_answer(self, personas, world, month) -> None:
        api = Api(token_for(personas.viewer, "posts:read"))
        assert api.get("/posts", **month["query"]).json()["count"] == 4
        make_post(personas.cm, personas.marketing, month["when"], [world["channel"]], title="Neu")
        body = api.get("/posts", **month["query"]).json()
        assert body["count"] == 5
        assert "Neu" in [p["title"] for p in body["results"]]

    def test_a_deleted_post_changes_the_answer(self, personas, world, month) -> None:
        api = Api(token_for(personas.viewer, "posts:read"))
        api.get("/posts", **month["query"])
        world["post"].delete()
        body = api.get("/posts", **month["query"]).json()
        assert body["count"] == 3
        assert "Sommerfest" not in [p["title"] for p in body["results"]]

    def test_a_post_moved_off_the_page_changes_the_answer(self, personas, world, month) -> None:
        api = Api(token_for(personas.viewer, "posts:read"))
        query = {**month["query"], "page_size": 2}
        api.get("/posts", **query)
        Post.objects.filter(pk=world["post"].pk).update(publish_at=month["when"] + timedelta(hours=1))
        body = api.get("/posts", **query).json()
        assert body["count"] == 4
        assert "Sommerfest" not in [p["title"] for p in body["results"]]

    def test_a_renamed_owner_changes_the_answer(self, personas, world, month) -> None:
        api = Api(token_for(personas.viewer, "posts:read"))
        api.get("/posts", **month["query"])
        owner = world["post"].owner.user
        owner.full_name = "Carla Neu"
        owner.save(update_fields=["full_name"])
        body = api.get("/posts", **month["query"]).json()
        [post] = [p for p in body["results"] if p["title"] == "Sommerfest"]
        assert post["owner"]["name"] == "Carla Neu"

    def test_a_write_elsewhere_keeps_the_answer(self, personas, world, month) -> None:
        api = Api(token_for(personas.viewer, "posts:read"))
        api.get("/posts", **month["query"])
        Notification.objects.create(
            recipient=personas.viewer, kind=Notification.Kind.REVIEW_NEEDED, text="Hallo"
        )
        with CaptureQueriesContext(connection) as queries:
            api.get("/posts", **month["query"])
        assert len(queries) == (1 if POSTGRES else 6)

    def test_a_renamed_channel_changes_the_answer(self, personas, world, month) -> None:
        api = Api(token_for(personas.viewer, "posts:read"))
        api.get("/posts", **month["query"])
        world["channel"].name = "Bluesky Presse"
        world["channel"].save(update_fields=["name"])
        body = api.get("/posts", **month["query"]).json()
        assert {v["channel"]["name"] for p in body["results"] for v in p["variants"]} == {"Bluesky Presse"}

    def test_a_closed_channel_leaves_the_answer_at_once(self, personas, world, month) -> None:
        api = Api(token_for(personas.viewer, "posts:read"))
        body = api.get("/posts", **month["query"]).json()
        assert all(p["variants"] for p in body["results"])
        ChannelPermission.objects.create(
            channel=world["channel"], membership=personas.viewer, access=Access.NONE
        )
        body = api.get("/posts", **month["query"]).json()
        assert body["count"] == 4
        assert not any(p["variants"] for p in body["results"])

    def test_another_person_gets_their_own_answer(self, personas, world, month) -> None:
        ChannelPermission.objects.create(
            channel=world["channel"], membership=personas.viewer, access=Access.NONE
        )
        viewer = Api(token_for(personas.viewer, "posts:read"))
        reviewer = Api(token_for(personas.reviewer, "posts:read"))
        assert not any(p["variants"] for p in viewer.get("/posts", **month["query"]).json()["results"])
        assert all(p["variants"] for p in reviewer.get("/posts", **month["query"]).json()["results"])

    def test_a_revoked_token_is_refused_at_once(self, personas, world, month) -> None:
        secret = token_for(personas.viewer, "posts:read")
        api = Api(secret)
        assert api.get("/posts", **month["query"]).status_code == 200
        assert api.get("/posts", **month["query"]).status_code == 200
        token = ApiToken.objects.get(prefix=secret.split("_")[1])
        token_revoke(actor=personas.viewer, token=token)
        response = api.get("/posts", **month["query"])
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "invalid_token"

    def test_an_expired_token_is_refused_at_once(self, personas, world, month) -> None:
        secret = token_for(personas.viewer, "posts:read")
        api = Api(secret)
        assert api.get("/posts", **month["query"]).status_code == 200
        ApiToken.objects.filter(prefix=secret.split("_")[1]).update(expires_at=timezone.now())
        assert api.get("/posts", **month["query"]).status_code == 401

    def test_the_language_and_the_query_are_part_of_the_key(self, personas, world, month) -> None:
        secret = token_for(personas.viewer, "posts:read")
        english = Api(secret, "en").get("/posts", **month["query"]).json()
        german = Api(secret, "de").get("/posts", **month["query"]).json()
        assert english["results"][0]["status_label"] == "Draft"
        assert german["results"][0]["status_label"] == "Entwurf"
        small = Api(secret).get("/posts", **month["query"], page_size=1).json()
        assert len(small["results"]) == 1
        assert "page_size=1" in small["next"]

    def test_filtered_lists_are_kept_and_follow_changes(self, personas, world, month) -> None:
        api = Api(token_for(personas.viewer, "posts:read"))
        query = {**month["query"], "status": "draft"}
        assert api.get("/posts", **query).json()["count"] == 4
        Post.objects.filter(pk=world["post"].pk).update(status=Post.Status.SCHEDULED)
        assert api.get("/posts", **query).json()["count"] == 3
        assert bytes(api.get("/posts", **query).content) == fresh(api, query)
