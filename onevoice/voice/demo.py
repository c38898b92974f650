"""The demo organisation's voice: a realistic German rule set, built through the services; run it again and
nothing is added twice.

Call it after the plan is built: the posts already under way are then checked once, as if just submitted,
so the weekly voice report has something to show.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from onevoice.organization.models import Membership, Organization
from onevoice.planning.models import Post
from onevoice.voice import services
from onevoice.voice.checker import RuleKind, Severity
from onevoice.voice.models import VoiceFinding, VoiceRule

B, W = Severity.BLOCK, Severity.WARN

RULES: list[tuple[str, RuleKind, Severity, dict[str, Any]]] = [
    ("Sie-Form", RuleKind.ADDRESS, B, {"form": "sie"}),
    ("Kund*innen statt Kunden", RuleKind.PREFERRED_TERMS, W, {"replacements": {"Kunden": "Kund*innen"}}),
    ("Keine Schnäppchen", RuleKind.FORBIDDEN_TERMS, W, {"terms": ["Schnäppchen"], "exceptions": []}),
    ("Werbung kennzeichnen", RuleKind.DISCLOSURE, B, {"markers": ["Anzeige", "Werbung"]}),
    ("Höchstens 3 Hashtags", RuleKind.HASHTAG_LIMIT, W, {"max": 3}),
    ("Höchstens 2 Emoji", RuleKind.EMOJI, W, {"max": 2}),
    ("Texte auf Deutsch", RuleKind.LANGUAGE, W, {}),
    (
        "Wettbewerber nur mit Freigabe",
        RuleKind.SENSITIVE,
        W,
        {"terms": ["Wettbewerber Logistik AG", "Logistik AG"], "label": "Wettbewerber"},
    ),
    ("Alt-Text für jedes Bild", RuleKind.ALT_TEXT, B, {}),
]


@transaction.atomic
def build(organization: Organization, smm: Membership) -> list[VoiceRule]:
    """The rule set for the whole organisation (the SMM keeps it); the posts under way checked once."""
    assert smm.organization_id == organization.pk
    existing = {r.name: r for r in VoiceRule.objects.filter(organization=organization)}
    rules = []
    for name, kind, severity, params in RULES:
        rule = existing.get(name)
        if rule is None:
            rule = services.rule_create(
                actor=smm, name=name, kind=kind.value, severity=severity.value, params=params
            )
        rules.append(rule)
    if not VoiceFinding.objects.filter(organization=organization).exists():
        under_way = Post.objects.filter(
            organization=organization,
            status__in=[Post.Status.IN_REVIEW, Post.Status.APPROVED, Post.Status.SCHEDULED],
        ).select_related("organization")
        for post in under_way:
            services.submission_record(actor=smm, post=post)
    return rules
