"""The voice pages over HTTP: every view by role, from another organisation, with bad input."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onevoice.core.models import AuditEvent
from onevoice.planning import services as planning
from onevoice.planning.models import Post
from onevoice.voice.checker import RuleKind
from onevoice.voice.models import FindingOverride, PostFlags, VoiceRule
from onevoice.voice.tests.conftest import later, make_rule, set_text, social_channel

pytestmark = pytest.mark.django_db


def url(personas, name: str, *args) -> str:
    return reverse(f"voice:{name}", args=[personas.organization.slug, *args])


def rule_data(**overrides) -> dict[str, str]:
    return (
        {"name": "Keine Schnäppchen", "severity": "block", "scope": "", "active": "on"}
        | {
            "p_terms": "Schnäppchen\nRamsch",
            "p_exceptions": "",
        }
        | overrides
    )


class TestRulesPage:
    def test_the_smm_sees_the_rules_by_scope_with_edit_links(self, personas, forbidden) -> None:
        make_rule(personas, name="Nur Personal", department=personas.hr)
        response = personas.client_for(personas.smm).get(url(personas, "rules"))
        html = response.content.decode()
        assert response.status_code == 200
        assert html.index("The whole organisation") < html.index("Department: Personal")
        assert url(personas, "rule", forbidden.public_id) in html
        assert url(personas, "rule-new", "address") in html

    def test_a_community_manager_reads_them_without_edit_links(self, personas, forbidden) -> None:
        response = personas.client_for(personas.cm).get(url(personas, "rules"))
        assert response.status_code == 200
        assert "Keine Schnäppchen" in response.content.decode()
        assert url(personas, "rule", forbidden.public_id) not in response.content.decode()

    def test_another_organisation_gets_404(self, personas, forbidden) -> None:
        assert personas.client_for(personas.outsider).get(url(personas, "rules")).status_code == 404

    def test_a_rule_name_is_escaped(self, personas) -> None:
        make_rule(personas, name="<script>alert(1)</script>")
        html = personas.client_for(personas.cm).get(url(personas, "rules")).content.decode()
        assert "<script>alert(1)" not in html
        assert "&lt;script&gt;" in html


class TestRuleNew:
    def test_the_smm_adds_a_forbidden_terms_rule_one_term_per_line(self, personas) -> None:
        response = personas.client_for(personas.smm).post(
            url(personas, "rule-new", "forbidden_terms"), rule_data()
        )
        assert response.status_code == 302
        rule = VoiceRule.objects.get()
        assert rule.params == {"terms": ["Schnäppchen", "Ramsch"], "exceptions": []}
        assert rule.severity == "block"

    def test_replacements_are_written_one_per_line_with_an_arrow(self, personas) -> None:
        data = {"name": "Gendern", "severity": "warn", "scope": f"department:{personas.hr.public_id}"}
        data["p_replacements"] = "Kunden => Kund*innen\nOne Voice=>OneVoice"
        response = personas.client_for(personas.smm).post(url(personas, "rule-new", "preferred_terms"), data)
        assert response.status_code == 302
        rule = VoiceRule.objects.get()
        assert rule.params == {"replacements": {"Kunden": "Kund*innen", "One Voice": "OneVoice"}}
        assert rule.department == personas.hr

    def test_a_replacement_without_an_arrow_is_refused(self, personas) -> None:
        data = {"name": "Gendern", "severity": "warn", "scope": "", "p_replacements": "Kunden Kund*innen"}
        response = personas.client_for(personas.smm).post(url(personas, "rule-new", "preferred_terms"), data)
        assert response.status_code == 400
        assert "found =&gt; preferred" in response.content.decode()
        assert not VoiceRule.objects.exists()

    def test_an_empty_term_list_is_refused_with_the_checkers_reason(self, personas) -> None:
        response = personas.client_for(personas.smm).post(
            url(personas, "rule-new", "forbidden_terms"), rule_data(p_terms="  \n ")
        )
        assert response.status_code == 400
        assert response.context["form"].non_field_errors()
        assert not VoiceRule.objects.exists()

    def test_a_scope_of_another_organisation_is_refused(self, personas) -> None:
        foreign = personas.outsider.organization.departments.get()
        response = personas.client_for(personas.smm).post(
            url(personas, "rule-new", "forbidden_terms"), rule_data(scope=f"department:{foreign.public_id}")
        )
        assert response.status_code == 400
        assert not VoiceRule.objects.exists()

    def test_an_unknown_kind_is_404(self, personas) -> None:
        assert (
            personas.client_for(personas.smm).get(url(personas, "rule-new", "horoscope")).status_code == 404
        )

    def test_a_community_manager_gets_404(self, personas) -> None:
        client = personas.client_for(personas.cm)
        assert client.get(url(personas, "rule-new", "forbidden_terms")).status_code == 404
        assert client.post(url(personas, "rule-new", "forbidden_terms"), rule_data()).status_code == 404
        assert not VoiceRule.objects.exists()

    def test_another_organisation_gets_404(self, personas) -> None:
        client = personas.client_for(personas.outsider)
        assert client.post(url(personas, "rule-new", "forbidden_terms"), rule_data()).status_code == 404

    def test_every_kind_has_a_form(self, personas) -> None:
        client = personas.client_for(personas.smm)
        for kind in RuleKind:
            assert client.get(url(personas, "rule-new", kind.value)).status_code == 200, kind


class TestRulePreview:
    @pytest.fixture
    def scheduled(self, personas, channels) -> Post:
        post = planning.post_create(
            actor=personas.cm,
            title="Sommeraktion",
            department=personas.marketing,
            channels=channels[:1],
            base_text="Das Schnäppchen des Sommers",
            publish_at=later(),
        )
        Post.objects.filter(pk=post.pk).update(status=Post.Status.SCHEDULED)
        return post

    def test_a_rule_that_would_block_scheduled_posts_asks_for_confirmation_first(
        self, personas, scheduled
    ) -> None:
        client = personas.client_for(personas.smm)
        response = client.post(url(personas, "rule-new", "forbidden_terms"), rule_data())
        assert response.status_code == 200
        assert not VoiceRule.objects.exists()
        html = response.content.decode()
        assert "This rule would block 1 post that is already under way" in html
        assert "Sommeraktion" in html
        assert 'name="confirm"' in html

        response = client.post(url(personas, "rule-new", "forbidden_terms"), rule_data(confirm="1"))
        assert response.status_code == 302
        assert VoiceRule.objects.exists()

    def test_a_warning_needs_no_confirmation(self, personas, scheduled) -> None:
        response = personas.client_for(personas.smm).post(
            url(personas, "rule-new", "forbidden_terms"), rule_data(severity="warn")
        )
        assert response.status_code == 302

    def test_editing_a_rule_previews_it_too(self, personas, scheduled) -> None:
        rule = make_rule(personas, severity="warn")
        response = personas.client_for(personas.smm).post(url(personas, "rule", rule.public_id), rule_data())
        assert response.status_code == 200
        assert "would block 1 post" in response.content.decode()
        rule.refresh_from_db()
        assert rule.severity == "warn"


class TestRuleEditAndDelete:
    def test_the_smm_changes_a_rule(self, personas, forbidden) -> None:
        client = personas.client_for(personas.smm)
        form = client.get(url(personas, "rule", forbidden.public_id))
        assert "Schnäppchen" in form.content.decode()
        response = client.post(url(personas, "rule", forbidden.public_id), rule_data(name="Kein Ramsch"))
        assert response.status_code == 302
        forbidden.refresh_from_db()
        assert forbidden.name == "Kein Ramsch"

    def test_a_rule_of_another_organisation_is_404(self, personas, forbidden) -> None:
        client = personas.client_for(personas.outsider)
        assert client.get(url(personas, "rule", forbidden.public_id)).status_code == 404
        other = reverse("voice:rule", args=[personas.outsider.organization.slug, forbidden.public_id])
        assert client.get(other).status_code == 404

    def test_a_community_manager_cannot_edit_or_delete(self, personas, forbidden) -> None:
        client = personas.client_for(personas.cm)
        assert client.get(url(personas, "rule", forbidden.public_id)).status_code == 404
        assert client.post(url(personas, "rule-delete", forbidden.public_id)).status_code == 404
        assert VoiceRule.objects.exists()

    def test_the_smm_deletes_a_rule(self, personas, forbidden) -> None:
        response = personas.client_for(personas.smm).post(url(personas, "rule-delete", forbidden.public_id))
        assert response.status_code == 302
        assert not VoiceRule.objects.exists()

    def test_delete_needs_a_post(self, personas, forbidden) -> None:
        assert (
            personas.client_for(personas.smm)
            .get(url(personas, "rule-delete", forbidden.public_id))
            .status_code
            == 405
        )


class TestLiveCheck:
    def check_url(self, personas, post) -> str:
        return url(personas, "check", post.public_id, post.variants.get().public_id)

    def test_it_lists_the_findings_of_the_text_being_typed_with_the_words_marked(
        self, personas, draft, forbidden
    ) -> None:
        response = personas.client_for(personas.cm).post(
            self.check_url(personas, draft), {"text": "<b>Ein</b> Schnäppchen!", "language": "de", "link": ""}
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "&lt;b&gt;Ein&lt;/b&gt; " in html
        assert "<b>" not in html
        assert '<mark class="bg-danger-subtle text-danger-emphasis rounded-1 px-0">Schnäppchen</mark>' in html
        assert "Keine Schnäppchen" in html
        assert "Override…" not in html  # only the SMM overrides
        draft.refresh_from_db()
        assert draft.variants.get().text == "Unser neues Produkt ist da!"  # nothing saved

    def test_the_smm_sees_the_override_form(self, personas, draft, forbidden) -> None:
        html = personas.client_for(personas.smm).post(
            self.check_url(personas, draft), {"text": "Schnäppchen"}
        )
        assert "Override…" in html.content.decode()

    def test_a_clean_text_says_so(self, personas, draft, forbidden) -> None:
        html = personas.client_for(personas.cm).post(self.check_url(personas, draft), {"text": "Gute Ware"})
        assert 'data-testid="voice-clean"' in html.content.decode()

    def test_without_rules_it_shows_nothing(self, personas, draft) -> None:
        html = personas.client_for(personas.cm).post(self.check_url(personas, draft), {"text": "Schnäppchen"})
        assert html.content.decode().strip() == ""

    def test_a_text_too_long_is_bad_input(self, personas, draft, forbidden) -> None:
        response = personas.client_for(personas.cm).post(
            self.check_url(personas, draft), {"text": "x" * 20001}
        )
        assert response.status_code == 400

    def test_someone_who_may_not_edit_the_post_gets_404(self, personas, draft, forbidden) -> None:
        assert (
            personas.client_for(personas.viewer)
            .post(self.check_url(personas, draft), {"text": "x"})
            .status_code
            == 404
        )
        assert (
            personas.client_for(personas.contributor)
            .post(self.check_url(personas, draft), {"text": "x"})
            .status_code
            == 404
        )

    def test_another_organisation_gets_404(self, personas, draft, forbidden) -> None:
        response = personas.client_for(personas.outsider).post(self.check_url(personas, draft), {"text": "x"})
        assert response.status_code == 404

    def test_it_needs_a_post(self, personas, draft, forbidden) -> None:
        assert personas.client_for(personas.cm).get(self.check_url(personas, draft)).status_code == 405


class TestOverrideView:
    def override_url(self, personas, post) -> str:
        return url(personas, "override", post.public_id, post.variants.get().public_id)

    def test_the_smm_lets_a_finding_pass_and_returns_to_the_variant(self, personas, draft, forbidden) -> None:
        set_text(draft, "Schnäppchen")
        response = personas.client_for(personas.smm).post(
            self.override_url(personas, draft), {"rule": str(forbidden.public_id), "reason": "Zitat"}
        )
        assert response.status_code == 302
        assert response["Location"].endswith(f"#variant-{draft.variants.get().public_id}")
        assert FindingOverride.objects.get().reason == "Zitat"

    def test_an_empty_reason_is_refused(self, personas, draft, forbidden) -> None:
        client = personas.client_for(personas.smm)
        response = client.post(
            self.override_url(personas, draft), {"rule": str(forbidden.public_id), "reason": ""}, follow=True
        )
        assert "Say why this finding may pass" in response.content.decode()
        assert not FindingOverride.objects.exists()

    def test_a_rule_that_is_no_uuid_is_404(self, personas, draft, forbidden) -> None:
        response = personas.client_for(personas.smm).post(
            self.override_url(personas, draft), {"rule": "x", "reason": "r"}
        )
        assert response.status_code == 404

    def test_a_community_manager_gets_404(self, personas, draft, forbidden) -> None:
        response = personas.client_for(personas.cm).post(
            self.override_url(personas, draft), {"rule": str(forbidden.public_id), "reason": "Zitat"}
        )
        assert response.status_code == 404
        assert not FindingOverride.objects.exists()

    def test_another_organisation_gets_404(self, personas, draft, forbidden) -> None:
        response = personas.client_for(personas.outsider).post(
            self.override_url(personas, draft), {"rule": str(forbidden.public_id), "reason": "Zitat"}
        )
        assert response.status_code == 404


class TestPostFlagsView:
    def test_the_author_marks_the_post_as_a_paid_partnership(self, personas, draft) -> None:
        response = personas.client_for(personas.cm).post(
            url(personas, "post-flags", draft.public_id), {"paid_partnership": "on"}
        )
        assert response.status_code == 302
        assert PostFlags.objects.get(post=draft).paid_partnership

    def test_an_odd_value_is_bad_input(self, personas, draft) -> None:
        response = personas.client_for(personas.cm).post(
            url(personas, "post-flags", draft.public_id), {"paid_partnership": "maybe"}
        )
        assert response.status_code == 400

    def test_a_viewer_gets_404(self, personas, draft) -> None:
        response = personas.client_for(personas.viewer).post(
            url(personas, "post-flags", draft.public_id), {"paid_partnership": "on"}
        )
        assert response.status_code == 404

    def test_another_organisation_gets_404(self, personas, draft) -> None:
        response = personas.client_for(personas.outsider).post(
            url(personas, "post-flags", draft.public_id), {"paid_partnership": "on"}
        )
        assert response.status_code == 404


class TestImpressumView:
    def test_a_channel_without_impressum_warns_and_the_smm_sets_it(self, personas) -> None:
        channel = social_channel(personas)
        client = personas.client_for(personas.smm)
        page = client.get(reverse("networks:channel", args=[personas.organization.slug, channel.public_id]))
        assert 'data-testid="impressum-missing"' in page.content.decode()
        response = client.post(
            url(personas, "impressum", channel.public_id),
            {"impressum_url": "https://muster.example/impressum"},
        )
        assert response.status_code == 302
        page = client.get(reverse("networks:channel", args=[personas.organization.slug, channel.public_id]))
        assert 'data-testid="impressum-set"' in page.content.decode()
        assert AuditEvent.objects.filter(verb="channel.impressum_set").exists()

    def test_a_community_manager_sees_the_warning_without_the_form(self, personas) -> None:
        channel = social_channel(personas)
        page = personas.client_for(personas.cm).get(
            reverse("networks:channel", args=[personas.organization.slug, channel.public_id])
        )
        html = page.content.decode()
        assert 'data-testid="impressum-missing"' in html
        assert url(personas, "impressum", channel.public_id) not in html

    def test_a_newsroom_needs_none(self, personas, channels) -> None:
        page = personas.client_for(personas.smm).get(
            reverse("networks:channel", args=[personas.organization.slug, channels[0].public_id])
        )
        assert "impressum-missing" not in page.content.decode()

    def test_an_address_that_is_no_web_address_is_refused(self, personas) -> None:
        channel = social_channel(personas)
        response = personas.client_for(personas.smm).post(
            url(personas, "impressum", channel.public_id), {"impressum_url": "javascript:alert(1)"}
        )
        assert response.status_code == 400
        assert "full address of the Impressum" in response.content.decode()

    def test_a_community_manager_gets_404(self, personas) -> None:
        channel = social_channel(personas)
        response = personas.client_for(personas.cm).post(
            url(personas, "impressum", channel.public_id), {"impressum_url": "https://x.example"}
        )
        assert response.status_code == 404

    def test_another_organisation_gets_404(self, personas) -> None:
        channel = social_channel(personas)
        response = personas.client_for(personas.outsider).post(
            url(personas, "impressum", channel.public_id), {"impressum_url": "https://x.example"}
        )
        assert response.status_code == 404


class TestReportView:
    def test_the_smm_sees_the_weekly_report(self, personas, draft) -> None:
        make_rule(personas, severity="warn")
        set_text(draft, "Schnäppchen")
        planning.post_submit(actor=personas.cm, post=draft)
        response = personas.client_for(personas.smm).get(url(personas, "report"))
        assert response.status_code == 200
        assert response.context["report"].by_rule[0]["name"] == "Keine Schnäppchen"
        assert "Marketing" in response.content.decode()

    def test_a_community_manager_gets_404(self, personas) -> None:
        assert personas.client_for(personas.cm).get(url(personas, "report")).status_code == 404

    def test_another_organisation_gets_404(self, personas) -> None:
        assert personas.client_for(personas.outsider).get(url(personas, "report")).status_code == 404


class TestPostPage:
    def post_url(self, personas, post) -> str:
        return reverse("planning:post", args=[personas.organization.slug, post.public_id])

    def test_a_blocking_finding_is_listed_and_submission_is_disabled(
        self, personas, draft, forbidden
    ) -> None:
        set_text(draft, "Das Schnäppchen!")
        html = personas.client_for(personas.cm).get(self.post_url(personas, draft)).content.decode()
        assert "Newsroom Marketing: Keine Schnäppchen:" in html
        assert 'disabled aria-describedby="submit-problems"' in html
        assert 'hx-trigger="keyup changed delay:400ms, change from:#lang-' in html
        assert 'data-testid="voice-finding"' in html

    def test_the_submit_action_refuses_it_with_the_list(self, personas, draft, forbidden) -> None:
        set_text(draft, "Das Schnäppchen!")
        response = personas.client_for(personas.cm).post(
            reverse("planning:post-submit", args=[personas.organization.slug, draft.public_id]), follow=True
        )
        assert "Keine Schnäppchen" in response.content.decode()
        draft.refresh_from_db()
        assert draft.status == Post.Status.DRAFT

    def test_a_sensitive_mention_shows_the_extra_approval(self, personas, draft) -> None:
        make_rule(personas, RuleKind.SENSITIVE)
        set_text(draft, "Die Logistik AG")
        planning.post_submit(actor=personas.cm, post=draft)
        html = personas.client_for(personas.smm).get(self.post_url(personas, draft)).content.decode()
        assert 'data-testid="extra-approval"' in html

    def test_without_rules_the_page_shows_no_findings(self, personas, draft) -> None:
        html = personas.client_for(personas.cm).get(self.post_url(personas, draft)).content.decode()
        assert 'data-testid="voice-finding"' not in html
        assert 'data-testid="voice-clean"' not in html
