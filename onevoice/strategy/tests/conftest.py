from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from onevoice.networks import services as channel_services
from onevoice.networks.models import Channel
from onevoice.strategy import services
from onevoice.strategy.models import Goal, KpiTarget, TargetGroup


@pytest.fixture
def channel(personas) -> Channel:
    return channel_services.channel_create_newsroom(
        actor=personas.smm, name="Newsroom", department=personas.marketing
    )


@pytest.fixture
def presse(personas) -> TargetGroup:
    return services.target_group_save(
        actor=personas.smm, target_group=None, name="Presse", description="Redaktionen und Fachpresse"
    )


@pytest.fixture
def goal(personas) -> Goal:
    return services.goal_save(
        actor=personas.smm,
        goal=None,
        name="Sichtbarkeit im Quartal",
        description="",
        department=personas.marketing,
        period_kind=Goal.Period.QUARTER,
        period_start_on=date.today(),
    )


@pytest.fixture
def target(personas, goal) -> KpiTarget:
    return services.kpi_target_save(
        actor=personas.smm,
        goal=goal,
        target=None,
        metric="engagement_rate",
        comparison="gte",
        target_value=Decimal("3"),
        unit="percent",
        channel=None,
        network="",
    )
