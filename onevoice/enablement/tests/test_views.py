"""Enablement pages: every role, another organisation, bad input that keeps what was typed, escaping."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from onevoice.core.models import AuditEvent
from onevoice.enablement import services
from onevoice.enablement.models import (
    OnboardingItem,
    OnboardingProgress,
    ProfileAssignment,
    RoleProfile,
    Skill,
    TrainingRecord,
)

pytestmark = pytest.mark.django_db


def url(personas, name: str, *args) -> str:
    return reverse(f"enablement:{name}", args=[personas.organization.slug, *args])


def seeded(personas):
    services.ensure_defaults(personas.organization, language="en")
    return personas.organization


def profile_of(personas, role: str) -> RoleProfile:
    return RoleProfile.objects.get(organization=seeded(personas), role=role)


def manual_step(personas, role: str = "cm") -> OnboardingItem:
    return profile_of(personas, role).checklist.items.filter(verification="manual")[0]


class TestMyOnboarding:
    @pytest.mark.parametrize("who", ["admin", "smm", "cm", "contributor", "reviewer", "viewer"])
    def test_every_member_opens_their_onboarding(self, personas, who):
        response = personas.client_for(getattr(personas, who)).get(url(personas, "me"))
        assert response.status_code == 200

    def test_the_first_visit_creates_the_default_profiles(self, personas):
        personas.client_for(personas.cm).get(url(personas, "me"))
        titles = set(
            RoleProfile.objects.filter(organization=personas.organization).values_list("title", flat=True)
        )
        assert {"Social Media Manager", "Community Manager", "Contributor (department)"} <= titles
        assert AuditEvent.objects.filter(verb="enablement.defaults_created").count() == 1

    def test_a_cm_sees_the_cm_checklist_and_ticks_a_step(self, personas):
        step = manual_step(personas)
        client = personas.client_for(personas.cm)
        html = client.get(url(personas, "me")).content.decode()
        assert "Onboarding: Community Manager" in html
        assert "Shadow two inbox shifts" in html
        day = timezone.localdate() - timedelta(days=2)
        response = client.post(url(personas, "tick", step.public_id), {"done_on": day.isoformat()})
        assert response.status_code == 302
        progress = OnboardingProgress.objects.get(item=step, membership=personas.cm)
        assert progress.done_on == day
        assert AuditEvent.objects.filter(verb="onboarding.step_done").exists()

    def test_a_day_in_the_future_is_refused(self, personas):
        step = manual_step(personas)
        client = personas.client_for(personas.cm)
        day = timezone.localdate() + timedelta(days=3)
        response = client.post(
            url(personas, "tick", step.public_id), {"done_on": day.isoformat()}, follow=True
        )
        assert "cannot be in the future" in response.content.decode()
        assert not OnboardingProgress.objects.exists()

    def test_a_verified_step_cannot_be_ticked_by_hand(self, personas):
        step = profile_of(personas, "cm").checklist.items.get(verification="draft")
        client = personas.client_for(personas.cm)
        response = client.post(
            url(personas, "tick", step.public_id), {"done_on": timezone.localdate().isoformat()}, follow=True
        )
        assert "ticks itself" in response.content.decode()
        assert not OnboardingProgress.objects.exists()

    def test_nobody_ticks_for_someone_else_without_managing_people(self, personas):
        step = manual_step(personas)
        client = personas.client_for(personas.contributor)
        response = client.post(
            url(personas, "tick", step.public_id),
            {"done_on": timezone.localdate().isoformat(), "person": str(personas.cm.public_id)},
        )
        assert response.status_code == 404
        assert not OnboardingProgress.objects.exists()

    def test_a_step_of_another_organisation_is_not_found(self, personas):
        step = manual_step(personas)
        client = personas.client_for(personas.outsider)
        response = client.post(
            reverse("enablement:tick", args=[personas.outsider.organization.slug, step.public_id]),
            {"done_on": timezone.localdate().isoformat()},
        )
        assert response.status_code == 404

    def test_another_organisation_cannot_open_this_one(self, personas):
        assert personas.client_for(personas.outsider).get(url(personas, "me")).status_code == 404


class TestProfiles:
    @pytest.mark.parametrize("who", ["smm", "cm", "contributor", "viewer"])
    def test_everyone_reads_the_profiles(self, personas, who):
        profile = profile_of(personas, "smm")
        client = personas.client_for(getattr(personas, who))
        assert client.get(url(personas, "profiles")).status_code == 200
        html = client.get(url(personas, "profile", profile.public_id)).content.decode()
        assert "Develop the social media strategy" in html

    @pytest.mark.parametrize("who", ["cm", "contributor", "reviewer", "viewer"])
    def test_only_those_who_manage_strategy_edit(self, personas, who):
        profile = profile_of(personas, "cm")
        client = personas.client_for(getattr(personas, who))
        assert client.get(url(personas, "profile-new")).status_code == 404
        assert client.get(url(personas, "profile-edit", profile.public_id)).status_code == 404
        assert client.post(url(personas, "profile-delete", profile.public_id)).status_code == 404
        assert client.get(url(personas, "checklist", profile.public_id)).status_code == 404
        assert RoleProfile.objects.filter(pk=profile.pk).exists()

    def test_a_profile_of_another_organisation_is_not_found(self, personas):
        profile = profile_of(personas, "cm")
        other = personas.client_for(personas.outsider)
        slug = personas.outsider.organization.slug
        assert other.get(reverse("enablement:profile", args=[slug, profile.public_id])).status_code == 404
        assert (
            other.get(reverse("enablement:profile-edit", args=[slug, profile.public_id])).status_code == 404
        )
        assert (
            other.post(reverse("enablement:profile-delete", args=[slug, profile.public_id])).status_code
            == 404
        )

    def test_the_smm_creates_a_profile_and_text_is_escaped(self, personas):
        seeded(personas)
        skill = Skill.objects.filter(organization=personas.organization).first()
        client = personas.client_for(personas.smm)
        response = client.post(
            url(personas, "profile-new"),
            {
                "title": "Azubi-Botschafter <script>alert(1)</script>",
                "summary": "Zeigt den Alltag",
                "tasks": "Stories drehen\nFragen beantworten",
                "skills": [skill.pk],
            },
        )
        assert response.status_code == 302
        profile = RoleProfile.objects.get(title__startswith="Azubi")
        assert list(profile.skills.all()) == [skill]
        assert profile.checklist is not None
        html = client.get(url(personas, "profile", profile.public_id)).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;" in html
        assert "<li>Fragen beantworten</li>" in html
        assert AuditEvent.objects.filter(verb="role_profile.created").exists()

    def test_a_duplicate_title_keeps_what_was_typed(self, personas):
        seeded(personas)
        client = personas.client_for(personas.smm)
        response = client.post(
            url(personas, "profile-new"), {"title": "community manager", "tasks": "Meine Aufgabe 42"}
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert "There is a profile with this title already." in html
        assert "Meine Aufgabe 42" in html

    def test_a_second_default_for_a_role_is_refused(self, personas):
        seeded(personas)
        response = personas.client_for(personas.smm).post(
            url(personas, "profile-new"), {"title": "Noch ein CM", "role": "cm"}
        )
        assert response.status_code == 400
        assert "default for this role already" in response.content.decode()

    def test_the_smm_edits_the_checklist(self, personas):
        profile = profile_of(personas, "cm")
        client = personas.client_for(personas.smm)
        response = client.post(
            url(personas, "checklist", profile.public_id),
            {
                "action": "add",
                "title": "Netiquette lesen",
                "verification": "manual",
                "destination": "guidelines",
                "required": "",
            },
        )
        assert response.status_code == 302
        item = profile.checklist.items.get(title="Netiquette lesen")
        assert not item.required
        assert list(profile.checklist.items.all())[-1] == item
        client.post(url(personas, "step-move", item.public_id), {"direction": "up"})
        titles = list(profile.checklist.items.values_list("title", flat=True))
        assert titles[-2] == "Netiquette lesen"
        response = client.post(
            url(personas, "step-edit", item.public_id),
            {"title": "Netiquette lesen und bestätigen", "verification": "manual", "required": "on"},
        )
        assert response.status_code == 302
        item.refresh_from_db()
        assert item.required
        assert item.title == "Netiquette lesen und bestätigen"
        client.post(url(personas, "step-delete", item.public_id))
        assert not OnboardingItem.objects.filter(pk=item.pk).exists()
        verbs = set(AuditEvent.objects.values_list("verb", flat=True))
        assert {
            "onboarding.step_added",
            "onboarding.steps_reordered",
            "onboarding.step_changed",
            "onboarding.step_removed",
        } <= verbs

    def test_a_step_without_title_keeps_the_explanation(self, personas):
        profile = profile_of(personas, "cm")
        response = personas.client_for(personas.smm).post(
            url(personas, "checklist", profile.public_id),
            {"action": "add", "title": "", "description": "Erklärung 77", "verification": "manual"},
        )
        assert response.status_code == 400
        assert "Erklärung 77" in response.content.decode()

    def test_a_step_of_another_organisation_cannot_be_changed(self, personas):
        item = manual_step(personas)
        other = personas.client_for(personas.outsider)
        slug = personas.outsider.organization.slug
        assert other.post(reverse("enablement:step-delete", args=[slug, item.public_id])).status_code == 404
        assert other.get(reverse("enablement:step-edit", args=[slug, item.public_id])).status_code == 404
        assert OnboardingItem.objects.filter(pk=item.pk).exists()


class TestPersonPage:
    def test_the_smm_attaches_a_profile_and_the_look_is_audited(self, personas):
        profile = profile_of(personas, "smm")
        client = personas.client_for(personas.smm)
        response = client.get(url(personas, "person", personas.cm.public_id))
        assert response.status_code == 200
        assert AuditEvent.objects.filter(
            verb="onboarding.person_viewed", object_id=str(personas.cm.public_id)
        ).exists()
        client.post(
            url(personas, "person-profiles", personas.cm.public_id),
            {"action": "attach", "profile": str(profile.public_id)},
        )
        assert ProfileAssignment.objects.filter(profile=profile, membership=personas.cm).exists()
        html = personas.client_for(personas.cm).get(url(personas, "me")).content.decode()
        assert "Onboarding: Social Media Manager" in html
        assert "Onboarding: Community Manager" not in html
        client.post(
            url(personas, "person-profiles", personas.cm.public_id),
            {"action": "detach", "profile": str(profile.public_id)},
        )
        assert not ProfileAssignment.objects.exists()
        assert {"role_profile.attached", "role_profile.detached"} <= set(
            AuditEvent.objects.values_list("verb", flat=True)
        )

    def test_the_smm_ticks_a_step_to_help(self, personas):
        step = manual_step(personas)
        response = personas.client_for(personas.smm).post(
            url(personas, "tick", step.public_id),
            {"done_on": timezone.localdate().isoformat(), "person": str(personas.cm.public_id)},
        )
        assert response.status_code == 302
        assert OnboardingProgress.objects.get(item=step).membership == personas.cm

    @pytest.mark.parametrize("who", ["cm", "contributor", "reviewer", "viewer"])
    def test_others_do_not_see_a_persons_onboarding(self, personas, who):
        seeded(personas)
        client = personas.client_for(getattr(personas, who))
        assert client.get(url(personas, "person", personas.smm.public_id)).status_code == 404
        assert (
            client.post(
                url(personas, "person-profiles", personas.smm.public_id), {"profile": "x"}
            ).status_code
            == 404
        )

    def test_a_person_of_another_organisation_is_not_found(self, personas):
        seeded(personas)
        assert (
            personas.client_for(personas.smm)
            .get(url(personas, "person", personas.outsider.public_id))
            .status_code
            == 404
        )

    def test_the_own_page_is_my_onboarding(self, personas):
        response = personas.client_for(personas.cm).get(url(personas, "person", personas.cm.public_id))
        assert response.status_code == 302
        assert not AuditEvent.objects.filter(verb="onboarding.person_viewed").exists()


class TestTrainings:
    def data(self, **extra):
        return {
            "title": "Krisenkommunikation kompakt",
            "topic": "Shitstorm",
            "kind": "training",
            "delivery": "external",
            "provider": "Akademie",
            "starts_on": "2026-03-02",
            "hours": "7",
            **extra,
        }

    def test_a_member_records_their_own_training(self, personas):
        seeded(personas)
        skill = Skill.objects.filter(organization=personas.organization).first()
        client = personas.client_for(personas.contributor)
        response = client.post(url(personas, "trainings"), self.data(skills=[skill.pk]))
        assert response.status_code == 302
        record = TrainingRecord.objects.get()
        assert list(record.attendees.all()) == [personas.contributor]
        assert record.created_by == personas.contributor
        assert "Krisenkommunikation kompakt" in client.get(url(personas, "me")).content.decode()
        assert AuditEvent.objects.filter(verb="training.recorded").exists()

    def test_a_member_cannot_record_for_someone_else(self, personas):
        seeded(personas)
        response = personas.client_for(personas.cm).post(
            url(personas, "trainings"), self.data(attendees=[personas.smm.pk])
        )
        # the attendees field is not offered; the training is the CM's own
        assert response.status_code == 302
        assert list(TrainingRecord.objects.get().attendees.all()) == [personas.cm]

    def test_the_smm_records_for_several_people(self, personas):
        seeded(personas)
        response = personas.client_for(personas.smm).post(
            url(personas, "trainings"), self.data(attendees=[personas.cm.pk, personas.contributor.pk])
        )
        assert response.status_code == 302
        assert set(TrainingRecord.objects.get().attendees.all()) == {personas.cm, personas.contributor}

    def test_bad_dates_keep_what_was_typed(self, personas):
        seeded(personas)
        response = personas.client_for(personas.cm).post(
            url(personas, "trainings"), self.data(ends_on="2026-03-01", hours="-2")
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert "The last day cannot be before the first." in html
        assert "Hours cannot be negative." in html
        assert "Krisenkommunikation kompakt" in html
        assert not TrainingRecord.objects.exists()

    def test_others_records_are_neither_seen_nor_changed(self, personas):
        seeded(personas)
        record = services.training_create(
            actor=personas.smm,
            attendees=[personas.smm],
            title="Führungstraining Geheim",
            kind="coaching",
            delivery="external",
            starts_on=timezone.localdate(),
        )
        client = personas.client_for(personas.cm)
        assert "Führungstraining Geheim" not in client.get(url(personas, "trainings")).content.decode()
        assert client.get(url(personas, "training-edit", record.public_id)).status_code == 404
        assert client.post(url(personas, "training-delete", record.public_id)).status_code == 404
        assert TrainingRecord.objects.filter(pk=record.pk).exists()

    def test_a_training_of_another_organisation_is_not_found(self, personas):
        seeded(personas)
        record = services.training_create(
            actor=personas.smm,
            attendees=[personas.smm],
            title="X",
            kind="training",
            delivery="internal",
            starts_on=timezone.localdate(),
        )
        other = personas.client_for(personas.outsider)
        slug = personas.outsider.organization.slug
        assert (
            other.post(reverse("enablement:training-delete", args=[slug, record.public_id])).status_code
            == 404
        )

    def test_the_owner_edits_and_deletes_their_record(self, personas):
        seeded(personas)
        record = services.training_create(
            actor=personas.cm,
            attendees=[personas.cm],
            title="Alt",
            kind="training",
            delivery="internal",
            starts_on=timezone.localdate(),
        )
        client = personas.client_for(personas.cm)
        response = client.post(url(personas, "training-edit", record.public_id), self.data(title="Neu"))
        assert response.status_code == 302
        record.refresh_from_db()
        assert record.title == "Neu"
        client.post(url(personas, "training-delete", record.public_id))
        assert not TrainingRecord.objects.exists()


class TestTeamViews:
    @pytest.mark.parametrize("who", ["cm", "contributor", "reviewer", "viewer"])
    def test_only_those_who_manage_people_see_team_figures(self, personas, who):
        client = personas.client_for(getattr(personas, who))
        assert client.get(url(personas, "team")).status_code == 404
        assert client.get(url(personas, "coverage")).status_code == 404

    def test_another_organisation_sees_no_team_figures(self, personas):
        assert personas.client_for(personas.outsider).get(url(personas, "team")).status_code == 404

    def test_team_progress_names_departments_and_open_steps(self, personas):
        step = manual_step(personas)
        services.step_tick(actor=personas.cm, item=step, person=personas.cm)
        response = personas.client_for(personas.smm).get(url(personas, "team"))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Marketing" in html
        assert "Personal" in html
        assert "Practise with a draft" in html

    def test_coverage_prints_numbers_and_gaps_and_exports_csv(self, personas):
        seeded(personas)
        community = Skill.objects.get(organization=personas.organization, name="Community management")
        services.training_create(
            actor=personas.smm,
            attendees=[personas.cm],
            title="=HYPERLINK()",
            kind="training",
            delivery="external",
            starts_on=timezone.localdate(),
            skills=[community],
        )
        client = personas.client_for(personas.smm)
        html = client.get(url(personas, "coverage")).content.decode()
        assert 'data-gap="1"' in html
        response = client.get(url(personas, "coverage"), {"format": "csv"})
        assert response["Content-Type"].startswith("text/csv")
        text = response.content.decode("utf-8-sig")
        assert "Marketing;Community management;1;" in text

    def test_a_period_before_the_training_counts_nobody(self, personas):
        seeded(personas)
        community = Skill.objects.get(organization=personas.organization, name="Community management")
        services.training_create(
            actor=personas.smm,
            attendees=[personas.cm],
            title="T",
            kind="training",
            delivery="external",
            starts_on=timezone.localdate(),
            skills=[community],
        )
        old = (timezone.localdate() - timedelta(days=400)).isoformat()
        older = (timezone.localdate() - timedelta(days=300)).isoformat()
        text = (
            personas.client_for(personas.smm)
            .get(url(personas, "coverage"), {"date_from": old, "date_to": older, "format": "csv"})
            .content.decode("utf-8-sig")
        )
        assert "Marketing;Community management;0;" in text

    def test_a_reversed_period_is_refused_and_kept(self, personas):
        response = personas.client_for(personas.smm).get(
            url(personas, "coverage"), {"date_from": "2026-05-01", "date_to": "2026-04-01"}
        )
        assert response.status_code == 400
        assert "2026-05-01" in response.content.decode()


class TestSkills:
    def test_the_smm_adds_a_skill_and_a_duplicate_is_refused(self, personas):
        seeded(personas)
        client = personas.client_for(personas.smm)
        assert client.post(url(personas, "skills"), {"name": "TikTok-Formate"}).status_code == 302
        response = client.post(
            url(personas, "skills"), {"name": "tiktok-formate", "description": "Beschreibung 9"}
        )
        assert response.status_code == 400
        assert "Beschreibung 9" in response.content.decode()

    @pytest.mark.parametrize("who", ["cm", "contributor", "viewer"])
    def test_others_read_but_do_not_change_the_catalogue(self, personas, who):
        seeded(personas)
        skill = Skill.objects.filter(organization=personas.organization).first()
        client = personas.client_for(getattr(personas, who))
        assert client.get(url(personas, "skills")).status_code == 200
        assert client.post(url(personas, "skills"), {"name": "Neu"}).status_code == 404
        assert client.post(url(personas, "skill-delete", skill.public_id)).status_code == 404
