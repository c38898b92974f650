"""Events are raised by the real services: publishing, the inbox, requests and approvals; each reaches
the subscribed targets once, filtered by department, with no query where nobody listens."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from onevoice.inbox import escalation
from onevoice.inbox import services as inbox
from onevoice.inbox.ingest import ingest_items
from onevoice.inbox.models import Case, SpikeAlert
from onevoice.inbox.tests.factories import make_case, make_channel
from onevoice.networks.connectors.base import InboundItem, InboundKind
from onevoice.planning import request_services
from onevoice.publishing import services as publishing
from onevoice.publishing.models import Publication
from onevoice.publishing.tests.conftest import make_due
from onevoice.webhooks import events, services
from onevoice.webhooks.models import Delivery, Event, Target
from onevoice.webhooks.tests.conftest import Receiver

pytestmark = pytest.mark.django_db


def bodies(target: Target, event: str) -> list[dict[str, Any]]:
    return [json.loads(d.body) for d in Delivery.objects.filter(target=target, event=event).order_by("id")]


def run(publication: Publication) -> str:
    publication.refresh_from_db()
    return publishing.publication_run(publication.pk, publication.schedule_version)


class TestPosts:
    def test_a_published_post_is_announced_with_its_channel_and_link(
        self,
        personas,
        webhook,
        schedule,
        bluesky,
        scripted,
        receiver: Receiver,
        django_capture_on_commit_callbacks,
    ) -> None:
        post = schedule([bluesky])
        (publication,) = make_due(post)
        with django_capture_on_commit_callbacks(execute=True):
            assert run(publication) == Publication.State.PUBLISHED
        (payload,) = bodies(webhook, Event.POST_PUBLISHED)
        assert payload["data"]["post"]["id"] == str(post.public_id)
        assert payload["data"]["post"]["title"] == "Produktlaunch"
        link = f"/o/{personas.organization.slug}/plan/posts/{post.public_id}/"
        assert payload["data"]["post"]["url"] == settings.BASE_URL + link
        assert payload["data"]["channel"] == {
            "id": str(bluesky.public_id),
            "name": "Bluesky Muster",
            "network": "bluesky",
        }
        assert payload["data"]["publication"]["state"] == "published"
        # It reached the receiver (the worker runs inline in tests) under its delivery id.
        sent = [r.json() for r in receiver.requests if r.headers["onevoice-event"] == "post.published"]
        assert [s["id"] for s in sent] == [payload["id"]]

    def test_a_failed_post_is_announced(self, personas, webhook, schedule, bluesky, scripted) -> None:
        from onevoice.networks.connectors.base import ConnectorError

        post = schedule([bluesky])
        (publication,) = make_due(post)
        scripted.fail_publish = ConnectorError("Text too long", permanent=True)
        assert run(publication) == Publication.State.FAILED
        (payload,) = bodies(webhook, Event.POST_FAILED)
        assert payload["data"]["publication"]["error"]

    def test_submitting_for_review_asks_for_approval_once(self, personas, webhook, schedule, bluesky) -> None:
        schedule([bluesky])
        (payload,) = bodies(webhook, Event.APPROVAL_NEEDED)
        assert payload["data"]["post"]["title"] == "Produktlaunch"
        assert payload["data"]["review_round"] == 1


class TestRequests:
    def test_a_filed_request_reaches_the_webhook_and_its_department_chat_only(
        self, personas, webhook, receiver: Receiver
    ) -> None:
        hr_chat = services.chat_target_create(
            actor=personas.smm,
            kind=Target.Kind.SLACK,
            data=services.TargetInput(
                name="HR-Kanal", events=[Event.REQUEST_FILED], department=personas.hr, chat_url=receiver.url
            ),
        )
        marketing_chat = services.chat_target_create(
            actor=personas.smm,
            kind=Target.Kind.TEAMS,
            data=services.TargetInput(
                name="Marketing",
                events=[Event.REQUEST_FILED],
                department=personas.marketing,
                chat_url=receiver.url,
            ),
        )
        request = request_services.request_file(
            actor=personas.contributor, department=personas.hr, title="Girls' Day"
        )
        (payload,) = bodies(webhook, Event.REQUEST_FILED)
        assert payload["data"]["request"]["id"] == str(request.public_id)
        assert payload["data"]["request"]["department"]["name"] == "Personal"
        (slack,) = Delivery.objects.filter(target=hr_chat)
        assert "Girls' Day" in json.loads(slack.body)["text"]
        assert not Delivery.objects.filter(target=marketing_chat).exists()


class TestInbox:
    def item(self, n: int) -> InboundItem:
        return InboundItem(
            external_id=f"at://did:plc:anna/app.bsky.feed.post/{n}",
            author_id="did:plc:anna",
            author_handle="anna.test",
            author_name="Anna Privat",
            text="Meine Telefonnummer ist 0170 1234567, bitte rufen Sie an",
            created_at=datetime(2026, 11, 25, 9, 0, tzinfo=UTC) + timedelta(minutes=n),
            kind=InboundKind.MENTION,
            thread_root=f"at://did:plc:anna/app.bsky.feed.post/{n}",
        )

    def test_new_cases_are_announced_without_the_person_or_their_words(self, personas, webhook) -> None:
        channel = make_channel(personas.organization, department=personas.marketing)
        ingest_items(channel, [self.item(1), self.item(2)])
        payloads = bodies(webhook, Event.CASE_CREATED)
        assert len(payloads) == 2
        assert {p["data"]["case"]["id"] for p in payloads} == {str(c.public_id) for c in Case.objects.all()}
        text = json.dumps(payloads)
        assert "Anna" not in text
        assert "anna.test" not in text
        assert "0170" not in text
        assert payloads[0]["data"]["case"]["channel"]["name"] == "Bluesky Muster"
        # Ingesting the same items again makes no cases and no events.
        ingest_items(channel, [self.item(1), self.item(2)])
        assert len(bodies(webhook, Event.CASE_CREATED)) == 2

    def test_assigning_a_case_is_announced_with_the_new_owner(self, personas, webhook, scripted) -> None:
        channel = make_channel(personas.organization, department=personas.marketing)
        case = make_case(channel)
        inbox.case_assign(actor=personas.smm, case=case, assignee=personas.cm)
        (payload,) = bodies(webhook, Event.CASE_ASSIGNED)
        assert payload["data"]["case"]["assignee"] == {
            "id": str(personas.cm.public_id),
            "name": "Chris Community",
        }

    def test_an_overdue_case_is_announced_once(self, personas, webhook) -> None:
        channel = make_channel(personas.organization, department=personas.marketing)
        case = make_case(channel)
        Case.objects.filter(pk=case.pk).update(first_response_due=timezone.now() - timedelta(minutes=5))
        assert escalation.cases_escalate() == 1
        assert escalation.cases_escalate() == 0
        (payload,) = bodies(webhook, Event.CASE_OVERDUE)
        assert payload["data"]["case"]["id"] == str(case.public_id)

    def test_a_spike_is_announced_with_a_link_to_the_cases(self, personas, webhook) -> None:
        channel = make_channel(personas.organization, department=personas.marketing)
        alert = SpikeAlert.objects.create(
            organization=personas.organization,
            channel=channel,
            hour_start=timezone.now() - timedelta(hours=1),
            count=42,
            baseline=Decimal("1.50"),
        )
        escalation._announce(alert)
        (payload,) = bodies(webhook, Event.SPIKE_ALERT)
        assert payload["data"]["spike"]["count"] == 42
        assert f"channel={channel.public_id}" in payload["data"]["spike"]["url"]


class TestNobodyListening:
    def test_hooks_cost_no_query_where_no_target_exists(self, personas, django_assert_num_queries) -> None:
        channel = make_channel(personas.organization)
        case = make_case(channel)
        events.case_assigned(case)  # the first call asks the database once, then the cache answers
        with django_assert_num_queries(0):
            events.case_assigned(case)
            events.cases_created(channel, [case])
            events.case_overdue(case)

    def test_a_webhook_that_does_not_subscribe_an_event_gets_none(self, personas, receiver: Receiver) -> None:
        target = services.webhook_create(
            actor=personas.admin,
            data=services.TargetInput(name="Nur Spitzen", events=[Event.SPIKE_ALERT], url=receiver.url),
        )
        channel = make_channel(personas.organization)
        case = make_case(channel)
        events.case_assigned(case)
        assert not Delivery.objects.filter(target=target).exists()

    def test_another_organisations_events_never_reach_the_webhook(self, personas, webhook) -> None:
        foreign = make_channel(personas.outsider.organization, name="Fremd")
        case = make_case(foreign)
        events.case_assigned(case)
        events.case_overdue(case)
        assert not Delivery.objects.exists()
