"""Ingestion: what a network delivers becomes messages in cases, once, routed and on the SLA clock.

`ingest_items` takes a batch of `InboundItem`s of one channel and stores them in a handful of queries
whatever the batch size: it looks up known messages, contacts, cases and our published posts in bulk,
inserts with `bulk_create(ignore_conflicts=True)` and updates the touched cases together. The same item
delivered twice (in one batch or two) is one message.

`ingest_channel` polls one channel: it claims the channel's `ChannelInboxState` with a conditional update
(so two workers never poll one channel at once), asks the connector for everything after the saved cursor,
and saves the new cursor in the same transaction as the batch. A network failure leaves the cursor where
it was and backs off for this channel only; the next poll fetches the same items again and the unique
message key drops what was already stored.

`ingest_pages` stores pages one after the other, each as `ingest_items` does, while a background thread
triages the next page: triage is Python work, storing waits on the database for much of its time (and psycopg
lets other threads run while it waits), so the two overlap. The poll hands a delivery of more than
`INGEST_PAGE` items to it in pages of that size.
"""

from __future__ import annotations

import hashlib
import logging
import random
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from onevoice.core.http import BlockedAddress
from onevoice.inbox import routing, sla
from onevoice.inbox.bulk import insert_ignoring_conflicts, update_rows
from onevoice.inbox.models import (
    Assignment,
    Case,
    ChannelInboxState,
    Contact,
    ContactHandle,
    InboxSettings,
    Message,
    MessageKind,
    Priority,
)
from onevoice.inbox.triage import Signals, classify, classify_many
from onevoice.networks.connectors.base import AuthExpired, ConnectorError, InboundItem, RateLimited
from onevoice.networks.models import Channel
from onevoice.webhooks import events as webhook_events

log = logging.getLogger(__name__)

# Polling: every minute when all is well; after failures 1, 2, 4 … minutes up to an hour, with jitter.
POLL_INTERVAL = timedelta(seconds=50)
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=1)
# A claim lasts this long: a worker killed mid-poll frees the channel after it.
CLAIM_FOR = timedelta(minutes=5)
# Lookups by `IN (…)` in chunks, under SQLite's limit of bound variables.
CHUNK = 900
# A poll's delivery larger than this is stored in pages of this size, the next page triaged meanwhile.
INGEST_PAGE = 500

REOPENED = (Case.Status.CLOSED, Case.Status.WAITING)


@dataclass
class IngestReport:
    received: int = 0
    new_messages: int = 0
    duplicates: int = 0
    new_cases: int = 0
    reopened_cases: int = 0
    case_ids: list[int] = field(default_factory=list)


def thread_key(item: InboundItem) -> str:
    """What groups messages into one case: the conversation of a direct message, else thread root + author."""
    if item.kind == MessageKind.DIRECT_MESSAGE:
        key = f"dm:{item.thread_root or item.in_reply_to or item.author_id}"
    else:
        key = f"{item.thread_root or item.in_reply_to or item.external_id}|{item.author_id}"
    if len(key) > 600:
        key = "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    return key


def _clean(value: str, limit: int | None = None) -> str:
    """Text as PostgreSQL can store it (no NUL) and within the column's length; shown as plain text."""
    value = (value or "").replace("\x00", "")
    return value[:limit] if limit is not None else value


def _subject(text: str) -> str:
    line = " ".join(_clean(text).split())
    return line[:197] + "…" if len(line) > 200 else line


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _among(queryset: QuerySet[Any], field: str, values: Sequence[Any]) -> Iterable[QuerySet[Any]]:
    """The queryset narrowed to the rows whose `field` is one of `values`: on PostgreSQL one query with
    `= ANY(%s)` (one array parameter, however many values: nothing to build or parse per value),
    elsewhere `IN (…)` in chunks."""
    if not values:
        return
    if connection.vendor == "postgresql":
        model = queryset.model
        column = f'"{model._meta.db_table}"."{model._meta.get_field(field).column}"'
        # Only the model's table and column names are formatted in; the values are one parameter.
        yield queryset.extra(where=[f"{column} = ANY(%s)"], params=[list(values)])  # noqa: S610
        return
    for chunk in _chunks(values):
        yield queryset.filter(**{f"{field}__in": chunk})


