from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from onevoice.planning import services
from onevoice.planning.models import ApprovalPolicy, BlackoutPeriod, Campaign, PlanningRules, Topic
from onevoice.planning.tests.conftest import BERLIN, later

pytestmark = pytest.mark.django_db


def url(name: str, personas, *args) -> str:
    return reverse(f"planning:{name}", args=[personas.organization.slug, *args])


class TestAccess:
    @pytest.mark.parametrize(
        "page", ["setup", "topics", "blackouts", "channel-rules", "policies", "policy-new"]
    )
    @pytest.mark.parametrize(
        ("persona", "status"), [("smm", 200), ("admin", 200), ("cm", 404), ("viewer", 404), ("outsider", 404)]
    )
    def test_only_the_smm_and_admins_set_up_the_plan(self, personas, page, persona, status) -> None:
        assert personas.client_for(getattr(personas, persona)).get(url(page, personas)).status_code == status

    @pytest.mark.parametrize(("persona", "status"), [("viewer", 200), ("cm", 200), ("outsider", 404)])
    def test_campaigns_are_visible_to_the_organisation(self, personas, persona, status) -> None:
        assert (
            personas.client_for(getattr(personas, persona)).get(url("campaigns", personas)).status_code
            == status
        )


class TestPages:
    def test_a_campaign_and_its_timeline(self, personas, channels) -> None:
        start = later(days=1).date()
        response = personas.client_for(personas.cm).post(
            url("campaign-new", personas),
            {
                "name": "Ausbildungsstart",
                "goal": "Bewerbungen",
                "starts_on": start.isoformat(),
                "ends_on": (start + timedelta(days=20)).isoformat(),
                "color": "#2f9e44",
                "departments": [personas.hr.pk],
                "channels": [channels[1].pk],
            },
        )
        campaign = Campaign.objects.get()
        assert response["Location"] == url("campaign", personas, campaign.public_id)
        services.post_create(
            actor=personas.smm,
            title="Tag 1",
            department=personas.hr,
            channels=channels[1:],
            campaign=campaign,
            publish_at=later(days=3),
        )
        body = (
            personas.client_for(personas.viewer)
            .get(url("campaign", personas, campaign.public_id))
            .content.decode()
        )
        assert "Tag 1" in body
        assert 'data-testid="campaign-timeline"' in body

    def test_a_campaign_that_ends_before_it_starts_is_refused(self, personas) -> None:
        response = personas.client_for(personas.smm).post(
            url("campaign-new", personas),
            {
                "name": "Falsch",
                "starts_on": "2030-05-10",
                "ends_on": "2030-05-01",
                "color": "#000000",
            },
        )
        assert response.status_code == 400
        assert "must end on or after" in response.content.decode()

    def test_topics_are_unique(self, personas) -> None:
        client = personas.client_for(personas.smm)
        client.post(url("topics", personas), {"name": "Karriere", "color": "#6f42c1"})
        response = client.post(url("topics", personas), {"name": "karriere", "color": "#6f42c1"})
        assert response.status_code == 400
        assert "already exists" in response.content.decode()
        assert Topic.objects.count() == 1

    def test_a_blackout_over_planned_posts_asks_first(self, personas, channels) -> None:
        when = later(days=4)
        services.post_create(
            actor=personas.smm, title="Im Weg", department=personas.hr, channels=channels[1:], publish_at=when
        )
        data = {
            "name": "Quiet Period",
            "starts_at": (when - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (when + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        }
        client = personas.client_for(personas.smm)
        page = client.post(url("blackouts", personas), data).content.decode()
        assert "Im Weg" in page
        assert not BlackoutPeriod.objects.exists()
        client.post(url("blackouts", personas), data | {"confirm": "1"})
        period = BlackoutPeriod.objects.get()
        assert period.starts_at.astimezone(BERLIN) == (when - timedelta(hours=1)).astimezone(BERLIN)

    def test_a_blackout_that_ends_before_it_starts_is_refused(self, personas) -> None:
        response = personas.client_for(personas.smm).post(
            url("blackouts", personas),
            {"name": "X", "starts_at": "2030-01-02T10:00", "ends_at": "2030-01-01T10:00"},
        )
        assert response.status_code == 400
        assert not BlackoutPeriod.objects.exists()

    def test_channel_rules(self, personas, channels) -> None:
        client = personas.client_for(personas.smm)
        client.post(
            url("channel-rules", personas),
            {
                "channel": channels[0].public_id,
                "min_gap_minutes": "90",
                "max_per_day": "3",
                "max_per_week": "10",
            },
        )
        rules = PlanningRules.objects.get()
        assert (rules.min_gap_minutes, rules.max_per_day, rules.max_per_week) == (90, 3, 10)
        response = client.post(
            url("channel-rules", personas), {"channel": channels[0].public_id, "min_gap_minutes": "-5"}
        )
        assert response.status_code == 400

    def test_an_approval_policy_with_two_steps(self, personas) -> None:
        response = personas.client_for(personas.smm).post(
            url("policy-new", personas),
            {
                "name": "HR-Freigabe",
                "scope": f"department:{personas.hr.public_id}",
                "review_hours_before": "4",
                "reapprove_after_edit": "on",
                "step0_name": "Fachlich",
                "step0_kind": "approval",
                "step0_mode": "any",
                "step0_roles": ["smm"],
                "step1_name": "Betriebsrat",
                "step1_kind": "feedback",
                "step1_mode": "any",
                "step1_people": [personas.reviewer.pk],
                "step2_kind": "approval",
                "step2_mode": "any",
                "step3_kind": "approval",
                "step3_mode": "any",
            },
        )
        assert response.status_code == 302
        policy = ApprovalPolicy.objects.get()
        assert policy.department == personas.hr
        assert [s.name for s in policy.steps.all()] == ["Fachlich", "Betriebsrat"]

    def test_a_policy_without_approvers_is_refused(self, personas) -> None:
        response = personas.client_for(personas.smm).post(
            url("policy-new", personas),
            {
                "name": "Leer",
                "review_hours_before": "2",
                "step0_name": "Niemand",
                "step0_kind": "approval",
                "step0_mode": "any",
                "step1_kind": "approval",
                "step1_mode": "any",
                "step2_kind": "approval",
                "step2_mode": "any",
                "step3_kind": "approval",
                "step3_mode": "any",
            },
        )
        assert response.status_code == 400
        assert "has no approvers" in response.content.decode()
