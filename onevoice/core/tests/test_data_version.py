"""The data version (PostgreSQL triggers): every committed write to a tracked table raises it, from any code
path; nothing else does; compaction keeps it. Elsewhere there is no version."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction

from onevoice.core import data_version
from onevoice.core.models import DataChange
from onevoice.networks.models import Channel, Network
from onevoice.planning.models import Notification, Post

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's")


def test_without_postgresql_there_is_no_version() -> None:
    if connection.vendor == "postgresql":
        assert isinstance(data_version.current(), int)
    else:
        assert data_version.current() is None
        assert data_version.compact() == 0


@postgres_only
def test_every_tracked_table_has_its_trigger() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname = %s",
            [data_version.FUNCTION],
        )
        assert {name for (name,) in cursor.fetchall()} == set(data_version.TRACKED)


def version() -> int:
    found = data_version.current()
    assert found is not None
    return found


@pytest.fixture
def world(personas: Any) -> dict[str, Any]:
    org = personas.organization
    channel = Channel.objects.create(organization=org, network=Network.BLUESKY, name="Bluesky")
    post = Post.objects.create(
        organization=org,
        department=personas.marketing,
        owner=personas.cm,
        title="Sommerfest",
        base_text="Text",
    )
    return {"channel": channel, "post": post}


@postgres_only
class TestWrites:
    def test_an_orm_update_raises_the_version(self, personas: Any, world: dict[str, Any]) -> None:
        before = version()
        Post.objects.filter(pk=world["post"].pk).update(title="Neu")
        assert version() == before + 1

    def test_raw_sql_and_a_write_touching_no_row_raise_it_too(
        self, personas: Any, world: dict[str, Any]
    ) -> None:
        before = version()
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE networks_channel SET name = name || '!' WHERE id = %s", [world["channel"].pk]
            )
            cursor.execute("DELETE FROM planning_topic WHERE id = -1")
        assert version() == before + 2

    def test_a_rolled_back_write_leaves_the_version(self, personas: Any, world: dict[str, Any]) -> None:
        before = version()
        with transaction.atomic():
            Post.objects.filter(pk=world["post"].pk).update(title="Verworfen")
            transaction.set_rollback(True)
        assert version() == before

    def test_a_write_to_another_table_leaves_the_version(self, personas: Any) -> None:
        before = version()
        Notification.objects.create(recipient=personas.cm, kind=Notification.Kind.REVIEW_NEEDED, text="Hallo")
        assert version() == before

    def test_compaction_keeps_the_version_in_one_row(self, personas: Any, world: dict[str, Any]) -> None:
        for n in range(3):
            Post.objects.filter(pk=world["post"].pk).update(title=f"Titel {n}")
        before = version()
        assert DataChange.objects.count() > 1
        assert data_version.compact() > 1
        assert DataChange.objects.count() == 1
        assert version() == before
        Post.objects.filter(pk=world["post"].pk).update(title="Danach")
        assert version() == before + 1
