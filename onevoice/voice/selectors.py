"""Reads of the voice rules: which rules apply to a variant, its findings (with overrides), the posts a new
rule would block, and the weekly voice report."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Count
from django.utils import timezone

from onevoice.organization.models import Organization
from onevoice.planning.conflicts import org_time_zone
from onevoice.planning.models import Post, PostVariant, Topic
from onevoice.voice import checker
from onevoice.voice.checker import Finding, Rule, Severity, VariantFacts
from onevoice.voice.models import ExtraApproval, FindingOverride, PostFlags, VoiceFinding, VoiceRule

# The posts a new blocking rule is previewed against: those already on their way out.
UNDER_WAY = (Post.Status.IN_REVIEW, Post.Status.APPROVED, Post.Status.SCHEDULED)


def active_rules(organization_id: int) -> list[VoiceRule]:
    return list(VoiceRule.objects.filter(organization_id=organization_id, active=True))


def rule_applies(rule: VoiceRule, post: Post, variant: PostVariant) -> bool:
    """Organisation-wide rules apply everywhere; scoped ones to their department, channel or campaign."""
    if rule.department_id is not None:
        return rule.department_id == post.department_id
    if rule.channel_id is not None:
        return rule.channel_id == variant.channel_id
    if rule.campaign_id is not None:
        return rule.campaign_id == post.campaign_id
    return True


def rules_for(variant: PostVariant, rules: Sequence[VoiceRule] | None = None) -> list[VoiceRule]:
    """The active rules whose scope covers this variant (its post's department or campaign, its channel)."""
    post = variant.post
    candidates = active_rules(post.organization_id) if rules is None else rules
    return [r for r in candidates if rule_applies(r, post, variant)]


def paid_partnership(post: Post) -> bool:
    return PostFlags.objects.filter(post=post, paid_partnership=True).exists()


def facts_for(
    variant: PostVariant,
    *,
    text: str | None = None,
    language: str | None = None,
    link: str | None = None,
    paid: bool | None = None,
) -> VariantFacts:
    """The variant as the checker sees it; the composer passes what is being typed instead of what is saved."""
    return VariantFacts(
        text=variant.text if text is None else text,
        language=(variant.language if language is None else language) or "de",
        network=variant.channel.network,
        link=variant.link if link is None else link,
        image_alt_texts=tuple(image.alt_text for image in variant.images.all()),
        paid_partnership=paid_partnership(variant.post) if paid is None else paid,
    )


@dataclass
class Shown:
    """A finding ready to show: its rule, whether the SMM let it pass, and why."""

    finding: Finding
    rule: VoiceRule
    override: FindingOverride | None = None

    @property
    def blocking(self) -> bool:
        return self.finding.severity == Severity.BLOCK and self.override is None

    @property
    def severity(self) -> str:
        return str(self.finding.severity)


@dataclass
class VariantFindings:
    variant: PostVariant
    text: str
    items: list[Shown] = field(default_factory=list)
    rules: int = 0  # how many rules applied: none means there was nothing to check

    @property
    def blocking(self) -> list[Shown]:
        return [s for s in self.items if s.blocking]

    @property
    def extra_approval(self) -> list[Shown]:
        return [s for s in self.items if s.finding.needs_extra_approval]

    def segments(self) -> list[dict[str, Any]]:
        return highlight(self.text, [s.finding for s in self.items if s.override is None])


def run_check(facts: VariantFacts, rules: Sequence[VoiceRule]) -> list[Shown]:
    if not rules:
        return []  # no rules, nothing to check: spares the checker (and the page) the work
    by_id = {str(r.public_id): r for r in rules}
    found = checker.check(facts, [r.as_rule() for r in rules])
    return [Shown(f, by_id[f.rule_id]) for f in found if f.rule_id in by_id]


def findings_for_variant(
    variant: PostVariant,
    *,
    facts: VariantFacts | None = None,
    rules: Sequence[VoiceRule] | None = None,
) -> VariantFindings:
    """Every finding of the rules that apply to this variant, each with its override if the SMM gave one."""
    applying = rules_for(variant, rules)
    facts = facts or facts_for(variant)
    items = run_check(facts, applying)
    if items:
        overrides = {
            o.rule_id: o for o in FindingOverride.objects.filter(variant=variant).select_related("by__user")
        }
        for item in items:
            item.override = overrides.get(item.rule.pk)
    return VariantFindings(variant, facts.text, items, rules=len(applying))


def findings_for_post(post: Post) -> list[VariantFindings]:
    rules = active_rules(post.organization_id)
    if not rules:
        return []
    variants = post.variants.select_related("channel", "post").prefetch_related("images")
    paid = paid_partnership(post)
    return [
        findings_for_variant(v, facts=facts_for(v, paid=paid), rules=rules_for(v, rules)) for v in variants
    ]


def blocking_problems(post: Post, found: Sequence[VariantFindings] | None = None) -> list[str]:
    """The blocking findings nobody overrode, in words ("channel: rule: message")."""
    return [
        f"{each.variant.channel.name}: {item.rule.name}: {item.finding.message}"
        for each in (findings_for_post(post) if found is None else found)
        for item in each.blocking
    ]


def pending_extra_approval(post: Post) -> str:
    """The reason this review round still needs the SMM's approval ("" when it does not)."""
    from onevoice.organization.roles import Role
    from onevoice.planning.models import ApprovalDecision

    extra = ExtraApproval.objects.filter(post=post, review_round=post.review_round).first()
    if extra is None:
        return ""
    approved = ApprovalDecision.objects.filter(
        post=post,
        review_round=post.review_round,
        verdict=ApprovalDecision.Verdict.APPROVED,
        approver__role__in=[Role.SMM, Role.ADMIN],
    ).exists()
    return "" if approved else str(extra.reason)


# ---- the composer's highlighting -------------------------------------------------------------------


def highlight(text: str, findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """The text cut into plain and marked pieces (blocking wins where findings overlap); the template
    escapes each piece, so no markup is ever built from the text."""
    level = [0] * len(text)  # 0 plain, 1 warning, 2 blocking
    for finding in findings:
        weight = 2 if finding.severity == Severity.BLOCK else 1
        for start, end in finding.spans:
            for i in range(max(start, 0), min(end, len(text))):
                level[i] = max(level[i], weight)
    pieces: list[dict[str, Any]] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or level[i] != level[start]:
            kind = ("", "warn", "block")[level[start]]
            pieces.append({"text": text[start:i], "mark": kind})
            start = i
    return pieces


# ---- a rule's effect before it is saved --------------------------------------------------------------


def posts_blocked_by(
    organization_id: int, rule: Rule, scope: dict[str, Any], *, exclude_rule_pk: int | None = None
) -> list[Post]:
    """The posts under way (in review, approved, scheduled) this rule would block, checked as they are now."""
    if rule.severity != Severity.BLOCK:
        return []
    draft = VoiceRule(
        organization_id=organization_id,
        name=rule.name,
        kind=str(rule.kind),
        severity=str(rule.severity),
        params=rule.params,
        department=scope.get("department"),
        channel=scope.get("channel"),
        campaign=scope.get("campaign"),
    )
    posts = (
        Post.objects.filter(organization_id=organization_id, status__in=UNDER_WAY)
        .select_related("department")
        .prefetch_related("variants__channel", "variants__images")
        .order_by("publish_at", "id")
    )
    paid = set(
        PostFlags.objects.filter(post__in=posts, paid_partnership=True).values_list("post_id", flat=True)
    )
    overridden = set()
    if exclude_rule_pk is not None:
        overridden = set(
            FindingOverride.objects.filter(rule_id=exclude_rule_pk).values_list("variant_id", flat=True)
        )
    blocked = []
    for post in posts:
        for variant in post.variants.all():
            variant.post = post
            if variant.pk in overridden or not rule_applies(draft, post, variant):
                continue
            found = checker.check(facts_for(variant, paid=post.pk in paid), [rule])
            if any(f.severity == Severity.BLOCK for f in found):
                blocked.append(post)
                break
    return blocked


# ---- the weekly voice report -----------------------------------------------------------------------


@dataclass
class Report:
    since: Any
    week_of: Any
    by_department: list[dict[str, Any]]
    by_rule: list[dict[str, Any]]
    overrides: list[FindingOverride]
    topics: list[dict[str, Any]]
    total: int


def weekly_report(organization_id: int, *, days: int = 7) -> Report:
    """Findings recorded at submission in the last `days` days per department and rule, the overrides
    given, and how the week's posts spread over the topics compared with an even share."""
    since = timezone.now() - timedelta(days=days)
    findings = VoiceFinding.objects.filter(organization_id=organization_id, created_at__gte=since)
    by_department: dict[str, Counter[str]] = defaultdict(Counter)
    by_rule: dict[str, Counter[str]] = defaultdict(Counter)
    for name, rule_name, severity, overridden in findings.values_list(
        "department__name", "rule_name", "severity", "overridden"
    ):
        key = "overridden" if overridden else severity
        by_department[name or "—"][key] += 1
        by_department[name or "—"]["total"] += 1
        by_rule[rule_name][key] += 1
        by_rule[rule_name]["total"] += 1
    overrides = list(
        FindingOverride.objects.filter(post__organization_id=organization_id, at__gte=since)
        .select_related("rule", "post", "variant__channel", "by__user")
        .order_by("-at")
    )
    tz = org_time_zone(Organization.objects.get(pk=organization_id))
    today = timezone.localdate(timezone=tz)
    monday = datetime.combine(today - timedelta(days=today.weekday()), time.min, tz)
    week_posts = Post.objects.filter(
        organization_id=organization_id, publish_at__gte=monday, publish_at__lt=monday + timedelta(days=7)
    ).exclude(status=Post.Status.WITHDRAWN)
    counts: dict[int | None, int] = dict(
        week_posts.order_by().values("topic_id").annotate(n=Count("id")).values_list("topic_id", "n")
    )
    topics = list(Topic.objects.filter(organization_id=organization_id))
    total_posts = sum(counts.values())
    even = total_posts / len(topics) if topics else 0
    topic_rows = [
        {
            "topic": t,
            "count": counts.get(t.pk, 0),
            "even": round(even, 1),
            "share": _share(counts.get(t.pk, 0), total_posts),
        }
        for t in topics
    ]
    if counts.get(None):
        topic_rows.append(
            {"topic": None, "count": counts[None], "even": None, "share": _share(counts[None], total_posts)}
        )

    def rows(grouped: dict[str, Counter[str]]) -> list[dict[str, Any]]:
        return [
            {"name": name, **dict(counter)}
            for name, counter in sorted(grouped.items(), key=lambda kv: (-kv[1]["total"], kv[0]))
        ]

    return Report(
        since=since,
        week_of=monday,
        by_department=rows(by_department),
        by_rule=rows(by_rule),
        overrides=overrides,
        topics=topic_rows,
        total=findings.count(),
    )


def _share(count: int, total: int) -> int:
    return round(100 * count / total) if total else 0
