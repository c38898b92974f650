"""Ingestion page by page with the next page triaged in a background thread (`ingest_pages`): the same
messages, cases, routing and signals as `ingest_items` page after page, a triage failure handled as before,
and the poll's cursor still moving only with everything it delivered."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction

from onevoice.inbox import ingest as ingest_module
from onevoice.inbox.ingest import IngestReport, ingest_channel, ingest_items, ingest_pages, pages_of
from onevoice.inbox.models import (
    Assignment,
    Case,
    ChannelInboxState,
    ContactHandle,
    Message,
    Priority,
    RoutingRule,
    Sentiment,
    SlaPolicy,
    Tag,
)
from onevoice.inbox.tests.test_ingest import WEDNESDAY_10, InboxConnector, item
from onevoice.inbox.triage import Signals
from onevoice.networks.connectors.base import InboundItem, InboundKind, InboxPage
from onevoice.networks.models import Channel

BROKEN = "Dieser Text bringt die Triage zum Absturz"
TEXTS = [
    "Wo bleibt meine Lieferung? Das Paket ist nicht angekommen",
    "Danke, super Service, gerne wieder!",
    "Das ist eine Frechheit, ich schalte meinen Anwalt ein",
    "Ich habe eine Frage zur Rechnung",
    "Wann startet die Ausbildung?",
    "Thanks a lot, this is great",
    "Das Gerät ist schon wieder kaputt, furchtbar",
    "",
]


@pytest.fixture
def channel(personas: Any) -> Channel:
    return Channel.objects.create(
        organization=personas.organization, network="bluesky", name="Bluesky", handle="muster.test"
    )


@pytest.fixture
def rules(personas: Any, channel: Channel) -> None:
    org = personas.organization
    urgent = Tag.objects.create(organization=org, name="Dringend")
    legal = Tag.objects.create(organization=org, name="Recht")
    rule = RoutingRule.objects.create(
        organization=org,
        name="Lieferung",
        position=1,
        keywords="Lieferung\nnicht angekommen",
        assign_department=personas.marketing,
        set_priority=Priority.HIGH,
    )
    rule.add_tags.add(urgent)
    rule = RoutingRule.objects.create(
        organization=org, name="Anwalt", position=2, keywords="Anwalt", assign_to=personas.cm, stop=True
    )
    rule.add_tags.add(legal, urgent)
    RoutingRule.objects.create(
        organization=org, name="Ärger", position=3, sentiment=Sentiment.NEGATIVE, set_priority=Priority.URGENT
    )
    RoutingRule.objects.create(organization=org, name="Englisch", position=4, language="en", hide=True)
    SlaPolicy.objects.create(
        organization=org, name="Standard", first_response_minutes=240, resolution_minutes=1440
    )
    SlaPolicy.objects.create(
        organization=org,
        name="Dringend",
        priority=Priority.URGENT,
        first_response_minutes=30,
        resolution_minutes=240,
    )


def pages() -> list[list[InboundItem]]:
    """Four pages: threads that go on across pages, direct messages, mentions, a duplicate within a page and
    re-deliveries of earlier pages' items (one of them of the page just before)."""
    authors = ["anna", "bernd", "clara", "dieter", "emil"]
    made: list[InboundItem] = []
    for n in range(40):
        author = authors[n % len(authors)]
        kind: dict[str, Any] = {}
        if n % 9 == 4:
            kind = {"kind": InboundKind.MENTION, "thread_root": "", "in_reply_to": ""}
        elif n % 11 == 3:
            kind = {"kind": InboundKind.DIRECT_MESSAGE, "thread_root": f"dm-{author}", "in_reply_to": ""}
        elif n % 3 == 0:
            kind = {"thread_root": f"root-{n % 4}", "in_reply_to": f"root-{n % 4}"}
        made.append(item(n, author=author, text=TEXTS[n % len(TEXTS)], minutes=n * 7, **kind))
    first, second, third, fourth = made[:10], made[10:20], made[20:30], made[30:]
    second = [*second, made[3], made[12]]  # a re-delivery and a duplicate within the page
    third = [made[15], *third, made[1]]
    fourth = [*fourth, made[29], made[5], made[22]]
    return [first, second, third, fourth]


