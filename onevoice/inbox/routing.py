"""Routing: who owns a new case, decided by the organisation's rules (rows, not code) and a default.

Rules run in `position` order. A rule matches when every condition it sets holds; then its actions apply and
a rule with `stop` ends the run. The first matching rule that assigns (department or person) or sets a
priority decides those; tags add up; "no reply needed" and "hide" hold once any matching rule says so.
Without an assignment the case goes to the department that owns the post, else the channel's department,
else the central team, else (solo organisation) its one admin or SMM.

Keywords match whole words and phrases, case-insensitively (casefolded, so "STRASSE" finds "Straße"), with
umlauts as letters: "Lieferung" matches "lieferung!" and "#Lieferung" but not "Lieferungen".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from onevoice.inbox.models import RoutingRule
from onevoice.organization.models import Department, Membership, Organization
from onevoice.organization.roles import Role

WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """The words of a text as routing compares them: NFC, casefolded, split at anything not a letter/digit."""
    return WORD.findall(unicodedata.normalize("NFC", text).casefold())


def split_lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


def normalize_handle(handle: str) -> str:
    return handle.strip().lstrip("@").casefold()


@dataclass(frozen=True)
class RoutingInput:
    """What the rules look at for a new case (its first message and where it was written)."""

    channel_id: int | None
    text: str
    kind: str
    language: str = ""
    author_id: str = ""
    author_handle: str = ""
    is_vip: bool = False
    post_department_id: int | None = None
    campaign_id: int | None = None
    sentiment: str = ""
    offensive: bool = False


@dataclass(frozen=True)
class CompiledRule:
    rule: RoutingRule
    keywords: frozenset[tuple[str, ...]]
    authors: frozenset[str]
    tag_ids: tuple[int, ...]

    def matches(self, item: RoutingInput, grams: Callable[[], set[tuple[str, ...]]]) -> bool:
        rule = self.rule
        if rule.channel_id is not None and rule.channel_id != item.channel_id:
            return False
        if rule.kind and rule.kind != item.kind:
            return False
        if rule.language and rule.language.casefold() != (item.language or "").casefold():
            return False
        if rule.sentiment and rule.sentiment != item.sentiment:
            return False
        if rule.offensive is not None and rule.offensive != item.offensive:
            return False
        if rule.vip_only and not item.is_vip:
            return False
        if rule.post_department_id is not None and rule.post_department_id != item.post_department_id:
            return False
        if rule.campaign_id is not None and rule.campaign_id != item.campaign_id:
            return False
        if self.authors and not (
            normalize_handle(item.author_handle) in self.authors or item.author_id.casefold() in self.authors
        ):
            return False
        return not self.keywords or not self.keywords.isdisjoint(grams())


@dataclass
class RoutingDecision:
    department_id: int | None = None
    assignee_id: int | None = None
    priority: str = ""
    tag_ids: list[int] = field(default_factory=list)
    no_reply_needed: bool = False
    hide: bool = False
    rule: RoutingRule | None = None  # the rule that assigned, for the assignment history
    matched: list[RoutingRule] = field(default_factory=list)
    reason: str = ""


@dataclass(frozen=True)
class RuleSet:
    """An organisation's active rules, compiled once for a batch of cases."""

    rules: tuple[CompiledRule, ...]
    gram_lengths: frozenset[int]
    # keyword → the positions (in `rules`) of the rules that list it: a text's words name the few rules
    # with keywords that can match at all, instead of every rule looking at the text.
    by_keyword: dict[tuple[str, ...], tuple[int, ...]] = field(default_factory=dict)

    def route(self, item: RoutingInput) -> RoutingDecision:
        decision = RoutingDecision()
        found = word_grams(words(item.text), self.gram_lengths) if self.by_keyword else set()
        candidates: set[int] = set()
        for gram in found:
            hit = self.by_keyword.get(gram)
            if hit is not None:
                candidates.update(hit)

        def grams() -> set[tuple[str, ...]]:
            return found

        for position, compiled in enumerate(self.rules):
            if compiled.keywords and position not in candidates:
                continue  # none of its keywords is in the text
            if not compiled.matches(item, grams):
                continue
            rule = compiled.rule
            decision.matched.append(rule)
            assigns = rule.assign_department_id is not None or rule.assign_to_id is not None
            if assigns and decision.rule is None:
                decision.department_id = rule.assign_department_id
                decision.assignee_id = rule.assign_to_id
                decision.rule = rule
            if rule.set_priority and not decision.priority:
                decision.priority = rule.set_priority
            decision.tag_ids.extend(t for t in compiled.tag_ids if t not in decision.tag_ids)
            decision.no_reply_needed = decision.no_reply_needed or rule.no_reply_needed
            decision.hide = decision.hide or rule.hide
            if rule.stop:
                break
        return decision