@dataclass(frozen=True)
class _PostLink:
    variant_id: int
    post_id: int
    department_id: int | None
    campaign_id: int | None


def _post_links(channel: Channel, external_ids: set[str]) -> dict[str, _PostLink]:
    """Which of these network ids are our own published posts on this channel (plan posts)."""
    from onevoice.publishing.models import Publication

    found: dict[str, _PostLink] = {}
    ids = sorted(i for i in external_ids if i)
    for narrowed in _among(Publication.objects.filter(channel=channel), "external_id", ids):
        rows = narrowed.values_list(
            "external_id",
            "variant_id",
            "variant__post_id",
            "variant__post__department_id",
            "variant__post__campaign_id",
        )
        for external_id, variant_id, post_id, department_id, campaign_id in rows:
            found[external_id] = _PostLink(variant_id, post_id, department_id, campaign_id)
    return found


def _contacts(channel: Channel, items: Sequence[InboundItem]) -> dict[str, tuple[int, bool]]:
    """author_id → (contact id, VIP) for every author of the batch; new authors become contacts."""
    org_id, network = channel.organization_id, channel.network
    authors: dict[str, InboundItem] = {}
    for item in items:
        authors.setdefault(item.author_id, item)

    def load(wanted: Sequence[str]) -> dict[str, tuple[int, bool]]:
        known: dict[str, tuple[int, bool]] = {}
        handles = ContactHandle.objects.filter(organization_id=org_id, network=network)
        for narrowed in _among(handles, "author_id", wanted):
            rows = narrowed.values_list("author_id", "contact_id", "contact__is_vip")
            known.update({a: (c, vip) for a, c, vip in rows})
        return known

    known = load(list(authors))
    missing = [a for a in authors if a not in known]
    if missing:
        contacts = Contact.objects.bulk_create(
            [
                Contact(
                    organization_id=org_id,
                    display_name=_clean(authors[a].author_name or authors[a].author_handle, 255),
                )
                for a in missing
            ]
        )
        ContactHandle.objects.bulk_create(
            [
                ContactHandle(
                    organization_id=org_id,
                    contact=contact,
                    network=network,
                    author_id=author_id,
                    handle=_clean(authors[author_id].author_handle, 255),
                )
                for author_id, contact in zip(missing, contacts, strict=True)
            ],
            ignore_conflicts=True,
        )
        # Only the new authors are looked up again: another worker may have won the race for one of
        # them; its contact is the one, ours is dropped.
        won = load(missing)
        known.update(won)
        used = {c for c, _vip in won.values()}
        orphans = [c.pk for c in contacts if c.pk not in used]
        if orphans:
            Contact.objects.filter(pk__in=orphans).delete()
    return known


@dataclass
class _Triaged:
    item: InboundItem
    key: str
    signals: Signals


def signals_of(text: str, language_hint: str = "") -> Signals:
    """Triage of one text; a triage bug must not stop the inbox: the text then comes without signals."""
    try:
        return classify(text, language_hint=language_hint)
    except Exception:
        log.exception("triage failed")
        return Signals(language=language_hint, sentiment="", offensive=False)


def _triage(items: Sequence[InboundItem]) -> list[Signals]:
    """Triage of a page at once (`classify_many`: the same signals as one by one, at a fraction of the
    cost); should it fail, each text is read on its own, so only the text at fault comes without signals."""
    if not items:
        return []
    try:
        return classify_many([item.text for item in items], [item.language for item in items])
    except Exception:
        return [signals_of(item.text, item.language) for item in items]


def triage_page(items: Sequence[InboundItem]) -> dict[str, Signals]:
    """The signals of a page's items by external id, computed before the page is stored (`ingest_items`
    takes them as `signals`): every item with a usable external id is read, as it is not yet known which
    of them are stored already. Touches no database, so it can run in another thread."""
    wanted = list(_unique(items).values())
    return {item.external_id: signals for item, signals in zip(wanted, _triage(wanted), strict=True)}


