"""The voice rules' services and selectors: who may keep rules, what is refused, which rules apply where,
the posts a new rule would block, overrides, the paid-partnership flag, the Impressum and the report."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from onevoice.core.models import AuditEvent
from onevoice.organization.access import NotAllowed
from onevoice.planning import services as planning
from onevoice.planning.models import Campaign, Post, Topic
from onevoice.voice import selectors, services
from onevoice.voice.checker import Finding, RuleKind, Severity
from onevoice.voice.models import FindingOverride, PostFlags, VoiceFinding, VoiceRule
from onevoice.voice.tests.conftest import make_rule, set_text, social_channel

pytestmark = pytest.mark.django_db

TERMS = {"terms": ["Schnäppchen"], "exceptions": []}


def events(verb: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(verb=verb))


class TestRuleCreate:
    def test_the_smm_adds_a_rule_and_it_is_audited(self, personas) -> None:
        rule = services.rule_create(
            actor=personas.smm,
            name="Keine Schnäppchen",
            kind="forbidden_terms",
            severity="block",
            params=TERMS,
        )
        assert rule.organization == personas.organization
        assert rule.created_by == personas.smm
        [event] = events("voice_rule.created")
        assert event.after["params"] == TERMS
        assert event.after["scope"] == "organization"

    def test_a_community_manager_may_not_add_rules(self, personas) -> None:
        with pytest.raises(NotAllowed):
            services.rule_create(
                actor=personas.cm, name="X", kind="forbidden_terms", severity="block", params=TERMS
            )
        assert not VoiceRule.objects.exists()

    def test_an_empty_term_list_is_refused_with_the_reason(self, personas) -> None:
        with pytest.raises(ValidationError) as caught:
            services.rule_create(
                actor=personas.smm,
                name="Leer",
                kind="forbidden_terms",
                severity="block",
                params={"terms": [], "exceptions": []},
            )
        assert caught.value.messages
        assert not VoiceRule.objects.exists()

    def test_an_unknown_kind_is_refused(self, personas) -> None:
        with pytest.raises(ValidationError, match="kinds of rule"):
            services.rule_create(actor=personas.smm, name="X", kind="horoscope", severity="block", params={})

    def test_a_rule_for_a_department_of_another_organisation_is_refused(self, personas) -> None:
        foreign = personas.outsider.organization.departments.first()
        with pytest.raises(NotAllowed):
            services.rule_create(
                actor=personas.smm,
                name="X",
                kind="forbidden_terms",
                severity="block",
                params=TERMS,
                department=foreign,
            )

    def test_a_rule_has_at_most_one_scope(self, personas, channels) -> None:
        with pytest.raises(ValidationError, match="one department, channel or campaign"):
            services.rule_create(
                actor=personas.smm,
                name="X",
                kind="forbidden_terms",
                severity="block",
                params=TERMS,
                department=personas.marketing,
                channel=channels[0],
            )


class TestRuleUpdateAndDelete:
    def test_a_change_is_audited_with_before_and_after(self, personas, forbidden) -> None:
        services.rule_update(
            actor=personas.smm,
            rule=forbidden,
            name="Keine Schnäppchen mehr",
            severity="warn",
            params=TERMS,
            department=personas.marketing,
        )
        forbidden.refresh_from_db()
        assert forbidden.severity == "warn"
        assert forbidden.department == personas.marketing
        [event] = events("voice_rule.updated")
        assert event.before["severity"] == "block"
        assert event.after["scope"] == "department:Marketing"

    def test_a_deleted_rule_is_gone_and_audited(self, personas, forbidden) -> None:
        services.rule_delete(actor=personas.smm, rule=forbidden)
        assert not VoiceRule.objects.exists()
        assert events("voice_rule.deleted")[0].before["name"] == "Keine Schnäppchen"

    def test_a_contributor_may_not_delete_a_rule(self, personas, forbidden) -> None:
        with pytest.raises(NotAllowed):
            services.rule_delete(actor=personas.contributor, rule=forbidden)


class TestRulesFor:
    def test_it_takes_the_organisation_the_department_the_channel_and_the_campaign(
        self, personas, channels, draft
    ) -> None:
        campaign = Campaign.objects.create(
            organization=personas.organization,
            name="Frühling",
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate() + timedelta(days=30),
        )
        draft.campaign = campaign
        draft.save()
        everywhere = make_rule(personas, name="Überall")
        marketing = make_rule(personas, name="Marketing", department=personas.marketing)
        hr = make_rule(personas, name="Personal", department=personas.hr)
        this_channel = make_rule(personas, name="Kanal", channel=channels[0])
        other_channel = make_rule(personas, name="Anderer Kanal", channel=channels[1])
        this_campaign = make_rule(personas, name="Kampagne", campaign=campaign)
        make_rule(personas, name="Aus", active=False)
        variant = draft.variants.get()
        applying = selectors.rules_for(variant)
        assert {r.pk for r in applying} == {everywhere.pk, marketing.pk, this_channel.pk, this_campaign.pk}
        assert hr not in applying
        assert other_channel not in applying


class TestFindingsForVariant:
    def test_a_variant_without_rules_is_never_checked(self, personas, draft, monkeypatch) -> None:
        from onevoice.voice import checker

        monkeypatch.setattr(checker, "check", lambda *a: pytest.fail("checked without rules"), raising=False)
        found = selectors.findings_for_variant(draft.variants.get())
        assert found.items == []
        assert found.rules == 0

    def test_it_finds_a_forbidden_term_with_its_span(self, personas, draft, forbidden) -> None:
        set_text(draft, "Das Schnäppchen der Woche!")
        found = selectors.findings_for_variant(draft.variants.get())
        [item] = found.items
        assert item.rule == forbidden
        assert item.blocking
        assert (4, 15) in item.finding.spans

    def test_the_text_being_typed_is_checked_instead_of_the_saved_one(
        self, personas, draft, forbidden
    ) -> None:
        variant = draft.variants.get()
        found = selectors.findings_for_variant(
            variant, facts=selectors.facts_for(variant, text="Schnäppchen!")
        )
        assert [i.rule for i in found.items] == [forbidden]
        assert selectors.findings_for_variant(variant).items == []

    def test_the_facts_carry_alt_texts_language_network_and_the_partnership(self, personas, draft) -> None:
        PostFlags.objects.create(post=draft, paid_partnership=True)
        variant = draft.variants.select_related("channel").get()
        facts = selectors.facts_for(variant)
        assert facts.paid_partnership is True
        assert facts.language == "de"
        assert facts.network == "newsroom"
        assert facts.image_alt_texts == ()


class TestHighlight:
    def test_it_cuts_the_text_into_plain_and_marked_pieces(self) -> None:
        finding = Finding("r", RuleKind.FORBIDDEN_TERMS, Severity.WARN, "m", spans=((4, 8),))
        assert selectors.highlight("Ein Test hier", [finding]) == [
            {"text": "Ein ", "mark": ""},
            {"text": "Test", "mark": "warn"},
            {"text": " hier", "mark": ""},
        ]

    def test_blocking_wins_where_findings_overlap(self) -> None:
        warn = Finding("a", RuleKind.EMOJI, Severity.WARN, "m", spans=((0, 6),))
        block = Finding("b", RuleKind.ADDRESS, Severity.BLOCK, "m", spans=((3, 9),))
        pieces = selectors.highlight("abcdefghij", [warn, block])
        assert pieces == [
            {"text": "abc", "mark": "warn"},
            {"text": "defghi", "mark": "block"},
            {"text": "j", "mark": ""},
        ]

    def test_spans_outside_the_text_are_ignored(self) -> None:
        finding = Finding("r", RuleKind.EMOJI, Severity.WARN, "m", spans=((3, 99),))
        assert selectors.highlight("abcd", [finding])[-1] == {"text": "d", "mark": "warn"}
        assert selectors.highlight("", [finding]) == []


class TestPostsBlockedBy:
    def test_it_counts_the_posts_under_way_that_the_rule_would_block(self, personas, channels) -> None:
        def post(title: str, text: str, status: str) -> Post:
            created = planning.post_create(
                actor=personas.smm,
                title=title,
                department=personas.marketing,
                channels=channels[:1],
                base_text=text,
                publish_at=planning_later(),
            )
            Post.objects.filter(pk=created.pk).update(status=status)
            return created

        scheduled = post("Geplant", "Das Schnäppchen!", Post.Status.SCHEDULED)
        in_review = post("In Prüfung", "Noch ein Schnäppchen", Post.Status.IN_REVIEW)
        post("Entwurf", "Schnäppchen im Entwurf", Post.Status.DRAFT)
        post("Sauber", "Alles gut", Post.Status.SCHEDULED)
        rule = VoiceRule(name="Neu", kind="forbidden_terms", severity="block", params=TERMS).as_rule()
        blocked = selectors.posts_blocked_by(personas.organization.pk, rule, {})
        assert {p.pk for p in blocked} == {scheduled.pk, in_review.pk}
        assert selectors.posts_blocked_by(personas.organization.pk, rule, {"department": personas.hr}) == []

    def test_a_warning_blocks_nothing(self, personas, draft) -> None:
        rule = VoiceRule(name="Neu", kind="forbidden_terms", severity="warn", params=TERMS).as_rule()
        assert selectors.posts_blocked_by(personas.organization.pk, rule, {}) == []


def planning_later():
    from onevoice.planning.tests.conftest import later

    return later()


class TestFindingOverride:
    def test_the_smm_lets_a_blocking_finding_pass_with_a_reason(self, personas, draft, forbidden) -> None:
        variant = draft.variants.get()
        services.finding_override(
            actor=personas.smm, post=draft, variant=variant, rule=forbidden, reason="Zitat aus der Presse"
        )
        set_text(draft, "Schnäppchen")
        [item] = selectors.findings_for_variant(draft.variants.get()).items
        assert item.override is not None
        assert not item.blocking
        [event] = events("voice_finding.overridden")
        assert event.after == {
            "rule": "Keine Schnäppchen",
            "channel": "Newsroom Marketing",
            "reason": "Zitat aus der Presse",
        }

    def test_a_community_manager_cannot_override(self, personas, draft, forbidden) -> None:
        with pytest.raises(NotAllowed):
            services.finding_override(
                actor=personas.cm, post=draft, variant=draft.variants.get(), rule=forbidden, reason="weil"
            )
        assert not FindingOverride.objects.exists()

    def test_an_override_needs_a_reason(self, personas, draft, forbidden) -> None:
        with pytest.raises(ValidationError, match="Say why"):
            services.finding_override(
                actor=personas.smm, post=draft, variant=draft.variants.get(), rule=forbidden, reason="  "
            )

    def test_a_warning_needs_no_override(self, personas, draft) -> None:
        rule = make_rule(personas, severity="warn")
        with pytest.raises(ValidationError, match="warning never stops"):
            services.finding_override(
                actor=personas.smm, post=draft, variant=draft.variants.get(), rule=rule, reason="weil"
            )


class TestPostFlags:
    def test_the_author_marks_a_paid_partnership_and_it_is_audited(self, personas, draft) -> None:
        services.post_flags_set(actor=personas.cm, post=draft, paid_partnership=True)
        assert selectors.paid_partnership(draft)
        assert events("post.partnership_changed")[0].after == {"paid_partnership": True}

    def test_an_unchanged_flag_writes_no_audit_event(self, personas, draft) -> None:
        services.post_flags_set(actor=personas.cm, post=draft, paid_partnership=False)
        assert events("post.partnership_changed") == []

    def test_a_reviewer_cannot_mark_it(self, personas, draft) -> None:
        with pytest.raises(NotAllowed):
            services.post_flags_set(actor=personas.reviewer, post=draft, paid_partnership=True)


class TestChannelImpressum:
    def test_the_smm_sets_the_impressum_and_it_is_audited(self, personas) -> None:
        channel = social_channel(personas)
        services.channel_impressum_set(
            actor=personas.smm, channel=channel, url="https://muster.example/impressum"
        )
        channel.refresh_from_db()
        assert channel.config["impressum_url"] == "https://muster.example/impressum"
        assert events("channel.impressum_set")[0].after == {
            "impressum_url": "https://muster.example/impressum"
        }

    @pytest.mark.parametrize("url", ["", "impressum", "javascript:alert(1)", "ftp://muster.example/i"])
    def test_anything_but_a_web_address_is_refused(self, personas, url) -> None:
        channel = social_channel(personas)
        with pytest.raises(ValidationError, match="full address"):
            services.channel_impressum_set(actor=personas.smm, channel=channel, url=url)
        channel.refresh_from_db()
        assert "impressum_url" not in channel.config

    def test_a_community_manager_cannot_set_it(self, personas) -> None:
        with pytest.raises(NotAllowed):
            services.channel_impressum_set(
                actor=personas.cm, channel=social_channel(personas), url="https://muster.example/impressum"
            )


class TestWeeklyReport:
    def test_it_counts_findings_per_department_and_rule_and_lists_overrides(
        self, personas, draft, forbidden
    ) -> None:
        variant = draft.variants.get()
        for overridden, department in (
            (False, personas.marketing),
            (True, personas.marketing),
            (False, personas.hr),
        ):
            VoiceFinding.objects.create(
                organization=personas.organization,
                post=draft,
                variant=variant,
                department=department,
                rule=forbidden,
                rule_name=forbidden.name,
                kind=forbidden.kind,
                severity="block",
                message="Avoid it.",
                overridden=overridden,
            )
        old = VoiceFinding.objects.create(
            organization=personas.organization,
            post=draft,
            department=personas.hr,
            rule_name="Alt",
            kind="emoji",
            severity="warn",
            message="old",
        )
        VoiceFinding.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
        services.finding_override(
            actor=personas.smm, post=draft, variant=variant, rule=forbidden, reason="Zitat"
        )
        report = selectors.weekly_report(personas.organization.pk)
        assert report.total == 3
        assert report.by_department[0] == {"name": "Marketing", "block": 1, "overridden": 1, "total": 2}
        assert report.by_rule == [{"name": "Keine Schnäppchen", "block": 2, "overridden": 1, "total": 3}]
        assert [o.reason for o in report.overrides] == ["Zitat"]

    def test_it_counts_the_weeks_posts_per_topic_against_an_even_share(self, personas, channels) -> None:
        job = Topic.objects.create(organization=personas.organization, name="Karriere")
        Topic.objects.create(organization=personas.organization, name="Produkt")
        post = planning.post_create(
            actor=personas.smm,
            title="Jetzt",
            department=personas.hr,
            channels=channels[1:],
            topic=job,
            publish_at=timezone.now() + timedelta(minutes=5),
        )
        Post.objects.filter(pk=post.pk).update(publish_at=timezone.now())  # surely inside this week
        rows = {r["topic"].name: r for r in selectors.weekly_report(personas.organization.pk).topics}
        assert rows["Karriere"] == {"topic": job, "count": 1, "even": 0.5, "share": 100}
        assert rows["Produkt"]["count"] == 0


class TestDemo:
    def test_it_builds_the_german_rule_set_once(self, personas, draft) -> None:
        from onevoice.voice import demo

        set_text(draft, "Die Wettbewerber Logistik AG ist langsamer.")
        Post.objects.filter(pk=draft.pk).update(status=Post.Status.SCHEDULED)
        first = demo.build(personas.organization, personas.smm)
        again = demo.build(personas.organization, personas.smm)
        assert [r.pk for r in first] == [r.pk for r in again]
        assert VoiceRule.objects.filter(organization=personas.organization).count() == len(demo.RULES)
        assert VoiceRule.objects.get(name="Sie-Form").severity == "block"
        assert VoiceFinding.objects.filter(post=draft, kind="sensitive").count() == 1
