"""Enablement rules: defaults, verified steps from real data, team figures and who may change what."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from onevoice.core import audit
from onevoice.enablement import selectors, services
from onevoice.enablement.models import (
    EnablementSettings,
    OnboardingItem,
    ProfileAssignment,
    RoleProfile,
    Skill,
    TrainingRecord,
)
from onevoice.guidelines import services as guideline_services
from onevoice.organization.access import NotAllowed
from onevoice.planning.models import Post

pytestmark = pytest.mark.django_db
V = OnboardingItem.Verification


@pytest.fixture
def org(personas):
    services.ensure_defaults(personas.organization, language="en")
    return personas.organization


def steps_of(person) -> dict[str, selectors.StepStatus]:
    return {s.item.title: s for s in selectors.onboarding_of(person).steps}


class TestDefaults:
    def test_they_are_created_once_and_not_again_after_a_deletion(self, personas, org):
        profile = RoleProfile.objects.get(organization=org, role="cm")
        services.profile_delete(actor=personas.smm, profile=profile)
        assert services.ensure_defaults(org) is False
        assert not RoleProfile.objects.filter(organization=org, role="cm").exists()
        assert EnablementSettings.objects.filter(organization=org).count() == 1

    def test_they_are_written_in_german_for_a_german_first_visitor(self, personas):
        services.ensure_defaults(personas.organization, language="de")
        titles = set(
            RoleProfile.objects.filter(organization=personas.organization).values_list("title", flat=True)
        )
        assert "Community Manager" in titles
        with translation.override("de"):
            crisis = translation.gettext("Crisis communication")
        assert Skill.objects.filter(organization=personas.organization, name=crisis).exists()
        assert EnablementSettings.objects.get(organization=personas.organization).seeded_language == "de"

    def test_every_profile_has_skills_and_steps(self, org):
        for profile in RoleProfile.objects.filter(organization=org):
            assert profile.skills.exists()
            assert profile.checklist.items.count() >= 4
            assert profile.task_lines
            assert profile.responsibility_lines
            assert profile.authority_lines

    def test_the_two_factor_step_is_there_because_this_installation_has_it(self, org):
        cm = RoleProfile.objects.get(organization=org, role="cm")
        assert cm.checklist.items.filter(verification=V.TWO_FACTOR).exists()

    def test_another_organisation_gets_its_own(self, personas, org):
        services.ensure_defaults(personas.outsider.organization, language="en")
        assert RoleProfile.objects.filter(organization=personas.outsider.organization).count() == 3


class TestVerifiedSteps:
    def test_guidelines_count_once_every_current_version_is_confirmed(self, personas, org):
        assert steps_of(personas.cm)["Read and confirm the current guidelines"].note  # nothing published yet
        first = guideline_services.guideline_create(actor=personas.smm, title="Leitlinien", body="Text")
        guideline_services.version_publish(actor=personas.smm, version=first)
        second = guideline_services.guideline_create(actor=personas.smm, title="Netiquette", body="Text")
        guideline_services.version_publish(actor=personas.smm, version=second)
        guideline_services.acknowledge(member=personas.cm, version=first)
        assert not steps_of(personas.cm)["Read and confirm the current guidelines"].done
        guideline_services.acknowledge(member=personas.cm, version=second)
        step = steps_of(personas.cm)["Read and confirm the current guidelines"]
        assert step.done
        assert step.done_on == timezone.localdate()

    def test_a_draft_counts_as_practice(self, personas, org):
        assert not steps_of(personas.cm)["Practise with a draft"].done
        Post.objects.create(organization=org, department=personas.marketing, owner=personas.cm, title="Übung")
        assert steps_of(personas.cm)["Practise with a draft"].done
        # someone else's post does not count for the contributor
        assert not steps_of(personas.contributor)["Practise with a draft"].done

    def test_a_submission_in_the_audit_log_counts_for_the_approval_flow(self, personas, org):
        post = Post.objects.create(
            organization=org, department=personas.marketing, owner=personas.cm, title="Ü"
        )
        audit.record(actor=personas.cm.user, organization=org, verb="post.submitted", obj=post)
        assert steps_of(personas.cm)["Learn the approval flow"].done

    def test_a_request_counts_for_the_contributor(self, personas, org):
        from onevoice.planning.models import ContentRequest

        assert not steps_of(personas.contributor)["File a first content request"].done
        ContentRequest.objects.create(
            organization=org, department=personas.hr, requester=personas.contributor, title="Azubi-Tag"
        )
        assert steps_of(personas.contributor)["File a first content request"].done

    def test_the_whole_team_costs_a_fixed_number_of_queries(self, personas, org):
        selectors.team_progress(org)
        with CaptureQueriesContext(connection) as few:
            selectors.team_progress(org)
        for i in range(6):
            from conftest import _join

            _join(org, f"neu{i}@muster.example", f"Neu {i}", "cm", personas.marketing)
        with CaptureQueriesContext(connection) as many:
            selectors.team_progress(org)
        assert len(many) == len(few)


class TestTicks:
    def test_a_person_ticks_and_reopens_a_manual_step(self, personas, org):
        item = (
            RoleProfile.objects.get(organization=org, role="cm")
            .checklist.items.filter(verification=V.MANUAL)
            .order_by("position")[0]
        )
        services.step_tick(actor=personas.cm, item=item, person=personas.cm, done_on=date(2026, 1, 5))
        assert steps_of(personas.cm)[item.title].done_on == date(2026, 1, 5)
        services.step_untick(actor=personas.cm, item=item, person=personas.cm)
        assert not steps_of(personas.cm)[item.title].done

    def test_a_cm_cannot_tick_for_a_colleague(self, personas, org):
        item = (
            RoleProfile.objects.get(organization=org, role="cm")
            .checklist.items.filter(verification=V.MANUAL)
            .order_by("position")[0]
        )
        with pytest.raises(NotAllowed):
            services.step_tick(actor=personas.cm, item=item, person=personas.contributor)

    def test_a_step_of_another_organisation_is_refused(self, personas, org):
        services.ensure_defaults(personas.outsider.organization, language="en")
        foreign = OnboardingItem.objects.filter(
            checklist__organization=personas.outsider.organization, verification=V.MANUAL
        )[0]
        with pytest.raises(NotAllowed):
            services.step_tick(actor=personas.smm, item=foreign, person=personas.cm)


class TestTeamFigures:
    def test_progress_is_counted_per_department_without_names_in_the_figures(self, personas, org):
        rows, total = selectors.team_progress(org)
        by_name = {r.name: r for r in rows}
        assert by_name["Marketing"].with_checklist == 2  # SMM and CM
        assert by_name["Personal"].with_checklist == 1  # the contributor
        assert by_name["Marketing"].completed == 0
        assert by_name["Marketing"].open_steps[0][1] == 2
        # admin, reviewer and viewer have no default profile, so no checklist
        assert total.with_checklist == 3

    def test_an_attached_profile_replaces_the_role_default(self, personas, org):
        smm_profile = RoleProfile.objects.get(organization=org, role="smm")
        services.profile_attach(actor=personas.smm, profile=smm_profile, membership=personas.reviewer)
        onboarding = selectors.onboarding_of(personas.reviewer)
        assert [c.profile for c in onboarding.checklists] == [smm_profile]
        assert onboarding.checklists[0].attached

    def test_coverage_marks_needed_skills_nobody_was_trained_in(self, personas, org):
        community = Skill.objects.get(organization=org, name="Community management")
        law = Skill.objects.get(organization=org, name="Law and data protection")
        services.training_create(
            actor=personas.smm,
            attendees=[personas.cm],
            title="Moderation",
            kind=TrainingRecord.Kind.TRAINING,
            delivery=TrainingRecord.Delivery.EXTERNAL,
            starts_on=timezone.localdate(),
            hours=8,
            skills=[community],
        )
        result = selectors.skills_coverage(org, None, None)
        marketing = next(r for r in result.rows if r.name == "Marketing")
        cells = dict(zip([s.pk for s in result.skills], marketing.cells, strict=True))
        assert cells[community.pk].covered == 1
        assert cells[community.pk].people == 2
        assert cells[law.pk].gap
        assert result.trainings == 1
        assert result.hours == 8


class TestRights:
    def test_only_strategy_managers_edit_profiles(self, personas, org):
        profile = RoleProfile.objects.get(organization=org, role="cm")
        with pytest.raises(NotAllowed):
            services.profile_update(actor=personas.cm, profile=profile, title="Gekapert")
        with pytest.raises(NotAllowed):
            services.skill_create(actor=personas.cm, name="X")

    def test_only_people_managers_attach_profiles(self, personas, org):
        profile = RoleProfile.objects.get(organization=org, role="cm")
        with pytest.raises(NotAllowed):
            services.profile_attach(actor=personas.cm, profile=profile, membership=personas.contributor)
        assert not ProfileAssignment.objects.exists()

    def test_a_foreign_person_cannot_be_attached(self, personas, org):
        profile = RoleProfile.objects.get(organization=org, role="cm")
        with pytest.raises(NotAllowed):
            services.profile_attach(actor=personas.smm, profile=profile, membership=personas.outsider)

    def test_a_training_needs_an_attendee_and_a_plausible_period(self, personas, org):
        with pytest.raises(ValidationError) as error:
            services.training_create(
                actor=personas.smm,
                attendees=[],
                title="",
                kind="training",
                delivery="internal",
                starts_on=date(2026, 5, 2),
                ends_on=date(2026, 5, 1),
            )
        assert {"title", "attendees", "ends_on"} <= set(error.value.error_dict)

    def test_a_member_cannot_record_trainings_of_others(self, personas, org):
        with pytest.raises(NotAllowed):
            services.training_create(
                actor=personas.cm,
                attendees=[personas.contributor],
                title="T",
                kind="training",
                delivery="internal",
                starts_on=date(2026, 5, 2),
            )

    def test_a_self_recorded_training_that_the_smm_extended_is_no_longer_the_members_to_edit(
        self, personas, org
    ):
        record = services.training_create(
            actor=personas.cm,
            attendees=[personas.cm],
            title="T",
            kind="training",
            delivery="internal",
            starts_on=date(2026, 5, 2),
        )
        services.training_update(
            actor=personas.smm,
            record=record,
            attendees=[personas.cm, personas.contributor],
            title="T",
            kind="training",
            delivery="internal",
            starts_on=date(2026, 5, 2),
        )
        assert not selectors.may_edit_training(personas.cm, record)
        with pytest.raises(NotAllowed):
            services.training_delete(actor=personas.cm, record=record)