def _triage_payload(signals: Signals) -> dict[str, Any]:
    payload: dict[str, Any] = {"sentiment_score": round(signals.sentiment_score, 3)}
    if signals.offensive_terms:
        payload["offensive_terms"] = list(signals.offensive_terms)
    return payload


@dataclass
class _Context:
    """What routing and the SLA clock need for one organisation, loaded once per batch."""

    rules: routing.RuleSet
    owner: routing.DefaultOwner
    calendar: sla.BusinessCalendar
    policies: list[Any]


class _ContextOf:
    """A channel's `_Context`, loaded when first asked for and then kept: for one batch, or for the pages of
    one `ingest_pages` run (read in the same transaction in the worker's poll)."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.loaded: _Context | None = None

    def __call__(self) -> _Context:
        if self.loaded is None:
            self.loaded = _context(self.channel)
        return self.loaded


def _context(channel: Channel) -> _Context:
    organization = channel.organization
    settings = InboxSettings.objects.filter(organization=organization).first()
    return _Context(
        rules=routing.rules_of(organization.pk),
        owner=routing.default_owner(organization),
        calendar=sla.calendar_for(organization, settings),
        policies=sla.organization_policies(organization.pk),
    )


def _unique(items: Iterable[InboundItem]) -> dict[str, InboundItem]:
    """The items with a usable external id, the first of each id."""
    unique: dict[str, InboundItem] = {}
    for item in items:
        if item.external_id and len(item.external_id) <= 500:
            unique.setdefault(item.external_id, item)
    return unique


def _signals_for(items: list[InboundItem], signals: Mapping[str, Signals] | None) -> list[Signals]:
    """Each item's signals: from `signals` (triaged beforehand) where they are there, else triaged now."""
    if signals is None:
        return _triage(items)
    missing = [item for item in items if item.external_id not in signals]
    late = dict(zip((item.external_id for item in missing), _triage(missing), strict=True))
    return [signals[x] if x in signals else late[x] for x in (item.external_id for item in items)]


def ingest_items(
    channel: Channel, items: Sequence[InboundItem], *, signals: Mapping[str, Signals] | None = None
) -> IngestReport:
    """Store a batch of one channel's items as messages in cases: idempotent, routed, with SLA dues.

    `signals` (external id → triage, see `triage_page`) are the items' signals computed beforehand; the new
    items not in it are triaged here."""
    return _ingest(channel, items, signals, _ContextOf(channel))


def _ingest(
    channel: Channel,
    items: Sequence[InboundItem],
    signals: Mapping[str, Signals] | None,
    context_of: _ContextOf,
) -> IngestReport:
    report = IngestReport(received=len(items))
    unique = _unique(items)
    if not unique:
        return report
    with transaction.atomic():
        known: set[str] = set()
        for narrowed in _among(Message.objects.filter(channel=channel), "external_id", list(unique)):
            known.update(narrowed.values_list("external_id", flat=True))
        new_items = [i for x, i in unique.items() if x not in known]
        triaged = _signals_for(new_items, signals)
        fresh = [_Triaged(i, thread_key(i), s) for i, s in zip(new_items, triaged, strict=True)]
        report.duplicates = len(items) - len(fresh)
        if not fresh:
            return report
        fresh.sort(key=lambda t: t.item.created_at)
        contacts = _contacts(channel, [t.item for t in fresh])
        keys = list(dict.fromkeys(t.key for t in fresh))
        cases: dict[str, Case] = {}
        for narrowed in _among(Case.objects.filter(channel=channel), "thread_key", keys):
            cases.update((c.thread_key, c) for c in narrowed)
        new_keys = [k for k in keys if k not in cases]
        created: dict[str, int] = {}
        if new_keys:
            wanted = set(new_keys)
            chosen = [t for t in fresh if t.key in wanted]
            created = _create_cases(channel, chosen, contacts, report, context_of())
            lost = [k for k in new_keys if k not in created]  # won by a concurrent batch: brought up to date
            for narrowed in _among(Case.objects.filter(channel=channel), "thread_key", lost):
                cases.update((c.thread_key, c) for c in narrowed)
        case_ids = {key: case.pk for key, case in cases.items()} | created
        insert_ignoring_conflicts(
            Message, [_message(channel, case_ids[t.key], t) for t in fresh if t.key in case_ids]
        )
        report.new_messages = len(fresh)
        report.case_ids.extend(created.values())
        webhook_events.cases_created(channel, list(created.values()))
        # Cases made by this batch carry their counts already; the others are brought up to date.
        touched = {k: c for k, c in cases.items() if k not in created}
        _update_cases(channel, touched, fresh, report, context_of)
    return report


