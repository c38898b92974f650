"""Answers pre-filled from OneVoice's own data, with the evidence they are based on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from onevoice.analytics.models import ReportSchedule
from onevoice.assessment.prefill import evidence_text, prefill_for
from onevoice.guidelines import services as guideline_services
from onevoice.inbox.models import Case, InboxSettings, SlaPolicy
from onevoice.networks.models import Channel
from onevoice.organization.models import Membership
from onevoice.planning.models import ApprovalPolicy, ApprovalStep, Campaign, Post, PostVariant
from onevoice.strategy.models import Goal, KpiTarget
from onevoice.voice.models import VoiceRule

pytestmark = pytest.mark.django_db


def publish_guideline(personas, *, confirmed_by: list[Membership]):
    version = guideline_services.guideline_create(
        actor=personas.smm, title="Social-Media-Leitlinien", body="Text"
    )
    guideline_services.version_publish(actor=personas.smm, version=version)
    second = guideline_services.draft_save(
        actor=personas.smm,
        guideline=version.guideline,
        title="Social-Media-Leitlinien",
        body="Text 2",
        change_note="Krisenplan ergänzt",
    )
    guideline_services.version_publish(actor=personas.smm, version=second)
    second.refresh_from_db()
    for member in confirmed_by:
        guideline_services.acknowledge(member=member, version=second)
    return second


class TestPrefill:
    def test_a_new_organisation_gets_only_what_is_known(self, personas):
        found = prefill_for(personas.smm)
        assert found["strategy_guidelines"]["value"] == "none"
        assert found["roles_smm"]["value"] == "named"
        assert "strategy_goals" not in found
        assert "legal_impressum" not in found  # no channel yet
        assert found["departments_active"]["value"] == 2  # Marketing (CM, SMM) and Personal (contributor)
        assert "central_team" not in found
        assert found["weekly_hours"]["value"] == "37"  # 20 + 15 + 2

    def test_guidelines_version_and_acknowledgement_share(self, personas):
        # 6 active members; 5 confirm → 83 %.
        publish_guideline(
            personas,
            confirmed_by=[personas.admin, personas.smm, personas.cm, personas.contributor, personas.reviewer],
        )
        found = prefill_for(personas.smm)
        hint = found["strategy_guidelines"]
        assert hint["value"] == "acknowledged"
        assert found["training_employees"]["value"] == "most"
        assert evidence_text(hint) == (
            "Guidelines “Social-Media-Leitlinien”: version 2 published, confirmed by 83 % of members."
        )

    def test_a_guideline_few_have_confirmed_is_published_only(self, personas):
        publish_guideline(personas, confirmed_by=[personas.smm])
        found = prefill_for(personas.smm)
        assert found["strategy_guidelines"]["value"] == "published"
        assert found["training_employees"]["value"] == "some"

    def test_goals_kpis_voice_rules_approvals_and_reports(self, personas):
        org = personas.organization
        goal = Goal.objects.create(organization=org, name="Bekanntheit", period_start=timezone.localdate())
        KpiTarget.objects.create(
            organization=org, goal=goal, metric="followers", comparison="gte", target_value=1000, unit="count"
        )
        VoiceRule.objects.create(organization=org, name="Sie", kind="forbidden_terms", params={})
        policy = ApprovalPolicy.objects.create(organization=org, name="Recht")
        ApprovalStep.objects.create(policy=policy, name="Rechtsabteilung", roles=["reviewer"])
        schedule = ReportSchedule.objects.create(organization=org, name="Monatsbericht")
        schedule.recipients.add(personas.viewer)
        found = prefill_for(personas.smm)
        assert found["strategy_goals"]["value"] == "measurable"
        assert found["measurement_kpis"]["value"] == "goals"
        assert found["strategy_voice"]["value"] == "checked"
        assert found["roles_approval"]["value"] == "enforced"
        assert found["measurement_reporting"]["value"] == "automatic"
        assert evidence_text(found["strategy_goals"]) == "1 goal with 1 KPI targets in the strategy."
        assert evidence_text(found["roles_approval"]) == "1 approval workflow is set up."

    def test_channels_impressum_and_alt_text(self, personas):
        org = personas.organization
        Channel.objects.create(
            organization=org,
            network="mastodon",
            name="A",
            config={"impressum_url": "https://muster.example/i"},
        )
        Channel.objects.create(organization=org, network="bluesky", name="B", require_alt_text=False)
        found = prefill_for(personas.smm)
        assert found["legal_impressum"]["value"] == "some"
        assert evidence_text(found["legal_impressum"]) == "1 of 2 channels have an Impressum address."
        assert found["legal_accessibility"]["value"] == "sometimes"
        assert found["channels"]["value"] == 2

    def test_community_managers_per_department(self, personas):
        found = prefill_for(personas.smm)
        # Chris is CM in Marketing; Personal has no CM.
        assert found["roles_cms"]["value"] == "some"
        assert evidence_text(found["roles_cms"]) == "Community managers in 1 of 2 departments."

    def test_inbox_sla_share_of_last_month(self, personas):
        org = personas.organization
        channel = Channel.objects.create(organization=org, network="mastodon", name="A")
        today = timezone.localdate()
        first = today.replace(day=1) - timedelta(days=20)
        base = datetime(first.year, first.month, 5, 10, 0, tzinfo=UTC)
        for i in range(10):
            late = i == 9
            Case.objects.create(
                organization=org,
                channel=channel,
                thread_key=f"t{i}",
                kind="reply",
                first_message_at=base + timedelta(hours=i),
                last_message_at=base + timedelta(hours=i),
                first_response_due=base + timedelta(hours=i + 2),
                first_response_at=base + timedelta(hours=i + (5 if late else 1)),
            )
        SlaPolicy.objects.create(
            organization=org, name="Standard", first_response_minutes=120, resolution_minutes=960
        )
        InboxSettings.objects.create(organization=org, retention_months=6)
        found = prefill_for(personas.smm)
        assert found["processes_inbox"]["value"] == "sla"
        assert evidence_text(found["processes_inbox"]) == (
            "Inbox: 90 % of first responses within SLA last month (10 cases)."
        )
        assert found["legal_dsgvo"]["value"] == "partly"

    def test_plan_realism_of_the_next_12_weeks(self, personas):
        org = personas.organization
        channel = Channel.objects.create(organization=org, network="linkedin", name="A")
        Membership.objects.filter(organization=org).update(weekly_hours=Decimal(0))
        now = timezone.now()
        for week in (1, 3, 5):
            post = Post.objects.create(
                organization=org,
                department=personas.marketing,
                owner=personas.cm,
                title="Beitrag",
                publish_at=now + timedelta(weeks=week),
                status=Post.Status.SCHEDULED,
            )
            PostVariant.objects.create(post=post, channel=channel, text="Text")
        found = prefill_for(personas.smm)
        hint = found["resources_fit"]
        assert hint["value"] == "sometimes"
        assert hint["params"]["over"] == 3
        assert evidence_text(hint).startswith("Plan realism: 3 of the next 12 weeks over-booked")

    def test_posts_planned_weeks_ahead_in_campaigns(self, personas):
        org = personas.organization
        campaign = Campaign.objects.create(
            organization=org, name="Messe", starts_on=timezone.localdate(), ends_on=timezone.localdate()
        )
        for days in (16, 20, 30):
            Post.objects.create(
                organization=org,
                department=personas.marketing,
                owner=personas.cm,
                title="Beitrag",
                campaign=campaign,
                publish_at=timezone.now() + timedelta(days=days),
            )
        assert prefill_for(personas.smm)["processes_planning"]["value"] == "campaigns"

    def test_nothing_comes_from_another_organisation(self, personas):
        other = personas.outsider.organization
        Channel.objects.create(organization=other, network="mastodon", name="Fremd")
        VoiceRule.objects.create(organization=other, name="x", kind="forbidden_terms", params={})
        found = prefill_for(personas.smm)
        assert "channels" not in found
        assert "strategy_voice" not in found

    def test_trainings_recorded_in_the_last_year(self, personas):
        from onevoice.enablement.models import TrainingRecord

        record = TrainingRecord.objects.create(
            organization=personas.organization,
            title="Deeskalation im Community Management",
            starts_on=timezone.localdate() - timedelta(days=60),
        )
        record.attendees.add(personas.cm)
        hint = prefill_for(personas.smm)["training_regular"]
        assert hint["value"] == "yearly"
        assert evidence_text(hint) == "1 training recorded in the last 12 months."
