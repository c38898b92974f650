from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from onevoice.networks import services as channel_services
from onevoice.networks.models import Channel
from onevoice.planning import services
from onevoice.planning.models import Post

BERLIN = ZoneInfo("Europe/Berlin")


def later(days: int = 3, hour: int = 10) -> datetime:
    base = datetime.now(BERLIN) + timedelta(days=days)
    return base.replace(hour=hour, minute=0, second=0, microsecond=0)


@pytest.fixture
def channels(personas) -> list[Channel]:
    """A newsroom channel for Marketing and one for HR (newsroom needs no network)."""
    return [
        channel_services.channel_create_newsroom(
            actor=personas.smm, name="Newsroom Marketing", department=personas.marketing
        ),
        channel_services.channel_create_newsroom(
            actor=personas.smm, name="Newsroom Karriere", department=personas.hr
        ),
    ]


@pytest.fixture
def draft(personas, channels) -> Post:
    return services.post_create(
        actor=personas.cm,
        title="Produktlaunch",
        department=personas.marketing,
        channels=channels[:1],
        base_text="Unser neues Produkt ist da!",
        publish_at=later(),
    )
