"""Tokens, channels, posts and cases for the API tests, built on the shared personas."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from onevoice.api import services
from onevoice.api.scopes import scopes_for_role
from onevoice.inbox.tests.factories import make_case, make_channel
from onevoice.networks.models import Channel
from onevoice.organization.models import Membership
from onevoice.planning.models import Post, PostVariant


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> None:
    cache.clear()


def token_for(member: Membership, *scopes: str, days: int = 30) -> str:
    """A personal token of the member with these scopes (default: all their role can use)."""
    chosen = list(scopes) or scopes_for_role(member.role)
    return services.token_create_personal(
        actor=member, name="Test", scopes=chosen, expires_at=timezone.now() + timedelta(days=days)
    ).secret


class Api:
    """A client that sends the bearer token and JSON."""

    def __init__(self, token: str, language: str = "en") -> None:
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE=language)

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params)

    def post(self, path: str, body: Any = None, **extra: Any) -> Any:
        data = body if isinstance(body, (str, bytes)) else json.dumps(body or {})
        return self.client.post(f"/api/v1{path}", data, content_type="application/json", **extra)

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(f"/api/v1{path}", json.dumps(body), content_type="application/json")


@pytest.fixture
def api_for() -> Callable[..., Api]:
    def build(member: Membership, *scopes: str, language: str = "en") -> Api:
        return Api(token_for(member, *scopes), language)

    return build


@pytest.fixture
def world(personas: Any) -> dict[str, Any]:
    """A channel of Marketing and one of the other organisation, a post and a case on each."""
    org, other = personas.organization, personas.outsider.organization
    channel = make_channel(org, department=personas.marketing, name="Bluesky Marketing")
    foreign_channel = make_channel(other, name="Bluesky Andere", handle="andere.test")
    soon = timezone.now() + timedelta(days=1)
    post = make_post(personas.cm, personas.marketing, soon, [channel], title="Sommerfest")
    foreign_post = make_post(
        personas.outsider, other.departments.first(), soon, [foreign_channel], title="Fremd"
    )
    case = make_case(channel, text="Wann ist das Sommerfest?")
    foreign_case = make_case(foreign_channel, text="Fremde Frage", handle="fremd.test")
    return {
        "channel": channel,
        "foreign_channel": foreign_channel,
        "post": post,
        "foreign_post": foreign_post,
        "case": case,
        "foreign_case": foreign_case,
    }


def make_post(owner: Membership, department: Any, when: Any, channels: list[Channel], *, title: str) -> Post:
    post = Post.objects.create(
        organization=owner.organization,
        department=department,
        owner=owner,
        title=title,
        base_text="Text",
        publish_at=when,
        status=Post.Status.DRAFT,
    )
    for channel in channels:
        PostVariant.objects.create(post=post, channel=channel, text="Text")
    return post