def snapshot(channel: Channel, report: IngestReport) -> dict[str, Any]:
    """What ingestion stored, by natural keys (ids differ between runs)."""
    key_of = dict(Case.objects.filter(channel=channel).values_list("pk", "thread_key"))
    authors = dict(ContactHandle.objects.values_list("contact_id", "author_id"))
    messages = sorted(
        (key_of[m.case_id], m.external_id, m.text, m.kind, m.language, m.sentiment, m.offensive, m.triage)
        for m in Message.objects.filter(channel=channel)
    )
    cases = []
    for case in Case.objects.filter(channel=channel).prefetch_related("tags"):
        row = {
            field.attname: getattr(case, field.attname)
            for field in Case._meta.concrete_fields
            if field.attname not in {"id", "public_id", "created_at", "updated_at", "contact_id"}
        }
        row["contact"] = authors.get(case.contact_id) if case.contact_id is not None else None
        row["tags"] = sorted(t.name for t in case.tags.all())
        cases.append(row)
    cases.sort(key=lambda row: row["thread_key"])
    assignments = sorted(
        (key_of[a.case_id], a.department_id, a.assignee_id, a.rule_id, a.reason)
        for a in Assignment.objects.filter(case__channel=channel)
    )
    totals = (
        report.received,
        report.new_messages,
        report.duplicates,
        report.new_cases,
        report.reopened_cases,
    )
    return {
        "messages": messages,
        "cases": cases,
        "assignments": assignments,
        "contacts": sorted(ContactHandle.objects.values_list("author_id", "handle", "contact__display_name")),
        "report": totals,
        "report cases": Counter(key_of[pk] for pk in report.case_ids),
    }


class Rollback(Exception):
    pass


def ingested(channel: Channel, store: Callable[[], IngestReport]) -> dict[str, Any]:
    """Snapshot of `store()` on top of a closed case, then everything rolled back for the other way."""
    taken: dict[str, Any] = {}
    try:
        with transaction.atomic():
            ingest_items(
                channel, [item(100, author="anna", minutes=-300, thread_root="root-0", in_reply_to="root-0")]
            )
            Case.objects.filter(channel=channel).update(
                status=Case.Status.CLOSED, closed_at=WEDNESDAY_10 - timedelta(minutes=200)
            )
            taken = snapshot(channel, store())
            raise Rollback
    except Rollback:
        pass
    return taken


def sequential(channel: Channel, batches: Sequence[Sequence[InboundItem]]) -> IngestReport:
    total = IngestReport()
    for batch in batches:
        report = ingest_items(channel, batch)
        total.received += report.received
        total.new_messages += report.new_messages
        total.duplicates += report.duplicates
        total.new_cases += report.new_cases
        total.reopened_cases += report.reopened_cases
        total.case_ids.extend(report.case_ids)
    return total


