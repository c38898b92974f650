"""The demo strategy: realistic German goals, target groups and channel strategies, built idempotently."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from onevoice.core.models import AuditEvent
from onevoice.organization.demo import build_demo_organization
from onevoice.organization.models import Membership, Organization
from onevoice.planning.conflicts import conflicts_in_range
from onevoice.planning.demo import build_demo_plan
from onevoice.planning.models import PlanningRules, Post
from onevoice.strategy import demo, selectors
from onevoice.strategy.models import ChannelStrategy, Goal, KpiTarget, TargetGroup

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def org(django_db_setup, django_db_blocker) -> Iterator[Organization]:
    with django_db_blocker.unblock(), transaction.atomic():
        organization = build_demo_organization()
        build_demo_plan(organization)
        demo.build(organization, smm(organization))
        yield organization
        transaction.set_rollback(True)


def smm(organization: Organization) -> Membership:
    return Membership.objects.get(organization=organization, user__email__startswith="sabine.krueger")


class TestDemoStrategy:
    def test_it_has_the_goals_of_the_issue(self, org: Organization) -> None:
        names = set(Goal.objects.filter(organization=org).values_list("name", flat=True))
        assert {
            "Erste Antwort im Posteingang ≤ 2 Geschäftsstunden",
            "8 Beiträge pro Woche über alle Kanäle",
        } <= names
        assert KpiTarget.objects.filter(organization=org).count() >= 8

    def test_every_goal_has_a_state_and_posts_published_is_measured(self, org: Organization) -> None:
        states = {s.state for row in selectors.goals_with_state(org) for _t, s in row.targets}
        assert "no_data" in states
        assert states & {"on_track", "off_track"}

    def test_every_channel_has_a_strategy_and_keeps_the_plan_rules(self, org: Organization) -> None:
        strategies = ChannelStrategy.objects.filter(channel__organization=org).select_related("channel")
        assert {s.channel.network for s in strategies} == {"newsroom", "bluesky", "mastodon"}
        assert all(s.purpose and s.target_groups.exists() for s in strategies)
        bluesky = PlanningRules.objects.get(channel__organization=org, channel__network="bluesky")
        assert (bluesky.max_per_day, bluesky.max_per_week) == (2, 10)

    def test_building_again_changes_nothing(self, org: Organization) -> None:
        events = AuditEvent.objects.count()
        demo.build(org, smm(org))
        assert AuditEvent.objects.count() == events
        assert TargetGroup.objects.filter(organization=org).count() == len(demo.TARGET_GROUPS)

    def test_the_target_groups_are_german(self, org: Organization) -> None:
        assert TargetGroup.objects.filter(organization=org, name="Fachkräfte Logistik").exists()

    def test_its_audit_verbs_are_the_ones_reported(self, org: Organization) -> None:
        verbs = set(AuditEvent.objects.filter(organization=org).values_list("verb", flat=True))
        ours = {
            v for v in verbs if v.split(".")[0] in ("goal", "kpi_target", "target_group", "channel_strategy")
        }
        assert ours == {
            "goal.created",
            "kpi_target.created",
            "target_group.created",
            "channel_strategy.updated",
        }

    def test_the_plan_shows_hints_outside_the_preferred_times_but_not_everywhere(
        self, org: Organization
    ) -> None:
        now = timezone.now()
        found = conflicts_in_range(org, now - timedelta(days=8), now + timedelta(days=30))
        hinted = [pk for pk, conflicts in found.items() if any(c.kind == "off_time" for c in conflicts)]
        planned = (
            Post.objects.filter(organization=org, publish_at__gte=now).exclude(status="withdrawn").count()
        )
        assert 0 < len(hinted) < planned / 2
        assert all(c.soft for conflicts in found.values() for c in conflicts if c.kind == "off_time")
