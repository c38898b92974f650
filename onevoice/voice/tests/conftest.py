"""Fixtures of the voice rules' tests: the plan's channels and a draft, simple rules, and the checker.

Until the real checker is implemented, `voice_checker` stands in for it with a small one that knows
forbidden and sensitive terms (substring match); once `checker.check` works, the real one runs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pytest

from onevoice.networks.models import Channel
from onevoice.planning.models import Post
from onevoice.planning.tests.conftest import channels, draft, later
from onevoice.voice import checker
from onevoice.voice.checker import Finding, Rule, RuleKind, Severity, VariantFacts
from onevoice.voice.models import VoiceRule

__all__ = ["channels", "draft", "later"]


def _fake_validate(kind: RuleKind, params: dict[str, Any]) -> list[str]:
    if kind in (RuleKind.FORBIDDEN_TERMS, RuleKind.SENSITIVE) and not params.get("terms"):
        return ["Enter at least one term."]
    return []


def _fake_check(facts: VariantFacts, rules: Sequence[Rule]) -> list[Finding]:
    found = []
    for rule in rules:
        if rule.kind not in (RuleKind.FORBIDDEN_TERMS, RuleKind.SENSITIVE):
            continue
        for term in rule.params.get("terms", []):
            spans = tuple(m.span() for m in re.finditer(re.escape(term), facts.text, re.IGNORECASE))
            if spans:
                sensitive = rule.kind == RuleKind.SENSITIVE
                found.append(
                    Finding(
                        rule_id=rule.id,
                        kind=rule.kind,
                        severity=rule.severity,
                        message=f"“{term}” is a sensitive term." if sensitive else f"Avoid “{term}”.",
                        spans=spans,
                        needs_extra_approval=sensitive,
                    )
                )
    return sorted(found, key=lambda f: (f.severity != Severity.BLOCK, f.spans[:1]))


@pytest.fixture
def voice_checker(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real checker once it is implemented; a stand-in for forbidden and sensitive terms until then."""
    try:
        checker.check(VariantFacts(text=""), [])
        checker.validate(RuleKind.ALT_TEXT, {})
    except (NotImplementedError, AttributeError):
        monkeypatch.setattr(checker, "check", _fake_check, raising=False)
        monkeypatch.setattr(checker, "validate", _fake_validate, raising=False)


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
def forbidden(personas: Any, voice_checker: None) -> VoiceRule:
    return make_rule(personas)


def set_text(post: Post, text: str) -> None:
    post.variants.update(text=text)


def social_channel(personas: Any, name: str = "Bluesky Muster") -> Channel:
    return Channel.objects.create(
        organization=personas.organization, network="bluesky", name=name, department=personas.marketing
    )