def ingest_pages(channel: Channel, pages: Iterable[Sequence[InboundItem]]) -> IngestReport:
    """Store pages of one channel's items in order, each as `ingest_items` stores it (in its own transaction,
    or a savepoint of the caller's), with the next page triaged in a background thread meanwhile.

    The results are those of `ingest_items` called page after page: triage gives each text the same signals
    whatever else it is read with, and the pages are stored in order by this thread. A triage failure is
    handled in the background as it would be here (each text then read on its own). Items seen in an earlier
    page of the run are not triaged ahead again: they are stored by then (or, should one not be, triaged
    when its page is stored)."""
    total = IngestReport()
    ahead: Iterator[Sequence[InboundItem]] = iter(pages)
    page = next(ahead, None)
    if page is None:
        return total
    following = next(ahead, None)
    context_of = _ContextOf(channel)  # routing rules, owners and SLA clock: loaded once for all pages
    if following is None:  # one page: nothing to overlap
        _add(total, _ingest(channel, page, None, context_of))
        return total
    seen = set(_unique(page))
    signals: Mapping[str, Signals] | None = None  # the first page is triaged as it is stored
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="onevoice-triage") as pool:
        while page is not None:
            next_signals: Future[dict[str, Signals]] | None = None
            if following is not None:
                unseen = [item for x, item in _unique(following).items() if x not in seen]
                seen.update(item.external_id for item in unseen)
                next_signals = pool.submit(triage_page, unseen)
            _add(total, _ingest(channel, page, signals, context_of))
            page, signals = following, next_signals.result() if next_signals is not None else {}
            following = next(ahead, None) if page is not None else None
    return total


def _add(total: IngestReport, report: IngestReport) -> None:
    total.received += report.received
    total.new_messages += report.new_messages
    total.duplicates += report.duplicates
    total.new_cases += report.new_cases
    total.reopened_cases += report.reopened_cases
    total.case_ids.extend(report.case_ids)


def pages_of(items: Sequence[InboundItem], size: int | None = None) -> list[Sequence[InboundItem]]:
    """A delivery in pages of `size` (`INGEST_PAGE`) items, in the order the network gave them."""
    size = size or INGEST_PAGE
    return [items[start : start + size] for start in range(0, len(items), size)]


def _message(channel: Channel, case_id: int, triaged: _Triaged) -> dict[str, Any]:
    """The message's row (see `bulk.insert_ignoring_conflicts`)."""
    item, signals = triaged.item, triaged.signals
    return {
        "case_id": case_id,
        "channel_id": channel.pk,
        "external_id": item.external_id,
        "direction": Message.Direction.INBOUND.value,
        "kind": str(item.kind),
        "author_id": _clean(item.author_id, 255),
        "author_handle": _clean(item.author_handle, 255),
        "author_name": _clean(item.author_name, 255),
        "text": _clean(item.text),
        "url": _clean(item.url, 1000),
        "in_reply_to": _clean(item.in_reply_to, 500),
        "thread_root": _clean(item.thread_root, 500),
        "created_at": item.created_at,
        "language": _clean(signals.language, 12),
        "sentiment": signals.sentiment,
        "offensive": signals.offensive,
        "triage": _triage_payload(signals),
    }


