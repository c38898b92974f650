"""Routing rules, table-driven: every condition, every action, order and stop, and the default owner."""

from __future__ import annotations

from typing import Any

import pytest

from onevoice.inbox.models import MessageKind, Priority, RoutingRule, Sentiment, Tag
from onevoice.inbox.routing import RoutingInput, compile_rules, default_owner, rules_of, words
from onevoice.organization.models import Department, Organization

CHANNEL, OTHER_CHANNEL = 1, 2
SALES, HR, MARKETING = 10, 11, 12
CAMPAIGN = 20


def rule(pk: int, **fields: Any) -> RoutingRule:
    fields.setdefault("name", f"Regel {pk}")
    fields.setdefault("position", pk)
    return RoutingRule(pk=pk, organization_id=1, **fields)


def message(text: str = "Hallo", **fields: Any) -> RoutingInput:
    fields.setdefault("channel_id", CHANNEL)
    fields.setdefault("kind", MessageKind.REPLY)
    return RoutingInput(text=text, **fields)


# (what, rule, message, matches)
CONDITIONS: list[tuple[str, RoutingRule, RoutingInput, bool]] = [
    ("no condition matches all", rule(1), message(), True),
    ("keyword, any case", rule(1, keywords="Lieferung"), message("Wo bleibt meine LIEFERUNG?"), True),
    ("keyword as hashtag", rule(1, keywords="lieferung"), message("#Lieferung seit Tagen"), True),
    ("keyword is a whole word", rule(1, keywords="Lieferung"), message("Die Lieferungen kamen"), False),
    ("keyword inside a word", rule(1, keywords="rot"), message("Brot ist alle"), False),
    ("umlaut keyword", rule(1, keywords="Rückerstattung"), message("rückerstattung bitte!"), True),
    ("umlaut is not its vowel", rule(1, keywords="schön"), message("schon wieder"), False),
    ("ß and ss", rule(1, keywords="Straße"), message("IN DER STRASSE"), True),
    ("phrase", rule(1, keywords="nicht angekommen"), message("Paket ist NICHT\n angekommen."), True),
    ("phrase needs its order", rule(1, keywords="nicht angekommen"), message("angekommen nicht"), False),
    ("one of several lines", rule(1, keywords="Kündigung\nStorno"), message("Ich will storno"), True),
    ("none of the lines", rule(1, keywords="Kündigung\nStorno"), message("Alles prima"), False),
    ("channel", rule(1, channel_id=CHANNEL), message(), True),
    ("other channel", rule(1, channel_id=OTHER_CHANNEL), message(), False),
    ("language", rule(1, language="en"), message(language="en"), True),
    ("other language", rule(1, language="en"), message(language="de"), False),
    (
        "author handle",
        rule(1, authors="@Presse.bsky.social\nanna.test"),
        message(author_handle="anna.test"),
        True,
    ),
    (
        "author with @ and case",
        rule(1, authors="presse.bsky.social"),
        message(author_handle="Presse.BSKY.social"),
        True,
    ),
    ("author id", rule(1, authors="did:plc:abc"), message(author_id="did:plc:abc"), True),
    ("other author", rule(1, authors="anna.test"), message(author_handle="bernd.test"), False),
    ("vip", rule(1, vip_only=True), message(is_vip=True), True),
    ("not vip", rule(1, vip_only=True), message(is_vip=False), False),
    ("post's department", rule(1, post_department_id=SALES), message(post_department_id=SALES), True),
    ("other department", rule(1, post_department_id=SALES), message(post_department_id=HR), False),
    ("no post", rule(1, post_department_id=SALES), message(), False),
    ("campaign", rule(1, campaign_id=CAMPAIGN), message(campaign_id=CAMPAIGN), True),
    ("no campaign", rule(1, campaign_id=CAMPAIGN), message(), False),
    ("kind", rule(1, kind=MessageKind.MENTION), message(kind=MessageKind.MENTION), True),
    ("other kind", rule(1, kind=MessageKind.MENTION), message(kind=MessageKind.REPLY), False),
    ("sentiment", rule(1, sentiment=Sentiment.NEGATIVE), message(sentiment="negative"), True),
    ("other sentiment", rule(1, sentiment=Sentiment.NEGATIVE), message(sentiment="neutral"), False),
    ("offensive", rule(1, offensive=True), message(offensive=True), True),
    ("not offensive wanted", rule(1, offensive=False), message(offensive=True), False),
    ("offensive any", rule(1, offensive=None), message(offensive=True), True),
    (
        "all conditions together",
        rule(1, keywords="Rechnung", channel_id=CHANNEL, language="de", sentiment=Sentiment.NEGATIVE),
        message("Ihre Rechnung ist falsch", language="de", sentiment="negative"),
        True,
    ),
    (
        "one condition of several fails",
        rule(1, keywords="Rechnung", channel_id=CHANNEL, language="de", sentiment=Sentiment.NEGATIVE),
        message("Ihre Rechnung ist falsch", language="de", sentiment="neutral"),
        False,
    ),
    ("inactive rule", rule(1, active=False), message(), False),
]


