"""Self-assessment pages: the guided flow, drafts, bad input, roles, other organisations, PDF and audit."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from onevoice.assessment import services
from onevoice.assessment.models import Assessment
from onevoice.assessment.questionnaire import DIMENSIONS, STEPS
from onevoice.assessment.tests.test_scoring import best_answers
from onevoice.core.models import AuditEvent
from onevoice.organization.models import Organization

pytestmark = pytest.mark.django_db

FACTS = {
    "employees": "2000",
    "departments_active": "5",
    "central_team": "no",
    "weekly_hours": "120",
    "channels": "8",
}


def url(personas, name: str, *args) -> str:
    return reverse(f"assessment:{name}", args=[personas.organization.slug, *args])


def step_url(personas, assessment: Assessment, step: int) -> str:
    return url(personas, "step", assessment.public_id, step)


def dimension_post(index: int, answers: dict[str, str], action: str = "next") -> dict[str, str]:
    return {**{q.key: answers[q.key] for q in DIMENSIONS[index].questions}, "action": action}


def completed(personas, answers: dict | None = None, *, days_ago: int = 0) -> Assessment:
    assessment, _ = services.assessment_start(actor=personas.smm)
    values = {**FACTS, "central_team": False, **best_answers(), **(answers or {})}
    services.assessment_save_answers(actor=personas.smm, assessment=assessment, answers=values, step=0)
    done = services.assessment_complete(actor=personas.smm, assessment=assessment)
    if days_ago:
        Assessment.objects.filter(pk=done.pk).update(completed_at=timezone.now() - timedelta(days=days_ago))
        done.refresh_from_db()
    return done


class TestGuidedFlow:
    def test_the_smm_answers_every_step_and_sees_the_result(self, personas):
        client = personas.client_for(personas.smm)
        response = client.post(url(personas, "start"))
        assessment = Assessment.objects.get(organization=personas.organization)
        assert response.status_code == 302
        assert response["Location"] == step_url(personas, assessment, 0)
        page = client.get(step_url(personas, assessment, 0)).content.decode()
        assert "Step 1 of 8" in page
        assert "Pre-filled from OneVoice:" in page
        response = client.post(step_url(personas, assessment, 0), {**FACTS, "action": "next"})
        assert response["Location"] == step_url(personas, assessment, 1)
        answers = best_answers()
        answers["processes_inbox"] = "whoever"
        for index in range(len(DIMENSIONS)):
            last = index == len(DIMENSIONS) - 1
            response = client.post(
                step_url(personas, assessment, index + 1),
                dimension_post(index, answers, "finish" if last else "next"),
            )
            assert response.status_code == 302, response.content.decode()[:2000]
        assessment.refresh_from_db()
        assert assessment.status == Assessment.Status.COMPLETED
        assert response["Location"] == url(personas, "detail", assessment.public_id)
        assert assessment.result["model"] == "decentral"
        page = client.get(response["Location"]).content.decode()
        assert "Decentral" in page
        assert "5 departments are active on social media" in page
        assert reverse("inbox:settings", args=[personas.organization.slug]) in page  # the top recommendation
        assert 'data-testid="dimension-table"' in page
        assert "assessment-chart-data" in page
        assert AuditEvent.objects.filter(
            verb="assessment.started", object_id=str(assessment.public_id)
        ).exists()
        assert AuditEvent.objects.filter(
            verb="assessment.completed", object_id=str(assessment.public_id)
        ).exists()

    def test_a_draft_is_saved_and_resumed_at_its_step(self, personas):
        client = personas.client_for(personas.smm)
        client.post(url(personas, "start"))
        assessment = Assessment.objects.get(organization=personas.organization)
        client.post(step_url(personas, assessment, 0), {**FACTS, "action": "next"})
        response = client.post(
            step_url(personas, assessment, 1), {"strategy_goals": "written", "action": "save"}
        )  # partly answered: fine for a draft
        assert response["Location"] == url(personas, "index")
        assessment.refresh_from_db()
        assert assessment.answers["strategy_goals"] == "written"
        assert assessment.answers["employees"] == 2000
        assert assessment.answers["central_team"] is False
        assert assessment.step == 1
        index = client.get(url(personas, "index")).content.decode()
        assert 'data-testid="resume"' in index
        # Starting again resumes the draft instead of making a second one.
        response = client.post(url(personas, "start"))
        assert response["Location"] == step_url(personas, assessment, 1)
        assert Assessment.objects.filter(organization=personas.organization).count() == 1
        page = client.get(step_url(personas, assessment, 1)).content.decode()
        assert re.search(r'value="written"[^>]*checked', page)

    def test_next_needs_every_answer_and_keeps_what_was_chosen(self, personas):
        client = personas.client_for(personas.smm)
        client.post(url(personas, "start"))
        assessment = Assessment.objects.get(organization=personas.organization)
        response = client.post(
            step_url(personas, assessment, 1), {"strategy_goals": "written", "action": "next"}
        )
        assert response.status_code == 400
        page = response.content.decode()
        assert "Please choose an answer." in page
        assert re.search(r'value="written"[^>]*checked', page)

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("employees", "viele", "Enter a whole number."),
            ("employees", "0", "Ensure this value is greater than or equal to 1."),
            ("weekly_hours", "zwölf", "Enter the hours as a number"),
            ("weekly_hours", "-4", "Ensure this value is greater than or equal to 0."),
            ("departments_active", "100000", "Ensure this value is less than or equal to 500."),
        ],
    )
    def test_bad_facts_get_a_clear_message_and_keep_what_was_typed(self, personas, field, value, message):
        client = personas.client_for(personas.smm)
        client.post(url(personas, "start"))
        assessment = Assessment.objects.get(organization=personas.organization)
        response = client.post(step_url(personas, assessment, 0), {**FACTS, field: value, "action": "next"})
        assert response.status_code == 400
        page = response.content.decode()
        assert message in page
        assert f'value="{value}"' in page
        assessment.refresh_from_db()
        assert field not in assessment.answers or str(assessment.answers[field]) != value

    def test_an_unknown_option_is_refused(self, personas):
        client = personas.client_for(personas.smm)
        client.post(url(personas, "start"))
        assessment = Assessment.objects.get(organization=personas.organization)
        response = client.post(
            step_url(personas, assessment, 1),
            {"strategy_goals": "<script>x</script>", "strategy_guidelines": "none", "strategy_voice": "none"},
        )
        assert response.status_code == 400
        assert "<script>x</script>" not in response.content.decode()

    def test_finishing_with_open_steps_goes_to_the_first_open_one(self, personas):
        client = personas.client_for(personas.smm)
        client.post(url(personas, "start"))
        assessment = Assessment.objects.get(organization=personas.organization)
        last = len(STEPS) - 1
        response = client.post(
            step_url(personas, assessment, last), dimension_post(last - 1, best_answers(), "finish")
        )
        assert response["Location"] == step_url(personas, assessment, 0)
        assessment.refresh_from_db()
        assert assessment.is_draft

    def test_a_step_outside_the_questionnaire_is_not_found(self, personas):
        assessment, _ = services.assessment_start(actor=personas.smm)
        assert personas.client_for(personas.smm).get(step_url(personas, assessment, 99)).status_code == 404

    def test_a_completed_assessment_cannot_be_changed(self, personas):
        done = completed(personas)
        client = personas.client_for(personas.smm)
        response = client.post(step_url(personas, done, 1), dimension_post(0, best_answers()))
        assert response["Location"] == url(personas, "detail", done.public_id)
        with pytest.raises(services.InvalidState):
            services.assessment_save_answers(actor=personas.smm, assessment=done, answers={}, step=1)


class TestResultAndHistory:
    def test_the_result_compares_with_the_previous_assessment(self, personas):
        completed(
            personas,
            {"strategy_goals": "none", "strategy_guidelines": "none", "strategy_voice": "none"},
            days_ago=90,
        )
        latest = completed(
            personas, {"strategy_goals": "written", "strategy_guidelines": "none", "strategy_voice": "none"}
        )
        page = (
            personas.client_for(personas.viewer)
            .get(url(personas, "detail", latest.public_id))
            .content.decode()
        )
        assert "+17" in page  # strategy: 0 → 17 %
        assert "Change" in page

    def test_the_history_shows_progress_over_time(self, personas):
        completed(personas, {"strategy_goals": "none"}, days_ago=200)
        completed(personas, {"strategy_goals": "informal"}, days_ago=100)
        completed(personas)
        page = personas.client_for(personas.viewer).get(url(personas, "history")).content.decode()
        assert 'data-testid="history-table"' in page
        assert "assessment-history-data" in page
        assert page.count(f"/o/{personas.organization.slug}/assessment/") >= 3

    def test_the_index_before_any_assessment_explains_and_offers_the_start(self, personas):
        page = personas.client_for(personas.admin).get(url(personas, "index")).content.decode()
        assert 'data-testid="start"' in page
        assert "Legal basics" in page
        viewer = personas.client_for(personas.viewer).get(url(personas, "index")).content.decode()
        assert 'data-testid="start"' not in viewer
        assert "No self-assessment has been completed yet." in viewer

    def test_the_organisation_overview_links_to_it_for_those_who_read_reports(self, personas):
        overview = reverse("organization:overview", args=[personas.organization.slug])
        assert (
            'data-testid="overview-assessment"'
            in personas.client_for(personas.viewer).get(overview).content.decode()
        )
        page = personas.client_for(personas.contributor).get(overview).content.decode()
        assert 'data-testid="overview-assessment"' not in page

    def test_the_nav_links_to_the_self_assessment(self, personas):
        page = personas.client_for(personas.viewer).get(url(personas, "index")).content.decode()
        assert f'href="{url(personas, "index")}"' in page


class TestPdf:
    @pytest.mark.parametrize(
        ("language", "expected"),
        [
            (
                "en",
                ["Social media self-assessment", "Muster GmbH", "Organisation model that fits", "Decentral"],
            ),
            ("de", ["Muster GmbH", "Dezentral"]),
        ],
    )
    def test_the_pdf_holds_the_result_in_the_language_asked_for(self, personas, language, expected):
        from pypdf import PdfReader

        done = completed(personas, {"processes_inbox": "none"})
        response = personas.client_for(personas.viewer).get(
            url(personas, "pdf", done.public_id) + f"?lang={language}"
        )
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert f"-{language}.pdf" in response["Content-Disposition"]
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
        text = " ".join(text.split())
        for snippet in expected:
            assert snippet in text, snippet

    def test_a_draft_has_no_pdf(self, personas):
        draft, _ = services.assessment_start(actor=personas.smm)
        assert personas.client_for(personas.smm).get(url(personas, "pdf", draft.public_id)).status_code == 404


class TestPermissions:
    @pytest.mark.parametrize("who", ["cm", "contributor", "reviewer", "viewer"])
    def test_only_admin_and_smm_take_an_assessment(self, personas, who):
        client = personas.client_for(getattr(personas, who))
        assert client.post(url(personas, "start")).status_code == 404
        draft, _ = services.assessment_start(actor=personas.smm)
        assert client.get(step_url(personas, draft, 0)).status_code == 404
        assert client.post(step_url(personas, draft, 0), {**FACTS, "action": "next"}).status_code == 404
        assert client.post(url(personas, "delete", draft.public_id)).status_code == 404
        assert Assessment.objects.filter(pk=draft.pk).exists()

    @pytest.mark.parametrize("who", ["contributor", "reviewer"])
    def test_roles_without_reports_do_not_see_results(self, personas, who):
        done = completed(personas)
        client = personas.client_for(getattr(personas, who))
        for name, args in (
            ("index", []),
            ("history", []),
            ("detail", [done.public_id]),
            ("pdf", [done.public_id]),
        ):
            assert client.get(url(personas, name, *args)).status_code == 404, name

    @pytest.mark.parametrize("who", ["viewer", "cm"])
    def test_management_and_cms_read_results(self, personas, who):
        done = completed(personas)
        client = personas.client_for(getattr(personas, who))
        page = client.get(url(personas, "detail", done.public_id)).content.decode()
        assert "Self-assessment result" in page
        assert "Delete this assessment" not in page
        assert 'data-testid="apply-model"' not in page

    def test_a_viewer_does_not_see_a_draft(self, personas):
        draft, _ = services.assessment_start(actor=personas.smm)
        assert (
            personas.client_for(personas.viewer).get(url(personas, "detail", draft.public_id)).status_code
            == 404
        )

    def test_another_organisation_gets_404_for_every_page(self, personas):
        done = completed(personas)
        client = personas.client_for(personas.outsider)
        other = personas.outsider.organization.slug
        for name in ("detail", "pdf"):
            assert client.get(reverse(f"assessment:{name}", args=[other, done.public_id])).status_code == 404
        for name in ("delete", "apply-model"):
            assert client.post(reverse(f"assessment:{name}", args=[other, done.public_id])).status_code == 404
        assert client.get(reverse("assessment:step", args=[other, done.public_id, 0])).status_code == 404
        # And the outsider's own org's address with this org's slug: not a member.
        assert client.get(url(personas, "index")).status_code == 404
        assert Assessment.objects.filter(pk=done.pk).exists()

    def test_anonymous_people_are_sent_to_log_in(self, personas, client):
        response = client.get(url(personas, "index"))
        assert response.status_code == 302
        assert "login" in response["Location"]


class TestApplyModelAndDelete:
    def test_the_admin_applies_the_recommended_model(self, personas):
        personas.organization.model = Organization.Model.SOLO
        personas.organization.save(update_fields=["model"])
        done = completed(personas)
        client = personas.client_for(personas.admin)
        assert (
            'data-testid="apply-model"'
            in client.get(url(personas, "detail", done.public_id)).content.decode()
        )
        response = client.post(url(personas, "apply-model", done.public_id))
        assert response.status_code == 302
        personas.organization.refresh_from_db()
        assert personas.organization.model == "decentral"
        event = AuditEvent.objects.get(verb="assessment.model_applied")
        assert (event.before, event.after) == ({"model": "solo"}, {"model": "decentral"})
        assert AuditEvent.objects.filter(verb="organization.updated").exists()

    def test_the_smm_may_not_change_organisation_settings(self, personas):
        done = completed(personas)
        personas.organization.model = Organization.Model.SOLO
        personas.organization.save(update_fields=["model"])
        client = personas.client_for(personas.smm)
        assert (
            'data-testid="apply-model"'
            not in client.get(url(personas, "detail", done.public_id)).content.decode()
        )
        assert client.post(url(personas, "apply-model", done.public_id)).status_code == 404
        personas.organization.refresh_from_db()
        assert personas.organization.model == "solo"

    def test_a_draft_cannot_be_applied(self, personas):
        draft, _ = services.assessment_start(actor=personas.admin)
        with pytest.raises(services.InvalidState):
            services.assessment_apply_model(actor=personas.admin, assessment=draft)

    def test_deleting_is_audited_and_leaves_the_history(self, personas):
        done = completed(personas)
        response = personas.client_for(personas.smm).post(url(personas, "delete", done.public_id))
        assert response["Location"] == url(personas, "history")
        assert not Assessment.objects.filter(pk=done.pk).exists()
        event = AuditEvent.objects.get(verb="assessment.deleted")
        assert event.before["result"]["model"] == "decentral"

    def test_a_new_assessment_starts_from_the_previous_answers(self, personas):
        completed(personas, {"resources_budget": "annual"})
        draft, created = services.assessment_start(actor=personas.smm)
        assert created
        assert draft.answers["resources_budget"] == "annual"
        assert draft.answers["employees"] == "2000"