def _create_cases(
    channel: Channel,
    fresh: list[_Triaged],
    contacts: dict[str, tuple[int, bool]],
    report: IngestReport,
    context: _Context,
) -> dict[str, int]:
    """One case per new thread key, from its first message: routed, tagged and on the clock, with the
    batch's counts; returns thread key → id of the cases made here (not by a concurrent batch)."""
    first: dict[str, _Triaged] = {}
    last: dict[str, _Triaged] = {}
    counts: dict[str, int] = {}
    for triaged in fresh:  # sorted by time: the first one opens the case, the last one is the newest
        first.setdefault(triaged.key, triaged)
        last[triaged.key] = triaged
        counts[triaged.key] = counts.get(triaged.key, 0) + 1
    roots = {t.item.thread_root for t in first.values()} | {t.item.in_reply_to for t in first.values()}
    links = _post_links(channel, roots)
    built: list[tuple[dict[str, Any], routing.RoutingDecision]] = []
    for key, triaged in first.items():
        item, signals = triaged.item, triaged.signals
        newest = last[key]
        link = links.get(item.thread_root) or links.get(item.in_reply_to)
        contact_id, is_vip = contacts.get(item.author_id, (None, False))
        decision = context.rules.route(
            routing.RoutingInput(
                channel_id=channel.pk,
                text=item.text,
                kind=str(item.kind),
                language=signals.language,
                author_id=item.author_id,
                author_handle=item.author_handle,
                is_vip=is_vip,
                post_department_id=link.department_id if link else None,
                campaign_id=link.campaign_id if link else None,
                sentiment=signals.sentiment,
                offensive=signals.offensive,
            )
        )
        context.owner.apply(
            decision,
            post_department_id=link.department_id if link else None,
            channel_department_id=channel.department_id,
        )
        priority = decision.priority or Priority.NORMAL
        dues = sla.dues_for(
            context.calendar,
            context.policies,
            channel_id=channel.pk,
            priority=priority,
            started_at=item.created_at,
        )
        case = {
            "public_id": uuid.uuid4(),
            "organization_id": channel.organization_id,
            "channel_id": channel.pk,
            "thread_key": key,
            "contact_id": contact_id,
            "kind": str(item.kind),
            "subject": _subject(item.text),
            "status": Case.Status.NEW.value,
            "priority": str(priority),
            "department_id": decision.department_id,
            "assignee_id": decision.assignee_id,
            "post_id": link.post_id if link else None,
            "variant_id": link.variant_id if link else None,
            "needs_reply": not decision.no_reply_needed,
            "hidden": decision.hide,
            "language": _clean(newest.signals.language, 12),
            "sentiment": newest.signals.sentiment,
            "offensive": newest.signals.offensive,
            "sla_policy_id": dues.policy.pk if dues.policy is not None else None,
            "first_message_at": item.created_at,
            "last_message_at": newest.item.created_at,
            "last_inbound_at": newest.item.created_at,
            "first_response_due": dues.first_response_due,
            "resolution_due": dues.resolution_due,
            "message_count": counts[key],
        }
        built.append((case, decision))
    stored = insert_ignoring_conflicts(Case, [c for c, _d in built], returning=("thread_key", "id"))
    if (
        stored is not None
    ):  # PostgreSQL names the cases this insert stored; a concurrent batch may have won a key
        found = {str(thread_key): int(pk) for thread_key, pk in stored}
        by_key = {
            str(c["thread_key"]): found[str(c["thread_key"])] for c, _d in built if c["thread_key"] in found
        }
    else:  # a case is ours when it carries the public id we gave it
        ours = {c["public_id"] for c, _d in built}
        by_key = {
            thread_key: pk
            for chunk in _chunks([c["thread_key"] for c, _d in built])
            for thread_key, pk, public_id in Case.objects.filter(
                channel=channel, thread_key__in=chunk
            ).values_list("thread_key", "pk", "public_id")
            if public_id in ours
        }
    tag_rows, assignments, hidden = [], [], []
    for case, decision in built:
        pk = by_key.get(str(case["thread_key"]))
        if pk is None:
            continue
        report.new_cases += 1
        for tag_id in decision.tag_ids:
            tag_rows.append({"case_id": pk, "tag_id": tag_id})
        if decision.department_id is not None or decision.assignee_id is not None:
            reason = decision.reason or (
                _("Routing rule “%(name)s”") % {"name": decision.rule.name} if decision.rule else ""
            )
            assignments.append(
                {
                    "case_id": pk,
                    "department_id": decision.department_id,
                    "assignee_id": decision.assignee_id,
                    "rule_id": decision.rule.pk if decision.rule else None,
                    "reason": reason[:255],
                }
            )
        if decision.hide:
            hidden.append(pk)
    insert_ignoring_conflicts(Case.tags.through, tag_rows)
    insert_ignoring_conflicts(Assignment, assignments)
    routing.request_hide_on_network(hidden)
    return by_key