class TestConditions:
    @pytest.mark.parametrize(("what", "r", "item", "matches"), CONDITIONS, ids=[c[0] for c in CONDITIONS])
    def test_a_rule_matches_when_every_condition_holds(
        self, what: str, r: RoutingRule, item: RoutingInput, matches: bool
    ) -> None:
        decision = compile_rules([r]).route(item)
        assert (decision.matched == [r]) is matches


class TestActions:
    def test_the_first_assigning_rule_decides_and_stop_ends_the_run(self) -> None:
        rules = [
            rule(1, keywords="Rechnung", set_priority=Priority.HIGH, stop=False),
            rule(2, keywords="Rechnung", assign_department_id=SALES, stop=False),
            rule(3, assign_department_id=HR, set_priority=Priority.LOW, stop=True),
            rule(4, assign_department_id=MARKETING),
        ]
        decision = compile_rules(rules, {1: [100], 2: [101], 3: [100, 102], 4: [103]}).route(
            message("Rechnung falsch")
        )
        assert [r.pk for r in decision.matched] == [1, 2, 3]
        assert decision.department_id == SALES
        assert decision.rule is not None
        assert decision.rule.pk == 2
        assert decision.priority == Priority.HIGH
        assert decision.tag_ids == [100, 101, 102]

    def test_no_reply_and_hide_hold_once_any_rule_says_so(self) -> None:
        rules = [
            rule(1, keywords="danke", no_reply_needed=True, stop=False),
            rule(2, offensive=True, hide=True),
        ]
        thanks = compile_rules(rules).route(message("Danke!"))
        insult = compile_rules(rules).route(message("Ihr Idioten", offensive=True))
        assert thanks.no_reply_needed
        assert not thanks.hide
        assert insult.hide
        assert not insult.no_reply_needed

    def test_assigning_a_person(self) -> None:
        decision = compile_rules([rule(1, authors="presse.test", assign_to_id=7)]).route(
            message(author_handle="presse.test")
        )
        assert decision.assignee_id == 7
        assert decision.department_id is None

    def test_words_are_casefolded_letters_and_digits(self) -> None:
        assert words("Größe: 42 — ÄRGER!!") == ["grösse", "42", "ärger"]


@pytest.mark.django_db
class TestDefaultOwner:
    # (what, organisation model, central team?, post department, channel department, expected)
    TABLE = [
        ("post's department first", "decentral", True, "Marketing", "Personal", "Marketing"),
        ("then the channel's department", "decentral", True, None, "Personal", "Personal"),
        ("then the central team", "central", True, None, None, "Zentrale"),
        ("nothing without a central team", "decentral", False, None, None, None),
    ]

    @pytest.mark.parametrize(
        ("what", "model", "central", "post", "channel", "expected"), TABLE, ids=[t[0] for t in TABLE]
    )
    def test_without_a_rule(
        self,
        personas: Any,
        what: str,
        model: str,
        central: bool,
        post: str | None,
        channel: str | None,
        expected: str | None,
    ) -> None:
        org = personas.organization
        Organization.objects.filter(pk=org.pk).update(model=model)
        org.refresh_from_db()
        if central:
            Department.objects.create(organization=org, name="Zentrale", is_central_team=True)
        by_name = {d.name: d.pk for d in org.departments.all()}
        decision = compile_rules([]).route(message())
        default_owner(org).apply(
            decision,
            post_department_id=by_name.get(post or ""),
            channel_department_id=by_name.get(channel or ""),
        )
        assert decision.department_id == by_name.get(expected or "")
        assert decision.reason if expected else not decision.reason

    def test_a_solo_organisation_goes_to_its_one_person(self, personas: Any) -> None:
        outsider = personas.outsider  # "Andere AG" is a solo organisation
        org = outsider.organization
        org.departments.update(is_central_team=False)
        decision = compile_rules([]).route(message())
        default_owner(org).apply(decision, post_department_id=None, channel_department_id=None)
        assert decision.assignee_id == outsider.pk

    def test_rules_load_in_order_with_their_tags(self, personas: Any) -> None:
        org = personas.organization
        legal = Tag.objects.create(organization=org, name="Recht")
        second = RoutingRule.objects.create(organization=org, name="B", position=2, keywords="Anwalt")
        first = RoutingRule.objects.create(
            organization=org, name="A", position=1, keywords="Anwalt", stop=False
        )
        first.add_tags.add(legal)
        RoutingRule.objects.create(organization=org, name="aus", position=0, active=False)
        decision = rules_of(org.pk).route(message("Mein Anwalt meldet sich"))
        assert decision.matched == [first, second]
        assert decision.tag_ids == [legal.pk]
