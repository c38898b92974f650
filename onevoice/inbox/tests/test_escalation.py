"""Overdue cases escalate once to their owners and the SMMs; spikes alert the SMMs and CMs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from onevoice.inbox import tasks_ingest
from onevoice.inbox.escalation import cases_escalate, spikes_alert, spikes_find
from onevoice.inbox.ingest import ingest_items
from onevoice.inbox.models import Case, InboxSettings, Message, SpikeAlert
from onevoice.networks.connectors.base import InboundItem, InboundKind
from onevoice.networks.models import Channel
from onevoice.planning.models import Notification

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


@pytest.fixture
def channel(personas: Any) -> Channel:
    return Channel.objects.create(
        organization=personas.organization, network="bluesky", name="Bluesky", department=personas.marketing
    )


def case(channel: Channel, n: int | str, **fields: Any) -> Case:
    fields.setdefault("first_message_at", NOW - timedelta(hours=3))
    fields.setdefault("last_message_at", NOW - timedelta(hours=3))
    return Case.objects.create(
        organization=channel.organization,
        channel=channel,
        thread_key=f"t{n}",
        kind="reply",
        subject=f"Frage {n}",
        **fields,
    )


def inbound(
    channel: Channel, n: int, *, minutes_ago: float, negative: bool = True, author: str = ""
) -> Message:
    c = Case.objects.filter(channel=channel, thread_key=f"t{author or n}").first() or case(
        channel, author or n, status=Case.Status.CLOSED, needs_reply=False
    )
    return Message.objects.create(
        case=c,
        channel=channel,
        external_id=f"m{n}",
        kind="reply",
        author_id=f"a{n}",
        text="schlecht",
        created_at=NOW - timedelta(minutes=minutes_ago),
        sentiment="negative" if negative else "neutral",
    )


@pytest.mark.django_db
class TestEscalation:
    TABLE = [
        # (what, fields, escalates)
        ("first answer overdue", {"first_response_due": NOW - timedelta(minutes=1)}, True),
        ("first answer not yet due", {"first_response_due": NOW + timedelta(minutes=1)}, False),
        (
            "answered in time, resolution overdue",
            {
                "first_response_due": NOW - timedelta(hours=2),
                "first_response_at": NOW - timedelta(hours=2, minutes=30),
                "resolution_due": NOW - timedelta(minutes=5),
            },
            True,
        ),
        (
            "answered in time",
            {"first_response_due": NOW - timedelta(hours=2), "first_response_at": NOW - timedelta(hours=3)},
            False,
        ),
        ("closed", {"first_response_due": NOW - timedelta(hours=1), "status": Case.Status.CLOSED}, False),
        (
            "waiting for the customer",
            {"first_response_due": NOW - timedelta(hours=1), "status": "waiting"},
            False,
        ),
        ("needs no reply", {"first_response_due": NOW - timedelta(hours=1), "needs_reply": False}, False),
        ("escalated already", {"first_response_due": NOW - timedelta(hours=1), "escalated_at": NOW}, False),
        ("no SLA", {}, False),
    ]

    @pytest.mark.parametrize(("what", "fields", "escalates"), TABLE, ids=[t[0] for t in TABLE])
    def test_which_cases_escalate(
        self, channel: Channel, what: str, fields: dict[str, Any], escalates: bool
    ) -> None:
        c = case(channel, 1, **fields)
        before = c.escalated_at
        assert cases_escalate(NOW) == int(escalates)
        c.refresh_from_db()
        assert c.escalated_at == NOW if escalates else c.escalated_at == before

    def test_the_assignee_and_the_smms_are_told_once(self, channel: Channel, personas: Any) -> None:
        case(channel, 1, first_response_due=NOW - timedelta(minutes=1), assignee=personas.cm)
        cases_escalate(NOW)
        cases_escalate(NOW + timedelta(minutes=1))
        told = Notification.objects.filter(kind=Notification.Kind.CASE_OVERDUE)
        assert sorted(n.recipient_id for n in told) == sorted([personas.cm.pk, personas.smm.pk])
        assert "Frage 1" in told[0].text
        assert told[0].url.startswith(f"/o/{personas.organization.slug}/inbox/")

    def test_without_an_assignee_the_departments_cms_are_told(self, channel: Channel, personas: Any) -> None:
        case(channel, 1, first_response_due=NOW - timedelta(minutes=1), department=personas.marketing)
        cases_escalate(NOW)
        told = set(Notification.objects.values_list("recipient_id", flat=True))
        assert told == {personas.cm.pk, personas.smm.pk}

    def test_a_reopened_case_escalates_again(self, channel: Channel, personas: Any) -> None:
        from onevoice.inbox.models import SlaPolicy

        SlaPolicy.objects.create(
            organization=personas.organization,
            name="Standard",
            first_response_minutes=60,
            resolution_minutes=600,
        )
        item = InboundItem(
            external_id="x1",
            kind=InboundKind.REPLY,
            author_id="did:plc:a",
            author_handle="a.test",
            text="Hallo?",
            created_at=NOW - timedelta(days=2),
            thread_root="root",
        )
        ingest_items(channel, [item])
        assert cases_escalate(NOW) == 1
        Case.objects.update(status=Case.Status.CLOSED, closed_at=NOW)
        later = InboundItem(
            **{**item.__dict__, "external_id": "x2", "created_at": NOW + timedelta(minutes=5)}
        )
        ingest_items(channel, [later])
        assert cases_escalate(NOW + timedelta(minutes=10)) == 0
        assert cases_escalate(NOW + timedelta(hours=3)) == 1


@pytest.mark.django_db
class TestSpike:
    def test_an_hour_far_above_the_usual_level_alerts_smms_and_cms_once(
        self, channel: Channel, personas: Any
    ) -> None:
        InboxSettings.objects.create(
            organization=personas.organization, spike_factor=Decimal(4), spike_minimum=5
        )
        for n in range(14):  # two a day over the week before: 14 / 168 an hour
            inbound(channel, n, minutes_ago=90 + n * 12 * 60)
        for n in range(100, 106):
            inbound(channel, n, minutes_ago=n - 95)
        spikes = spikes_find(NOW)
        assert [(s.channel_id, s.count) for s in spikes] == [(channel.pk, 6)]
        assert spikes[0].baseline == Decimal("0.08")
        alerts = spikes_alert(NOW)
        assert spikes_alert(NOW + timedelta(minutes=5)) == []
        assert len(alerts) == 1
        assert SpikeAlert.objects.get().count == 6
        told = Notification.objects.filter(kind=Notification.Kind.SPIKE_ALERT)
        assert sorted(n.recipient_id for n in told) == sorted([personas.smm.pk, personas.cm.pk])
        assert f"channel={channel.public_id}" in told[0].url
        assert f"/o/{personas.organization.slug}/publishing/" in told[0].text

    def test_below_the_minimum_is_no_spike(self, channel: Channel, personas: Any) -> None:
        InboxSettings.objects.create(organization=personas.organization, spike_minimum=10)
        for n in range(9):
            inbound(channel, n, minutes_ago=5)
        assert spikes_find(NOW) == []

    def test_a_busy_channels_usual_level_is_no_spike(self, channel: Channel, personas: Any) -> None:
        InboxSettings.objects.create(
            organization=personas.organization, spike_factor=Decimal(4), spike_minimum=5
        )
        for n in range(7 * 24 * 3):  # three an hour all week
            inbound(channel, n, minutes_ago=61 + n * 20)
        for n in range(1000, 1010):
            inbound(channel, n, minutes_ago=30)
        assert spikes_find(NOW) == []  # 10 < 4 × 3

    def test_positive_answered_messages_do_not_count(self, channel: Channel, personas: Any) -> None:
        InboxSettings.objects.create(organization=personas.organization, spike_minimum=3)
        for n in range(5):
            inbound(channel, n, minutes_ago=5, negative=False)
        assert spikes_find(NOW) == []


@pytest.mark.django_db
class TestTasks:
    def test_the_minute_task_polls_due_channels(self, channel: Channel, monkeypatch: Any) -> None:
        polled: list[int] = []
        monkeypatch.setattr(tasks_ingest, "inbox_poll_channel", polled.append)
        paused = Channel.objects.create(
            organization=channel.organization, network="bluesky", name="Pause", state=Channel.State.PAUSED
        )
        tasks_ingest.inbox_poll_due_channels.call_local()
        assert polled == [channel.pk]
        assert paused.pk not in polled