def _update_cases(
    channel: Channel,
    cases: dict[str, Case],
    fresh: list[_Triaged],
    report: IngestReport,
    context_of: _ContextOf,
) -> None:
    """Counts, times and the newest message's triage on every touched case; a closed or waiting case that
    hears from the person again is open again, with new dues from that message's time."""
    by_key: dict[str, list[_Triaged]] = {}
    for triaged in fresh:
        by_key.setdefault(triaged.key, []).append(triaged)
    changed: list[Case] = []
    for key, batch in by_key.items():
        case = cases.get(key)
        if case is None:
            continue
        newest = batch[-1]
        case.message_count += len(batch)
        case.last_message_at = max(case.last_message_at, newest.item.created_at)
        if case.last_inbound_at is None or newest.item.created_at >= case.last_inbound_at:
            case.last_inbound_at = newest.item.created_at
            case.language = _clean(newest.signals.language, 12)
            case.sentiment = newest.signals.sentiment
            case.offensive = newest.signals.offensive
        if not case.subject:
            case.subject = _subject(batch[0].item.text)
        if case.status in REOPENED:
            context = context_of()
            reopened_by = next(
                (t for t in batch if case.closed_at is None or t.item.created_at >= case.closed_at), batch[0]
            )
            dues = sla.dues_for(
                context.calendar,
                context.policies,
                channel_id=channel.pk,
                priority=case.priority,
                started_at=reopened_by.item.created_at,
            )
            case.status = Case.Status.OPEN
            case.closed_at = None
            case.first_response_at = None
            case.escalated_at = None
            case.needs_reply = True
            case.sla_policy = dues.policy
            case.first_response_due = dues.first_response_due
            case.resolution_due = dues.resolution_due
            report.reopened_cases += 1
        changed.append(case)
        report.case_ids.append(case.pk)
    if not changed:
        return
    now = timezone.now()
    for case in changed:
        case.updated_at = now
    fields = ["message_count", "last_message_at", "last_inbound_at", "language", "sentiment", "offensive"]
    fields += ["subject", "updated_at"]
    if not report.reopened_cases and connection.vendor == "postgresql":
        _update_from_values(changed)
        return
    if report.reopened_cases:
        fields += ["status", "closed_at", "first_response_at", "escalated_at", "needs_reply", "sla_policy"]
        fields += ["first_response_due", "resolution_due"]
    # Django's bulk_update writes one CASE per field: fine for a page's few known threads.
    Case.objects.bulk_update(changed, fields, batch_size=200)


def _update_from_values(cases: list[Case]) -> None:
    """PostgreSQL: the counts and times of many cases with one `COPY` and one `UPDATE … FROM` (see
    `bulk.update_rows`), instead of bulk_update's CASE per field, which grows with every case."""
    columns = ["message_count", "last_message_at", "last_inbound_at", "language", "sentiment", "offensive"]
    columns += ["subject", "updated_at"]
    update_rows(Case, columns, [[case.pk, *(getattr(case, c) for c in columns)] for case in cases])


# ---- polling a channel -------------------------------------------------------------------------------


@dataclass
class PollResult:
    channel_id: int
    outcome: str  # "ingested", "skipped", "busy", "failed", "rate_limited", "reconnect"
    report: IngestReport | None = None
    error: str = ""


def backoff(failures: int) -> timedelta:
    wait = min(BACKOFF_BASE * 2 ** max(failures - 1, 0), BACKOFF_MAX)
    return wait * random.uniform(0.8, 1.2)


def _claim(state: ChannelInboxState, now: datetime) -> bool:
    due = Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now)
    return bool(
        ChannelInboxState.objects.filter(pk=state.pk)
        .filter(due)
        .update(next_poll_at=now + CLAIM_FOR, last_polled_at=now)
    )


