"""The strategy's services: permission, organisation, validation and the audit trail."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from onevoice.core.models import AuditEvent
from onevoice.organization.access import NotAllowed
from onevoice.planning.models import PlanningRules
from onevoice.strategy import services
from onevoice.strategy.models import ChannelStrategy, Goal, KpiTarget, TargetGroup

pytestmark = pytest.mark.django_db


def verbs(personas) -> list[str]:
    return list(
        AuditEvent.objects.filter(organization=personas.organization)
        .order_by("id")
        .values_list("verb", flat=True)
    )


class TestTargetGroupSave:
    def test_it_creates_a_target_group_and_audits_it(self, personas) -> None:
        group = services.target_group_save(
            actor=personas.smm,
            target_group=None,
            name=" Bestandskunden ",
            description="Kund*innen mit Vertrag",
        )
        assert group.name == "Bestandskunden"
        assert "target_group.created" in verbs(personas)

    def test_it_refuses_a_second_group_of_the_same_name(self, personas, presse) -> None:
        with pytest.raises(ValidationError, match="already exists"):
            services.target_group_save(actor=personas.smm, target_group=None, name="presse", description="")

    def test_it_refuses_a_community_manager(self, personas) -> None:
        with pytest.raises(NotAllowed):
            services.target_group_save(actor=personas.cm, target_group=None, name="Presse", description="")

    def test_it_refuses_a_group_of_another_organisation(self, personas, presse) -> None:
        with pytest.raises(NotAllowed):
            services.target_group_save(actor=personas.outsider, target_group=presse, name="X", description="")

    def test_deleting_keeps_the_name_in_the_audit_log(self, personas, presse) -> None:
        services.target_group_delete(actor=personas.smm, target_group=presse)
        assert not TargetGroup.objects.exists()
        event = AuditEvent.objects.get(verb="target_group.deleted")
        assert event.before == {"name": "Presse"}


class TestGoalSave:
    @pytest.mark.parametrize(
        ("kind", "day", "start", "end"),
        [
            ("month", date(2027, 2, 14), date(2027, 2, 1), date(2027, 3, 1)),
            ("quarter", date(2027, 5, 31), date(2027, 4, 1), date(2027, 7, 1)),
            ("quarter", date(2027, 12, 31), date(2027, 10, 1), date(2028, 1, 1)),
            ("year", date(2027, 7, 1), date(2027, 1, 1), date(2028, 1, 1)),
        ],
    )
    def test_it_stores_the_first_day_of_the_period(self, personas, kind, day, start, end) -> None:
        goal = services.goal_save(
            actor=personas.smm,
            goal=None,
            name="Ziel",
            description="",
            department=None,
            period_kind=kind,
            period_start_on=day,
        )
        assert (goal.period_start, goal.period_end) == (start, end)

    def test_it_audits_before_and_after_an_edit(self, personas, goal) -> None:
        services.goal_save(
            actor=personas.admin,
            goal=goal,
            name="Neuer Name",
            description="",
            department=None,
            period_kind="year",
            period_start_on=date(2027, 3, 3),
        )
        event = AuditEvent.objects.get(verb="goal.updated")
        assert event.before["name"] == "Sichtbarkeit im Quartal"
        assert event.after["period_start"] == "2027-01-01"

    def test_it_refuses_a_department_of_another_organisation(self, personas) -> None:
        other = personas.outsider.organization.departments.first()
        with pytest.raises(NotAllowed):
            services.goal_save(
                actor=personas.smm,
                goal=None,
                name="Ziel",
                description="",
                department=other,
                period_kind="month",
                period_start_on=date(2027, 1, 1),
            )

    def test_deleting_a_goal_deletes_its_targets(self, personas, goal, target) -> None:
        services.goal_delete(actor=personas.smm, goal=goal)
        assert not Goal.objects.exists()
        assert not KpiTarget.objects.exists()


class TestKpiTargetSave:
    def save(self, personas, goal, **changes):
        fields: dict[str, Any] = {
            "metric": "posts_published",
            "comparison": "gte",
            "target_value": Decimal("8"),
            "unit": "per_week",
            "channel": None,
            "network": "",
        } | changes
        return services.kpi_target_save(actor=personas.smm, goal=goal, target=None, **fields)

    def test_it_saves_a_target_and_audits_it(self, personas, goal) -> None:
        target = self.save(personas, goal)
        target.refresh_from_db()
        assert target.target_value == Decimal("8")
        assert AuditEvent.objects.filter(verb="kpi_target.created").exists()

    def test_it_refuses_a_unit_that_does_not_suit_the_metric(self, personas, goal) -> None:
        with pytest.raises(ValidationError, match="choose one of these units") as error:
            self.save(personas, goal, metric="engagement_rate", unit="per_week")
        assert "unit" in error.value.message_dict

    def test_it_refuses_a_percentage_above_100(self, personas, goal) -> None:
        with pytest.raises(ValidationError, match="between 0 and 100"):
            self.save(personas, goal, metric="within_sla", unit="percent", target_value=Decimal("120"))

    def test_it_refuses_a_channel_and_a_network_together(self, personas, goal, channel) -> None:
        with pytest.raises(ValidationError, match="not both"):
            self.save(personas, goal, channel=channel, network="bluesky")

    def test_it_refuses_a_channel_of_another_organisation(self, personas, goal) -> None:
        from onevoice.networks import services as channel_services

        foreign = channel_services.channel_create_newsroom(
            actor=personas.outsider, name="Fremd", department=None
        )
        with pytest.raises(NotAllowed):
            self.save(personas, goal, channel=foreign)

    def test_it_refuses_a_reviewer(self, personas, goal) -> None:
        with pytest.raises(NotAllowed):
            services.kpi_target_save(
                actor=personas.reviewer,
                goal=goal,
                target=None,
                metric="followers",
                comparison="gte",
                target_value=Decimal(1000),
                unit="at_period_end",
                channel=None,
                network="",
            )


class TestChannelStrategySave:
    def save(self, personas, channel, **changes):
        fields: dict[str, Any] = {
            "purpose": "Pressemitteilungen und Neuigkeiten",
            "target_groups": [],
            "min_per_week": 2,
            "preferred_weekdays": [1, 3],
            "preferred_times": [time(12, 30), time(9, 0)],
            "min_gap_minutes": 120,
            "max_per_day": 2,
            "max_per_week": 5,
        } | changes
        return services.channel_strategy_save(actor=personas.smm, channel=channel, **fields)

    def test_it_saves_the_strategy_and_the_plan_rules_together(self, personas, channel, presse) -> None:
        strategy = self.save(personas, channel, target_groups=[presse])
        assert strategy.preferred_times == ["09:00", "12:30"]
        assert list(strategy.target_groups.all()) == [presse]
        rules = PlanningRules.objects.get(channel=channel)
        assert (rules.min_gap_minutes, rules.max_per_day, rules.max_per_week) == (120, 2, 5)
        assert {"channel.rules_changed", "channel_strategy.updated"} <= set(verbs(personas))

    def test_a_second_save_updates_the_same_rows(self, personas, channel) -> None:
        self.save(personas, channel)
        self.save(personas, channel, min_per_week=3, max_per_week=None)
        assert ChannelStrategy.objects.get().min_per_week == 3
        assert PlanningRules.objects.get().max_per_week is None

    def test_it_refuses_a_minimum_above_the_maximum(self, personas, channel) -> None:
        with pytest.raises(ValidationError, match="cannot fit"):
            self.save(personas, channel, min_per_week=6, max_per_week=5)
        assert not ChannelStrategy.objects.exists()
        assert not PlanningRules.objects.exists()

    def test_it_refuses_a_minimum_the_daily_maximum_cannot_reach(self, personas, channel) -> None:
        with pytest.raises(ValidationError, match="no more than 7"):
            self.save(personas, channel, min_per_week=8, max_per_week=None, max_per_day=1)

    def test_planning_rules_of_its_own_apply_too(self, personas, channel) -> None:
        with pytest.raises(ValidationError, match="per day than per week"):
            self.save(personas, channel, max_per_day=6, max_per_week=5, min_per_week=None)
        assert not ChannelStrategy.objects.exists()

    def test_it_refuses_a_community_manager(self, personas, channel) -> None:
        with pytest.raises(NotAllowed):
            services.channel_strategy_save(
                actor=personas.cm,
                channel=channel,
                purpose="",
                target_groups=[],
                min_per_week=None,
                preferred_weekdays=[],
                preferred_times=[],
                min_gap_minutes=60,
                max_per_day=None,
                max_per_week=None,
            )

    def test_it_refuses_a_target_group_of_another_organisation(self, personas, channel) -> None:
        foreign = services.target_group_save(
            actor=personas.outsider, target_group=None, name="X", description=""
        )
        with pytest.raises(NotAllowed):
            self.save(personas, channel, target_groups=[foreign])
