"""Fixtures of the voice rules' tests: the plan's channels and a draft and simple rules, checked by the
real checker."""

from __future__ import annotations

from typing import Any

import pytest

from onevoice.networks.models import Channel
from onevoice.planning.models import Post
from onevoice.planning.tests.conftest import channels, draft, later
from onevoice.voice.checker import RuleKind, Severity
from onevoice.voice.models import VoiceRule

__all__ = ["channels", "draft", "later"]


def make_rule(personas: Any, kind: RuleKind = RuleKind.FORBIDDEN_TERMS, **fields: Any) -> VoiceRule:
    defaults: dict[str, Any] = {
        "name": "Keine Schnäppchen",
        "severity": Severity.BLOCK,
        "params": {"terms": ["Schnäppchen"], "exceptions": []},
    }
    if kind == RuleKind.SENSITIVE:
        defaults = {
            "name": "Wettbewerber",
            "severity": Severity.WARN,
            "params": {"terms": ["Logistik AG"], "label": "Wettbewerber"},
        }
    return VoiceRule.objects.create(
        organization=personas.organization, kind=kind, created_by=personas.smm, **(defaults | fields)
    )


@pytest.fixture
def forbidden(personas: Any) -> VoiceRule:
    return make_rule(personas)


def set_text(post: Post, text: str) -> None:
    post.variants.update(text=text)


def social_channel(personas: Any, name: str = "Bluesky Muster") -> Channel:
    return Channel.objects.create(
        organization=personas.organization, network="bluesky", name=name, department=personas.marketing
    )