def triage_threads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the threads `classify_many` runs in, from now on."""
    names: list[str] = []
    original = ingest_module.classify_many

    def recording(texts: Sequence[str], language_hints: Sequence[str] | None = None) -> list[Signals]:
        names.append(threading.current_thread().name)
        return original(texts, language_hints)

    monkeypatch.setattr(ingest_module, "classify_many", recording)
    return names


@pytest.mark.django_db
@pytest.mark.usefixtures("rules")
class TestPipelinedIsSequential:
    def test_the_same_messages_cases_routing_and_signals(
        self, channel: Channel, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        batches = pages()
        before = ingested(channel, lambda: sequential(channel, batches))
        threads = triage_threads(monkeypatch)
        after = ingested(channel, lambda: ingest_pages(channel, batches))
        assert after == before
        assert before["report"] == (47, 40, 7, before["report"][3], 1)
        assert before["report"][3] > 10
        # Routing and triage did something worth comparing.
        assert {row["priority"] for row in before["cases"]} >= {Priority.HIGH, Priority.URGENT}
        assert any(row["hidden"] for row in before["cases"])
        assert any(row["tags"] == ["Dringend", "Recht"] for row in before["cases"])
        assert {m[5] for m in before["messages"]} >= {"negative", "positive"}
        # The pages after the first were triaged in the background thread.
        assert sum(name.startswith("onevoice-triage") for name in threads) == len(batches) - 1

    def test_a_triage_failure_is_handled_as_before(
        self, channel: Channel, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        original_many, original_one = ingest_module.classify_many, ingest_module.classify

        def many(texts: Sequence[str], language_hints: Sequence[str] | None = None) -> list[Signals]:
            if BROKEN in texts:
                raise RuntimeError("triage bug")
            return original_many(texts, language_hints)

        def one(text: str, *, language_hint: str = "") -> Signals:
            if text == BROKEN:
                raise RuntimeError("triage bug")
            return original_one(text, language_hint=language_hint)

        monkeypatch.setattr(ingest_module, "classify_many", many)
        monkeypatch.setattr(ingest_module, "classify", one)
        batches = pages()
        batches[2][4] = item(77, author="clara", text=BROKEN, minutes=500)  # a page triaged ahead
        batches[3].append(item(78, author="emil", text=BROKEN, minutes=600))
        before = ingested(channel, lambda: sequential(channel, batches))
        after = ingested(channel, lambda: ingest_pages(channel, batches))
        assert after == before
        broken = [m for m in before["messages"] if m[2] == BROKEN]
        assert len(broken) == 2
        assert all(m[4:7] == ("", "", False) for m in broken)  # without signals (and no declared language)
        assert {m[5] for m in before["messages"]} >= {"negative", "positive"}  # the others were read
        assert len(before["messages"]) == 42  # 39 of the 40, the two broken ones and the closed case's

    def test_one_page_is_stored_as_ingest_items_stores_it(
        self, channel: Channel, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        batch = pages()[1]
        before = ingested(channel, lambda: ingest_items(channel, batch))
        threads = triage_threads(monkeypatch)
        after = ingested(channel, lambda: ingest_pages(channel, [batch]))
        assert after == before
        assert threads
        assert not any(name.startswith("onevoice-triage") for name in threads)

    def test_a_failure_while_storing_leaves_the_pages_before_it(
        self, channel: Channel, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        batches = pages()
        calls: list[int] = []
        original = ingest_module._ingest

        def failing(*args: Any) -> IngestReport:
            calls.append(1)
            if len(calls) == 3:
                raise RuntimeError("database gone")
            return original(*args)

        monkeypatch.setattr(ingest_module, "_ingest", failing)
        with pytest.raises(RuntimeError):
            ingest_pages(channel, batches)
        stored = set(Message.objects.filter(channel=channel).values_list("external_id", flat=True))
        assert stored == {i.external_id for batch in batches[:2] for i in batch}


@pytest.mark.django_db
class TestPoll:
    @pytest.fixture
    def network(self, monkeypatch: pytest.MonkeyPatch) -> type[InboxConnector]:
        from onevoice.networks import registry

        InboxConnector.pages, InboxConnector.calls = [], []
        monkeypatch.setitem(registry.CONNECTORS, "bluesky", "onevoice.inbox.tests.test_ingest.InboxConnector")
        monkeypatch.setattr(ingest_module, "INGEST_PAGE", 4)
        return InboxConnector

    def delivery(self) -> list[InboundItem]:
        return [item(n, author=f"a{n % 3}", text=TEXTS[n % len(TEXTS)], minutes=n) for n in range(10)]

    def test_a_large_delivery_is_stored_page_by_page_and_the_cursor_moves_with_it(
        self, channel: Channel, network: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        assert [len(p) for p in pages_of(self.delivery())] == [4, 4, 2]
        threads = triage_threads(monkeypatch)
        network.pages = [InboxPage(items=self.delivery(), cursor="c10")]
        result = ingest_channel(channel)
        assert result.outcome == "ingested"
        assert result.report is not None
        assert (result.report.received, result.report.new_messages) == (10, 10)
        assert Message.objects.filter(channel=channel).count() == 10
        assert ChannelInboxState.objects.get(channel=channel).cursor == "c10"
        assert sum(name.startswith("onevoice-triage") for name in threads) == 2

    def test_a_failure_in_a_later_page_stores_nothing_and_keeps_the_cursor(
        self, channel: Channel, network: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        calls: list[int] = []
        original = ingest_module._ingest

        def failing(*args: Any) -> IngestReport:
            calls.append(1)
            if len(calls) == 3:
                raise RuntimeError("database gone")
            return original(*args)

        monkeypatch.setattr(ingest_module, "_ingest", failing)
        ChannelInboxState.objects.create(channel=channel, cursor="c0")
        network.pages = [InboxPage(items=self.delivery(), cursor="c10")]
        with pytest.raises(RuntimeError):
            ingest_channel(channel)
        assert not Message.objects.filter(channel=channel).exists()
        assert ChannelInboxState.objects.get(channel=channel).cursor == "c0"

    def test_a_delivery_in_time_order_stores_the_same_in_pages_as_at_once(
        self, channel: Channel, network: Any
    ) -> None:
        delivery = self.delivery()
        whole = ingested(channel, lambda: ingest_items(channel, delivery))
        paged = ingested(channel, lambda: ingest_pages(channel, pages_of(delivery)))
        # Counts and newest message of a thread come out the same; only the report's tally of touched cases
        # differs (a case made by one page is touched again by the next).
        whole.pop("report cases"), paged.pop("report cases")
        assert paged == whole