def _throttled_until(channel: Channel, now: datetime) -> datetime | None:
    """The publishing engine's shared wait for this channel after the network said "too many requests"."""
    from onevoice.publishing.models import ChannelThrottle

    return (
        ChannelThrottle.objects.filter(channel=channel, blocked_until__gt=now)
        .values_list("blocked_until", flat=True)
        .first()
    )


def ingest_channel(channel: Channel, *, force: bool = False) -> PollResult:
    """Poll one channel once (if it is due): fetch after its cursor, store, move the cursor, or back off."""
    from onevoice.networks.registry import connector_for

    if channel.state != Channel.State.CONNECTED:
        return PollResult(channel.pk, "skipped")
    now = timezone.now()
    state, _created = ChannelInboxState.objects.get_or_create(channel=channel)
    blocked = _throttled_until(channel, now)
    if blocked is not None:
        ChannelInboxState.objects.filter(pk=state.pk).update(next_poll_at=blocked)
        return PollResult(channel.pk, "rate_limited")
    if force:
        ChannelInboxState.objects.filter(pk=state.pk).update(next_poll_at=None)
    if not _claim(state, now):
        return PollResult(channel.pk, "busy")
    connector = None
    try:
        connector = connector_for(channel)
        page = connector.fetch_inbox(since=state.cursor)
    except RateLimited as error:
        _failed(state, error.message, next_poll_at=error.retry_after, count=False)
        return PollResult(channel.pk, "rate_limited", error=error.message)
    except AuthExpired as error:
        from onevoice.networks.services import channel_mark_reconnect, explain

        channel_mark_reconnect(channel, explain(error, channel.get_network_display()), None)
        _failed(state, error.message, next_poll_at=None)
        return PollResult(channel.pk, "reconnect", error=error.message)
    except (ConnectorError, BlockedAddress, OSError, ValueError) as error:
        message = getattr(error, "message", "") or str(error) or error.__class__.__name__
        _failed(state, message)
        log.warning("inbox poll of channel %s failed: %s", channel.pk, message)
        return PollResult(channel.pk, "failed", error=message)
    finally:
        close = getattr(connector, "close", None)
        if callable(close):
            close()
    with transaction.atomic():
        # A large delivery is stored page by page (the next page triaged meanwhile), all in this transaction.
        report = ingest_pages(channel, pages_of(page.items))
        # The cursor moves in the same transaction as the batch: either both are stored or neither.
        ChannelInboxState.objects.filter(pk=state.pk).update(
            cursor=_clean(page.cursor, 1000) or state.cursor,
            last_success_at=timezone.now(),
            failures=0,
            error="",
            next_poll_at=now + POLL_INTERVAL,
        )
    if report.new_messages:
        log.info(
            "inbox of channel %s: %s new messages, %s new cases",
            channel.pk,
            report.new_messages,
            report.new_cases,
        )
    return PollResult(channel.pk, "ingested", report=report)


def _failed(
    state: ChannelInboxState, message: str, *, next_poll_at: datetime | None = None, count: bool = True
) -> None:
    state.refresh_from_db(fields=["failures"])
    failures = state.failures + 1 if count else state.failures
    if next_poll_at is None:
        next_poll_at = timezone.now() + backoff(failures)
    ChannelInboxState.objects.filter(pk=state.pk).update(
        failures=failures, next_poll_at=next_poll_at, error=_clean(message, 1000)
    )


def channels_due(now: datetime | None = None) -> list[int]:
    """Connected channels whose network has an inbox and whose next poll is due."""
    from onevoice.networks.connectors.base import Capability
    from onevoice.networks.registry import connector_class

    now = now or timezone.now()
    candidates = Channel.objects.filter(state=Channel.State.CONNECTED).filter(
        Q(inbox_state__isnull=True)
        | Q(inbox_state__next_poll_at__isnull=True)
        | Q(inbox_state__next_poll_at__lte=now)
    )
    due = []
    for pk, network in candidates.values_list("pk", "network"):
        try:
            if Capability.INBOX in connector_class(network).capabilities:
                due.append(pk)
        except (KeyError, ImportError, ValueError):
            continue
    return due