def word_grams(tokens: Sequence[str], lengths: Iterable[int]) -> set[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    for n in lengths:
        if n == 1:
            found.update((t,) for t in tokens)
        else:
            found.update(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return found


def compile_rules(rules: Iterable[RoutingRule], tag_ids: dict[int, list[int]] | None = None) -> RuleSet:
    compiled: list[CompiledRule] = []
    lengths: set[int] = set()
    by_keyword: dict[tuple[str, ...], list[int]] = {}
    for rule in rules:
        if not rule.active:
            continue
        keywords = frozenset(tuple(words(line)) for line in split_lines(rule.keywords) if words(line))
        lengths.update(len(k) for k in keywords)
        for keyword in keywords:
            by_keyword.setdefault(keyword, []).append(len(compiled))
        authors = frozenset(normalize_handle(a) for a in split_lines(rule.authors))
        tags = tuple((tag_ids or {}).get(rule.pk, ()))
        compiled.append(CompiledRule(rule, keywords, authors, tags))
    index = {keyword: tuple(positions) for keyword, positions in by_keyword.items()}
    return RuleSet(tuple(compiled), frozenset(lengths), index)


def rules_of(organization_id: int) -> RuleSet:
    """The organisation's active rules in order, with their tags, in two queries."""
    rules = list(
        RoutingRule.objects.filter(organization_id=organization_id, active=True).order_by("position", "id")
    )
    through = RoutingRule.add_tags.through
    tag_ids: dict[int, list[int]] = {}
    for rule_id, tag_id in through.objects.filter(routingrule__in=[r.pk for r in rules]).values_list(
        "routingrule_id", "tag_id"
    ):
        tag_ids.setdefault(rule_id, []).append(tag_id)
    return compile_rules(rules, tag_ids)


# ---- the default owner ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DefaultOwner:
    """Where a case goes when no rule assigns it, loaded once per organisation."""

    central_department_id: int | None
    solo_member_id: int | None

    def apply(
        self,
        decision: RoutingDecision,
        *,
        post_department_id: int | None,
        channel_department_id: int | None,
    ) -> None:
        if decision.department_id is not None:
            return
        if post_department_id is not None:
            decision.department_id = post_department_id
            decision.reason = decision.reason or _("The department that owns the post")
        elif channel_department_id is not None:
            decision.department_id = channel_department_id
            decision.reason = decision.reason or _("The department that owns the channel")
        elif self.central_department_id is not None:
            decision.department_id = self.central_department_id
            decision.reason = decision.reason or _("The central social media team")
        if decision.assignee_id is None and decision.department_id is None and self.solo_member_id:
            decision.assignee_id = self.solo_member_id
            decision.reason = decision.reason or _("The organisation's social media manager")


def default_owner(organization: Organization) -> DefaultOwner:
    central = (
        Department.objects.filter(organization=organization, is_central_team=True)
        .values_list("pk", flat=True)
        .first()
    )
    solo = None
    if organization.model == Organization.Model.SOLO:
        solo = (
            Membership.objects.active()
            .filter(organization=organization, role__in=[Role.SMM, Role.ADMIN])
            .order_by("role", "joined_at")  # "admin" sorts before "smm"; a solo organisation has one
            .values_list("pk", flat=True)
            .first()
        )
    return DefaultOwner(central, solo)


# ---- hiding on the network ---------------------------------------------------------------------------

# Hiding a message on the network is the case workers' connector call. Ingestion records the intent
# (`Case.hidden`) and, after commit, hands the case ids to every function registered here.
HIDE_ON_NETWORK: list[Callable[[list[int]], None]] = []


def request_hide_on_network(case_ids: list[int]) -> None:
    """After commit, ask the registered hook(s) to hide these cases' messages on their networks."""
    if not case_ids or not HIDE_ON_NETWORK:
        return
    ids = list(case_ids)
    for hook in HIDE_ON_NETWORK:
        transaction.on_commit(lambda hook=hook: hook(ids))  # type: ignore[misc]
