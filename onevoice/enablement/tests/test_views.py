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
    return profile_of(personas, role).checklist.items.filter(verification="manual").first()


class TestMyOnboarding:
    @pytest.mark.parametrize("who", ["admin", "smm", "cm", "contributor", "reviewer", "viewer"])
    def test_every_member_opens_their_onboarding(self, personas, who):
        response = personas.client_for(getattr(personas, who)).get(url(personas, "me"))
        assert response.status_code == 200

    def test_the_first_visit_creates_the_default_profiles(self, personas):
        personas.client_for(personas.cm).get(url(personas, "me"))
        titles = set(RoleProfile.objects.filter(organization=personas.organization).values_list("title", flat=True))
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
        response = client.post(url(personas, "tick", step.public_id), {"done_on": day.isoformat()}, follow=True)
        assert "cannot be in the future" in response.content.decode()
        assert not OnboardingProgress.objects.exists()

    def test_a_verified_step_cannot_be_ticked_by_hand(self, personas):
        step = profile_of(personas, "cm").checklist.items.get(verification="draft")
        client = personas.client_for(personas.cm)
        response = client.post(url(personas, "tick", step.public_id), {"done_on": timezone.localdate().isoformat()}, follow=True)
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
