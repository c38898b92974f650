"""Ingestion: items become messages in cases once, routed, on the SLA clock; polling resumes from its cursor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from onevoice.inbox.ingest import ingest_channel, ingest_items, thread_key
from onevoice.inbox.models import (
    Assignment,
    Case,
    ChannelInboxState,
    Contact,
    ContactHandle,
    Message,
    MessageKind,
    Priority,
    RoutingRule,
    SlaPolicy,
    Tag,
)
from onevoice.networks.connectors.base import (
    AuthExpired,
    ConnectorError,
    InboundItem,
    InboundKind,
    InboxPage,
    RateLimited,
)
from onevoice.networks.models import Channel
from onevoice.networks.tests.fakes import ScriptedConnector
from onevoice.planning.models import Post, PostVariant

ROOT = "at://did:plc:muster/app.bsky.feed.post/root1"
# Wednesday 25 November 2026, 10:00 in Berlin.
WEDNESDAY_10 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def item(n: int, *, author: str = "anna", text: str = "", minutes: int = 0, **kw: Any) -> InboundItem:
    kw.setdefault("kind", InboundKind.REPLY)
    kw.setdefault("thread_root", ROOT)
    kw.setdefault("in_reply_to", ROOT)
    return InboundItem(
        external_id=f"at://did:plc:{author}/app.bsky.feed.post/{n}",
        author_id=f"did:plc:{author}",
        author_handle=f"{author}.test",
        author_name=author.title(),
        text=text or f"Nachricht {n}",
        created_at=WEDNESDAY_10 + timedelta(minutes=minutes),
        **kw,
    )


@pytest.fixture
def channel(personas: Any) -> Channel:
    return Channel.objects.create(
        organization=personas.organization,
        network="bluesky",
        name="Bluesky",
        handle="muster.test",
        department=personas.hr,
    )


class InboxConnector(ScriptedConnector):
    """The scripted connector with an inbox: pages to hand out and errors to raise."""

    pages: ClassVar[list[InboxPage | Exception]] = []
    calls: ClassVar[list[str]] = []

    def fetch_inbox(self, *, since: str = "") -> InboxPage:
        type(self).calls.append(since)
        answer = type(self).pages.pop(0) if type(self).pages else InboxPage(items=[], cursor=since)
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> type[InboxConnector]:
    from onevoice.networks import registry

    InboxConnector.pages, InboxConnector.calls = [], []
    monkeypatch.setitem(registry.CONNECTORS, "bluesky", f"{__name__}.InboxConnector")
    return InboxConnector


@pytest.mark.django_db
class TestIngestItems:
    def test_items_of_one_thread_and_author_form_one_case(self, channel: Channel) -> None:
        report = ingest_items(
            channel, [item(1, minutes=0), item(2, minutes=5), item(3, author="bernd", minutes=7)]
        )
        assert (report.new_messages, report.new_cases) == (3, 2)
        anna = Case.objects.get(thread_key=thread_key(item(1)))
        assert anna.message_count == 2
        assert anna.first_message_at == WEDNESDAY_10
        assert anna.last_message_at == anna.last_inbound_at == WEDNESDAY_10 + timedelta(minutes=5)
        assert anna.subject == "Nachricht 1"
        assert anna.status == Case.Status.NEW
        assert anna.contact is not None
        assert anna.contact.display_name == "Anna"
        assert Contact.objects.filter(organization=channel.organization).count() == 2

    def test_the_same_item_twice_is_one_message(self, channel: Channel) -> None:
        ingest_items(channel, [item(1), item(1)])
        report = ingest_items(channel, [item(1), item(2)])
        assert report.duplicates == 1
        assert report.new_messages == 1
        assert Message.objects.count() == 2
        assert Case.objects.get().message_count == 2

    def test_a_known_author_keeps_their_contact(self, channel: Channel) -> None:
        ingest_items(channel, [item(1)])
        ingest_items(channel, [item(2, thread_root="at://other", in_reply_to="at://other")])
        assert Contact.objects.count() == 1
        assert ContactHandle.objects.count() == 1
        assert Case.objects.count() == 2
        assert Case.objects.values("contact").distinct().count() == 1

    def test_a_direct_message_groups_by_conversation(self, channel: Channel) -> None:
        dm: dict[str, Any] = {"kind": InboundKind.DIRECT_MESSAGE, "thread_root": "convo-1", "in_reply_to": ""}
        ingest_items(channel, [item(1, **dm), item(2, **dm)])
        assert Case.objects.get().thread_key == "dm:convo-1"

    def test_odd_text_is_stored_as_it_came_without_nul(self, channel: Channel) -> None:
        text = "<script>alert(1)</script>\x00\u202e" + "ä" * 20_000
        ingest_items(channel, [item(1, text=text)])
        message = Message.objects.get()
        assert message.text == text.replace("\x00", "")
        assert len(Case.objects.get().subject) == 198

    def test_triage_signals_land_on_message_and_case(self, channel: Channel, monkeypatch: Any) -> None:
        from onevoice.inbox import ingest
        from onevoice.inbox.triage import Signals

        monkeypatch.setattr(
            ingest,
            "classify_many",
            lambda texts, hints: [Signals("de", "negative", True, -0.8, ("idiot",)) for _ in texts],
        )
        ingest_items(channel, [item(1)])
        message, case = Message.objects.get(), Case.objects.get()
        assert (message.language, message.sentiment, message.offensive) == ("de", "negative", True)
        assert message.triage["offensive_terms"] == ["idiot"]
        assert (case.language, case.sentiment, case.offensive) == ("de", "negative", True)

    def test_a_page_is_triaged_at_once_with_the_same_signals_as_one_by_one(
        self, channel: Channel, monkeypatch: Any
    ) -> None:
        from onevoice.inbox import ingest
        from onevoice.inbox.triage import classify, classify_many

        pages: list[int] = []

        def counting(texts: list[str], hints: list[str]) -> list[Any]:
            pages.append(len(texts))
            return classify_many(texts, hints)

        monkeypatch.setattr(ingest, "classify_many", counting)
        texts = [
            "Danke für die schnelle Hilfe!",
            "Ihr Idioten, seit Wochen keine Antwort.",
            "Öffnungszeiten?",
        ]
        ingest_items(channel, [item(n, text=text) for n, text in enumerate(texts)])
        assert pages == [3]
        for message in Message.objects.order_by("created_at"):
            signals = classify(message.text)
            assert (message.language, message.sentiment, message.offensive) == (
                signals.language,
                signals.sentiment,
                signals.offensive,
            )
            assert message.triage["sentiment_score"] == signals.sentiment_score

    def test_a_triage_failure_costs_only_the_message_at_fault(
        self, channel: Channel, monkeypatch: Any
    ) -> None:
        from onevoice.inbox import ingest
        from onevoice.inbox.triage import Signals

        def broken(texts: list[str], hints: list[str]) -> list[Any]:
            raise RuntimeError("triage bug")

        def one(text: str, language_hint: str = "") -> Signals:
            if "kaputt" in text:
                raise RuntimeError("triage bug")
            return Signals("de", "positive", False, 0.5)

        monkeypatch.setattr(ingest, "classify_many", broken)
        monkeypatch.setattr(ingest, "classify", one)
        ingest_items(channel, [item(1, text="Alles gut"), item(2, text="kaputt")])
        sentiments = dict(Message.objects.values_list("text", "sentiment"))
        assert sentiments == {"Alles gut": "positive", "kaputt": ""}

    def test_a_reply_to_our_post_links_the_plan_post_and_its_department(
        self, channel: Channel, personas: Any
    ) -> None:
        from onevoice.publishing.models import Publication

        post = Post.objects.create(
            organization=personas.organization,
            title="Messe",
            department=personas.marketing,
            owner=personas.cm,
        )
        variant = PostVariant.objects.create(post=post, channel=channel, text="Besuchen Sie uns")
        Publication.objects.create(
            organization=personas.organization,
            variant=variant,
            channel=channel,
            state=Publication.State.PUBLISHED,
            due_at=WEDNESDAY_10,
            next_attempt_at=WEDNESDAY_10,
            idempotency_key="k1",
            external_id=ROOT,
        )
        ingest_items(channel, [item(1)])
        case = Case.objects.get()
        assert (case.post, case.variant, case.department) == (post, variant, personas.marketing)
        history = Assignment.objects.get(case=case)
        assert history.department == personas.marketing
        assert history.rule is None

    def test_without_a_post_the_channels_department_owns_it(self, channel: Channel, personas: Any) -> None:
        ingest_items(channel, [item(1, kind=InboundKind.MENTION, thread_root="", in_reply_to="")])
        case = Case.objects.get()
        assert case.department == personas.hr
        assert case.kind == MessageKind.MENTION

    def test_rules_route_tag_and_prioritise_a_new_case(self, channel: Channel, personas: Any) -> None:
        legal = Tag.objects.create(organization=personas.organization, name="Recht")
        rule = RoutingRule.objects.create(
            organization=personas.organization,
            name="Anwalt",
            keywords="Anwalt",
            assign_department=personas.marketing,
            assign_to=personas.cm,
            set_priority=Priority.URGENT,
            hide=True,
        )
        rule.add_tags.add(legal)
        ingest_items(channel, [item(1, text="Ich schalte meinen Anwalt ein!"), item(2, author="bernd")])
        routed = Case.objects.get(contact__handles__author_id="did:plc:anna")
        assert (routed.department, routed.assignee, routed.priority) == (
            personas.marketing,
            personas.cm,
            Priority.URGENT,
        )
        assert list(routed.tags.all()) == [legal]
        assert routed.hidden
        assert Assignment.objects.get(case=routed).rule == rule
        other = Case.objects.get(contact__handles__author_id="did:plc:bernd")
        assert other.department == personas.hr
        assert other.priority == Priority.NORMAL

    def test_the_sla_clock_starts_at_the_networks_time(self, channel: Channel, personas: Any) -> None:
        SlaPolicy.objects.create(
            organization=personas.organization,
            name="Standard",
            first_response_minutes=120,
            resolution_minutes=480,
        )
        ingest_items(channel, [item(1, minutes=-600)])  # Tuesday 24 November, 24:00 Berlin
        case = Case.objects.get()
        assert case.first_response_due == datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # Wed 11:00 Berlin
        assert case.resolution_due == datetime(2026, 11, 25, 16, 0, tzinfo=UTC)

    def test_a_new_message_reopens_a_closed_case_with_new_dues(self, channel: Channel, personas: Any) -> None:
        SlaPolicy.objects.create(
            organization=personas.organization,
            name="Standard",
            first_response_minutes=60,
            resolution_minutes=480,
        )
        ingest_items(channel, [item(1)])
        Case.objects.update(
            status=Case.Status.CLOSED,
            closed_at=WEDNESDAY_10 + timedelta(minutes=30),
            first_response_at=WEDNESDAY_10 + timedelta(minutes=20),
            escalated_at=WEDNESDAY_10,
        )
        report = ingest_items(channel, [item(2, minutes=120)])
        case = Case.objects.get()
        assert report.reopened_cases == 1
        assert case.status == Case.Status.OPEN
        assert case.closed_at is None
        assert case.escalated_at is None
        assert case.first_response_at is None
        assert case.first_response_due == WEDNESDAY_10 + timedelta(minutes=180)
        assert case.message_count == 2

    def test_a_batch_takes_the_same_few_queries_whatever_its_size(self, channel: Channel) -> None:
        ingest_items(channel, [item(0)])

        def queries(n: int, offset: int) -> int:
            batch = [item(offset + i, author=f"a{offset + i}") for i in range(n)]
            with CaptureQueriesContext(connection) as captured:
                ingest_items(channel, batch)
            return len(captured)

        assert queries(5, 100) == queries(50, 200)


@pytest.mark.django_db
class TestIngestChannel:
    def test_it_stores_the_page_and_moves_the_cursor(self, channel: Channel, network: Any) -> None:
        network.pages = [InboxPage(items=[item(1), item(2)], cursor="c2")]
        result = ingest_channel(channel)
        assert result.outcome == "ingested"
        assert Message.objects.count() == 2
        state = ChannelInboxState.objects.get(channel=channel)
        assert state.cursor == "c2"
        assert state.failures == 0
        assert state.last_success_at is not None
        assert state.next_poll_at is not None
        assert state.next_poll_at > timezone.now()

    def test_a_channel_is_polled_once_per_interval(self, channel: Channel, network: Any) -> None:
        ingest_channel(channel)
        assert ingest_channel(channel).outcome == "busy"
        assert len(network.calls) == 1

    def test_an_outage_backs_off_and_resumes_from_the_cursor_without_losses_or_doubles(
        self, channel: Channel, network: Any
    ) -> None:
        network.pages = [
            InboxPage(items=[item(1)], cursor="c1"),
            ConnectorError("Bad gateway", status=502),
            InboxPage(items=[item(1), item(2), item(3)], cursor="c3"),
        ]
        ingest_channel(channel)
        failed = ingest_channel(channel, force=True)
        state = ChannelInboxState.objects.get(channel=channel)
        assert failed.outcome == "failed"
        assert state.failures == 1
        assert state.cursor == "c1"
        assert "Bad gateway" in state.error
        assert state.next_poll_at is not None
        assert state.next_poll_at > timezone.now() + timedelta(seconds=40)
        ingest_channel(channel, force=True)
        state.refresh_from_db()
        assert network.calls == ["", "c1", "c1"]
        assert state.cursor == "c3"
        assert state.failures == 0
        assert state.error == ""
        assert sorted(Message.objects.values_list("external_id", flat=True)) == [
            item(n).external_id for n in (1, 2, 3)
        ]

    def test_a_failure_while_storing_keeps_the_old_cursor(
        self, channel: Channel, network: Any, monkeypatch: Any
    ) -> None:
        from onevoice.inbox import ingest

        network.pages = [InboxPage(items=[item(1)], cursor="c1")]
        monkeypatch.setattr(
            ingest, "_update_cases", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom"))
        )
        with pytest.raises(RuntimeError):
            ingest_channel(channel)
        assert ChannelInboxState.objects.get(channel=channel).cursor == ""
        assert not Message.objects.exists()

    def test_rate_limited_waits_until_the_network_says(self, channel: Channel, network: Any) -> None:
        until = timezone.now() + timedelta(minutes=15)
        network.pages = [RateLimited("slow down", retry_after=until)]
        assert ingest_channel(channel).outcome == "rate_limited"
        state = ChannelInboxState.objects.get(channel=channel)
        assert state.next_poll_at == until
        assert state.failures == 0

    def test_expired_credentials_mark_the_channel_for_reconnect(self, channel: Channel, network: Any) -> None:
        network.pages = [AuthExpired()]
        assert ingest_channel(channel).outcome == "reconnect"
        channel.refresh_from_db()
        assert channel.state == Channel.State.RECONNECT
        assert ingest_channel(channel).outcome == "skipped"
        assert len(network.calls) == 1

    def test_paused_channels_are_not_polled(self, channel: Channel, network: Any) -> None:
        Channel.objects.filter(pk=channel.pk).update(state=Channel.State.PAUSED)
        channel.refresh_from_db()
        assert ingest_channel(channel).outcome == "skipped"
        assert network.calls == []

    def test_the_publishing_engines_rate_limit_is_respected(self, channel: Channel, network: Any) -> None:
        from onevoice.publishing.models import ChannelThrottle

        ChannelThrottle.objects.create(channel=channel, blocked_until=timezone.now() + timedelta(minutes=5))
        assert ingest_channel(channel).outcome == "rate_limited"
        assert network.calls == []


@pytest.mark.django_db
class TestDemo:
    def test_the_demo_inbox_is_routed_partly_overdue_with_a_storm_and_seeds_once(self, personas: Any) -> None:
        from onevoice.inbox.demo import seed
        from onevoice.inbox.models import SpikeAlert

        org = personas.organization
        for network in ("bluesky", "mastodon"):
            Channel.objects.create(
                organization=org, network=network, name=network, state=Channel.State.PAUSED
            )
        first = seed(org, smm=personas.smm)
        assert first.messages == Message.objects.count() > 40
        assert first.cases == Case.objects.count() > 30
        assert first.overdue > 0
        assert first.spike_alerts == 1
        assert SpikeAlert.objects.get().count >= 8
        assert RoutingRule.objects.filter(organization=org).count() >= 5
        assert Case.objects.filter(tags__name="Bewerbung", department=personas.hr).exists()
        assert Case.objects.filter(status=Case.Status.CLOSED).exists()
        again = seed(org, smm=personas.smm)
        assert (again.messages, again.cases, again.spike_alerts) == (0, 0, 0)
