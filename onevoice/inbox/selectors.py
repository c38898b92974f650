"""Reads of the inbox for the people who work it: the case list with its filters, one case with its thread,
the contact's earlier cases, who else is in the case, and the counts for the navigation.

Every read starts from `visible_cases(member)` (organization/access.py), so department isolation holds in
the list, the counts and the live updates alike. The list runs a fixed number of queries whatever the page
size: the page's ids; the rows (plain values) with their channel, post, assignee and latest inbound message's id;
those messages; the tags.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from onevoice.core.prepared import fetch_all
from onevoice.inbox.models import (
    Case,
    CasePresence,
    InternalNote,
    Message,
    Reply,
    SavedReply,
    Tag,
)
from onevoice.networks.models import Channel
from onevoice.organization.access import _department_ids, visible_cases
from onevoice.organization.models import Membership
from onevoice.organization.roles import Capability, Role

PAGE_SIZE = 25
PRESENCE_WINDOW = timedelta(seconds=15)  # a heartbeat every 5 s: three missed ones and the person has left
TYPING_WINDOW = timedelta(seconds=8)

ACTIVE = (Case.Status.NEW, Case.Status.OPEN, Case.Status.WAITING)
STATUS_FILTERS: dict[str, tuple[str, ...]] = {
    "active": ACTIVE,
    "new": (Case.Status.NEW,),
    "open": (Case.Status.OPEN,),
    "waiting": (Case.Status.WAITING,),
    "closed": (Case.Status.CLOSED,),
    "all": (),
}
VIEWS = ("", "mine", "department", "unassigned", "overdue", "approval")
SORTS = ("newest", "urgent")


@dataclass
class CaseFilters:
    """What the list shows; every field has a harmless default, so a bad address shows the usual list."""

    view: str = ""
    status: str = "active"
    channel: Channel | None = None
    tag: Tag | None = None
    priority: str = ""
    q: str = ""
    sort: str = "newest"

    def query(self, **changes: Any) -> dict[str, str]:
        """The filters as address parameters (for links that change one of them)."""
        values = {
            "view": self.view,
            "status": self.status if self.status != "active" else "",
            "channel": str(self.channel.public_id) if self.channel else "",
            "tag": str(self.tag.public_id) if self.tag else "",
            "priority": self.priority,
            "q": self.q,
            "sort": self.sort if self.sort != "newest" else "",
        }
        values.update({k: str(v) for k, v in changes.items()})
        return {k: v for k, v in values.items() if v}


def _overdue(now: datetime) -> Q:
    """First response late (not answered yet) or resolution late (not closed yet)."""
    return Q(first_response_at__isnull=True, first_response_due__lt=now) | Q(
        closed_at__isnull=True, resolution_due__lt=now
    )


def _filtered(member: Membership, filters: CaseFilters, now: datetime) -> QuerySet[Case]:
    """The visible cases under every filter except status (and without an order)."""
    cases = visible_cases(member)
    if filters.view == "mine":
        cases = cases.filter(assignee_id=member.pk)
    elif filters.view == "department":
        cases = cases.filter(department_id__in=sorted(_department_ids(member)))
    elif filters.view == "unassigned":
        cases = cases.filter(assignee__isnull=True)
    elif filters.view == "overdue":
        cases = cases.exclude(status=Case.Status.CLOSED).filter(_overdue(now))
    elif filters.view == "approval":
        cases = cases.filter(
            Exists(Reply.objects.filter(case_id=OuterRef("pk"), state=Reply.State.PENDING_APPROVAL))
        )
    if filters.channel is not None:
        cases = cases.filter(channel_id=filters.channel.pk)
    if filters.tag is not None:
        cases = cases.filter(
            Exists(Case.tags.through.objects.filter(case_id=OuterRef("pk"), tag_id=filters.tag.pk))
        )
    if filters.priority:
        cases = cases.filter(priority=filters.priority)
    if filters.q:
        text = filters.q
        cases = cases.filter(
            Q(subject__icontains=text)
            | Exists(
                Message.objects.filter(case_id=OuterRef("pk")).filter(
                    Q(text__icontains=text)
                    | Q(author_handle__icontains=text)
                    | Q(author_name__icontains=text)
                )
            )
        )
    return cases


NEWEST = ("-last_message_at", "-id")


def cases_for(member: Membership, filters: CaseFilters, *, now: datetime | None = None) -> QuerySet[Case]:
    """The cases the person sees under these filters, newest first (or most urgent first)."""
    cases = _filtered(member, filters, now or timezone.now())
    statuses = STATUS_FILTERS.get(filters.status, ACTIVE)
    if statuses:
        cases = cases.filter(status__in=statuses) if len(statuses) > 1 else cases.filter(status=statuses[0])
    if filters.sort == "urgent":
        return cases.order_by(F("first_response_due").asc(nulls_last=True), *NEWEST)
    return cases.order_by(*NEWEST)


# Stands for the status while the per-status statement is compiled (no real status has a NUL in it).
_STATUS_MARK = "\x00status\x00"


def page_ids(member: Membership, filters: CaseFilters, *, start: int, stop: int, now: datetime) -> list[int]:
    """The ids of the cases at positions [start, stop) of the list.

    Newest first over several statuses runs one ordered, limited subquery per status and merges them: each
    walks the index (organisation, status, newest message) in order and stops after `stop` rows, where one
    query over all statuses would sort every active case of a big inbox first. The subquery is compiled
    once and repeated with each status; the database merges at most `stop` rows per status.
    """
    statuses = STATUS_FILTERS.get(filters.status, ACTIVE)
    if filters.sort != "newest" or len(statuses) < 2:
        return list(cases_for(member, filters, now=now).values_list("pk", flat=True)[start:stop])
    one_status = (
        _filtered(member, filters, now)
        .filter(status=_STATUS_MARK)
        .order_by(*NEWEST)
        .values_list("last_message_at", "pk")[:stop]
    )
    try:
        sql, params = one_status.query.sql_with_params()
    except EmptyResultSet:  # a filter that matches nothing (e.g. "my department" without one)
        return []
    if list(params).count(_STATUS_MARK) != 1:
        raise AssertionError("the status must be the only place the mark appears")
    union = " UNION ALL ".join(f"SELECT * FROM ({sql}) AS s{i}" for i in range(len(statuses)))  # noqa: S608
    merged: list[Any] = []
    for status in statuses:
        merged += [status if value == _STATUS_MARK else value for value in params]
    # Ordinals: the subqueries' columns are (last message, id). Prepared on PostgreSQL: the same filters give
    # the same statement, and planning three subqueries cost more than running them.
    rows = fetch_all(
        f"SELECT * FROM ({union}) AS merged ORDER BY 1 DESC, 2 DESC LIMIT %s OFFSET %s",  # noqa: S608
        [*merged, stop - start, start],
    )
    return [pk for _at, pk in rows]


@dataclass(slots=True)
class CaseRow:
    """One row of the list, read as plain values: 25 cases with their channel, post, department and assignee
    as model objects cost the page several times what its queries do."""

    pk: int
    public_id: UUID
    kind: str
    status: str
    priority: str
    sentiment: str
    offensive: bool
    subject: str
    last_message_at: datetime
    first_response_at: datetime | None
    first_response_due: datetime | None
    resolution_due: datetime | None
    channel_name: str
    channel_network: str
    post_title: str | None
    department_name: str | None
    assignee_name: str | None
    author_handle: str
    author_name: str
    snippet: str
    tags: list[str] = field(default_factory=list)
    sla_due: datetime | None = None
    sla_left: timedelta | None = None
    sla_overdue: bool = False
    sla_kind: str = "first"


@functools.cache
def _rows_sql(vendor: str) -> tuple[str, str]:
    """The list's two statements, written out once per process: building and compiling the same joins,
    subquery and value lookups through the ORM on every page cost several times what running them does."""
    from onevoice.accounts.models import User
    from onevoice.organization.models import Department
    from onevoice.planning.models import Post

    q = connection.ops.quote_name
    case, message, channel = q(Case._meta.db_table), q(Message._meta.db_table), q(Channel._meta.db_table)
    post, department = q(Post._meta.db_table), q(Department._meta.db_table)
    member, user = q(Membership._meta.db_table), q(User._meta.db_table)
    tag, case_tags = q(Tag._meta.db_table), q(Case.tags.through._meta.db_table)
    # The page's ids are one parameter: a JSON array on SQLite, an array on PostgreSQL.
    ids = (
        "WITH ids(value) AS (SELECT value FROM json_each(%s))"
        if vendor == "sqlite"
        else "WITH ids(value) AS (SELECT unnest(%s::bigint[]))"
    )
    # Table names come from the models; every value is a parameter.
    rows = f"""{ids}
        SELECT c.id, c.public_id, c.kind, c.status, c.priority, c.sentiment, c.offensive, c.subject,
               c.last_message_at, c.first_response_at, c.first_response_due, c.resolution_due,
               ch.name AS channel_name, ch.network AS channel_network, p.title AS post_title,
               d.name AS department_name, u.full_name AS assignee_name,
               m.author_handle, m.author_name, substr(m.text, 1, 240) AS snippet
        FROM {case} c
        JOIN {channel} ch ON ch.id = c.channel_id
        LEFT JOIN {post} p ON p.id = c.post_id
        LEFT JOIN {department} d ON d.id = c.department_id
        LEFT JOIN {member} a ON a.id = c.assignee_id
        LEFT JOIN {user} u ON u.id = a.user_id
        LEFT JOIN {message} m ON m.id = (
            SELECT latest.id FROM {message} latest
            WHERE latest.case_id = c.id AND latest.direction = %s
            ORDER BY latest.created_at DESC, latest.id DESC LIMIT 1)
        WHERE c.id IN (SELECT value FROM ids)
    """  # noqa: S608
    tags = f"""{ids}
        SELECT ct.case_id, t.name FROM {case_tags} ct JOIN {tag} t ON t.id = ct.tag_id
        WHERE ct.case_id IN (SELECT value FROM ids) ORDER BY t.name, ct.tag_id
    """  # noqa: S608
    return rows, tags


def case_rows(ids: list[int]) -> list[CaseRow]:
    """The rows of these cases in this order, in two statements: the cases with their channel, post,
    department, assignee and the author and first words of their latest inbound message; then the tags."""
    if not ids:
        return []
    rows_sql, tags_sql = _rows_sql(connection.vendor)
    page: Any = json.dumps(ids) if connection.vendor == "sqlite" else ids
    # Plain tuples, not model instances: 25 cases built through `raw` cost ten times their statement. Prepared
    # on PostgreSQL, which otherwise spends several times running the seven-table join on planning it.
    found = {row[0]: row for row in fetch_all(rows_sql, [page, Message.Direction.INBOUND])}
    tags: dict[int, list[str]] = {}
    for case_id, name in fetch_all(tags_sql, [page]):
        tags.setdefault(case_id, []).append(name)
    rows = []
    for pk in ids:
        if (row := found.get(pk)) is None:
            continue  # deleted in the meantime
        (_pk, public_id, kind, status, priority, sentiment, offensive, subject, last_message_at) = row[:9]
        (first_response_at, first_response_due, resolution_due, channel_name, channel_network) = row[9:14]
        (post_title, department_name, assignee_name, author_handle, author_name, snippet) = row[14:]
        rows.append(
            CaseRow(
                pk=pk,
                public_id=_as_uuid(public_id),
                kind=kind,
                status=status,
                priority=priority,
                sentiment=sentiment,
                offensive=bool(offensive),
                subject=subject,
                last_message_at=_as_time(last_message_at),
                first_response_at=_as_time(first_response_at),
                first_response_due=_as_time(first_response_due),
                resolution_due=_as_time(resolution_due),
                channel_name=channel_name,
                channel_network=channel_network,
                post_title=post_title,
                department_name=department_name,
                assignee_name=assignee_name,
                author_handle=author_handle or "",
                author_name=author_name or "",
                snippet=snippet or "",
                tags=tags.get(pk, []),
            )
        )
    return rows


def _as_uuid(value: Any) -> UUID:
    """PostgreSQL returns a UUID; SQLite its 32 hex digits."""
    return value if isinstance(value, UUID) else UUID(value)


def _as_time(value: Any) -> Any:
    """PostgreSQL returns an aware time; SQLite a naive one in UTC (Django stores UTC there), or text when the
    column's declared type was lost."""
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


@dataclass
class CasePage:
    rows: list[CaseRow]
    number: int
    size: int
    total: int | None  # known on the last page only
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.rows else 0

    @property
    def last_index(self) -> int:
        return (self.number - 1) * self.size + len(self.rows)


def case_page(
    member: Membership,
    filters: CaseFilters,
    *,
    number: int = 1,
    size: int = PAGE_SIZE,
    now: datetime | None = None,
) -> CasePage:
    """One page of the list: the page's ids, then its rows and their tags; no count of every match."""
    now = now or timezone.now()
    number = max(1, number)
    start = (number - 1) * size
    # The page's ids first (the ordering works on bare rows), then the rows with what they show: the
    # latest message's author and text are looked up for these rows only, not for every matching case.
    ids = page_ids(member, filters, start=start, stop=start + size + 1, now=now)
    has_next = len(ids) > size
    rows = case_rows(ids[:size])
    for row in rows:
        decorate_sla(row, now)
    # No count of every matching case: in a big inbox that costs more than the page. The last page knows it.
    total = start + len(rows) if not has_next else None
    return CasePage(rows=rows, number=number, size=size, total=total, has_next=has_next)


def decorate_sla(case: Any, now: datetime) -> None:
    """The deadline that counts now (first response until answered, then resolution) and the time left, on a
    list row (`CaseRow`) or a case being shown."""
    due = None
    if case.status != Case.Status.CLOSED:
        due = case.first_response_due if case.first_response_at is None else case.resolution_due
    case.sla_due = due
    case.sla_left = (due - now) if due is not None else None
    case.sla_overdue = due is not None and due < now
    case.sla_kind = "first" if case.first_response_at is None else "resolution"


def new_since(member: Membership, filters: CaseFilters, since: datetime) -> int:
    """How many cases under these filters got a message after `since` (for the list's live banner)."""
    return cases_for(member, filters).filter(last_message_at__gt=since).order_by()[:100].count()


OPEN_COUNT_CAP = 100  # the badge shows "99+" from here on, as the bell does


def my_open_count(member: Membership) -> int:
    """The navigation's badge: cases assigned to me that are not closed, counted up to `OPEN_COUNT_CAP` (every
    page of a CM shows it, and counting thousands of open cases on each would cost more than the page's
    list; the statement is written out, as building it through the ORM cost more than counting)."""
    with connection.cursor() as cursor:
        cursor.execute(_open_count_sql(), [member.organization_id, member.pk, *ACTIVE, OPEN_COUNT_CAP])
        (count,) = cursor.fetchone() or (0,)
    return int(count)


@functools.cache
def _open_count_sql() -> str:
    marks = ", ".join(["%s"] * len(ACTIVE))
    table = connection.ops.quote_name(Case._meta.db_table)
    return (
        f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE organization_id = %s AND assignee_id = %s "  # noqa: S608
        f"AND status IN ({marks}) LIMIT %s) AS mine"
    )


@dataclass
class FilterOptions:
    channels: list[Channel]
    tags: list[Tag]
    has_departments: bool

    @property
    def channel_choices(self) -> list[tuple[str, str]]:
        return [(str(channel.public_id), channel.name) for channel in self.channels]

    @property
    def tag_choices(self) -> list[tuple[str, str]]:
        return [(str(tag.public_id), tag.name) for tag in self.tags]


def filter_options(member: Membership) -> FilterOptions:
    """The organisation's channels and tags for the filter bar, by name."""
    channels = list(Channel.objects.raw(_options_sql(Channel, "network"), [member.organization_id]))
    tags = list(Tag.objects.raw(_options_sql(Tag), [member.organization_id]))
    return FilterOptions(channels=channels, tags=tags, has_departments=bool(_department_ids(member)))


@functools.cache
def _options_sql(model: type[Channel | Tag], *more: str) -> str:
    """Written out once: the filter bar is on every inbox page and the statements never change."""
    columns = ", ".join(["id", "public_id", "name", *more])
    table = connection.ops.quote_name(model._meta.db_table)
    return f"SELECT {columns} FROM {table} WHERE organization_id = %s ORDER BY name, id"  # noqa: S608


# ---- one case ----------------------------------------------------------------------------------------


@dataclass
class ThreadItem:
    """A message of the thread or a reply still on its way (pending, held, failed …)."""

    kind: str  # "message" or "reply"
    at: datetime
    message: Message | None = None
    reply: Reply | None = None


@dataclass
class CaseView:
    case: Case
    thread: list[ThreadItem]
    notes: list[InternalNote]
    earlier: list[Case]
    open_replies: list[Reply]
    last_inbound: Message | None
    tags: list[Tag] = field(default_factory=list)


def case_view(member: Membership, case: Case) -> CaseView:
    """The thread (messages and unsent replies in time order), notes and the author's earlier cases."""
    messages = list(
        case.messages.select_related("sent_by__user")
        .prefetch_related("corrections")
        .order_by("created_at", "id")
    )
    replies = list(
        case.replies.select_related("author__user", "decided_by__user", "saved_reply")
        .exclude(state__in=[Reply.State.SENT, Reply.State.DISCARDED])
        .order_by("created_at", "id")
    )
    thread = [ThreadItem("message", m.created_at, message=m) for m in messages]
    thread += [ThreadItem("reply", r.created_at, reply=r) for r in replies]
    thread.sort(key=lambda item: item.at)
    notes = list(case.notes.select_related("author__user").prefetch_related("mentions__user"))
    earlier: list[Case] = []
    if case.contact_id is not None:
        earlier = list(
            visible_cases(member)
            .filter(contact_id=case.contact_id)
            .exclude(pk=case.pk)
            .select_related("channel")
            .order_by("-last_message_at")[:10]
        )
    inbound = [m for m in messages if m.direction == Message.Direction.INBOUND]
    return CaseView(
        case=case,
        thread=thread,
        notes=notes,
        earlier=earlier,
        open_replies=replies,
        last_inbound=inbound[-1] if inbound else None,
        tags=list(case.tags.all()),
    )


def answered_since(case: Case, since: datetime, *, by_other_than: Membership) -> list[Reply]:
    """Replies someone else sent, queued or put up for approval in this case after `since`."""
    return list(
        Reply.objects.filter(
            case=case,
            created_at__gt=since,
            state__in=[
                Reply.State.QUEUED,
                Reply.State.SENDING,
                Reply.State.SENT,
                Reply.State.PENDING_APPROVAL,
            ],
        )
        .exclude(author=by_other_than)
        .select_related("author__user")
    )


def others_present(case: Case, member: Membership, *, now: datetime | None = None) -> list[CasePresence]:
    """Who else has the case open right now, and whether they are typing."""
    now = now or timezone.now()
    found = list(
        CasePresence.objects.filter(case=case, seen_at__gte=now - PRESENCE_WINDOW)
        .exclude(membership=member)
        .select_related("membership__user")
    )
    for presence in found:
        presence.is_typing = bool(presence.typing_at and presence.typing_at >= now - TYPING_WINDOW)  # type: ignore[attr-defined]
    return found


def assignable_members(member: Membership, case: Case) -> list[Membership]:
    """People who could own the case: those who reply to the community in the organisation."""
    people = (
        Membership.objects.active()
        .filter(organization_id=member.organization_id, role__in=[Role.ADMIN, Role.SMM, Role.CM])
        .select_related("user")
        .order_by("user__full_name")
    )
    return list(people)


def approvers_for(case: Case) -> list[Membership]:
    """Who may approve a reply in this case: SMMs and admins, and reviewers of its department (or of none)."""
    people = (
        Membership.objects.active()
        .filter(organization_id=case.organization_id)
        .select_related("user")
        .prefetch_related("departments")
    )
    found = []
    for person in people:
        if not person.can(Capability.APPROVE):
            continue
        if person.role in (Role.ADMIN, Role.SMM):
            found.append(person)
            continue
        departments = {d.pk for d in person.departments.all()}
        if not departments or case.department_id in departments:
            found.append(person)
    return found


def saved_replies_for(member: Membership, *, language: str = "") -> list[SavedReply]:
    """The active saved replies, those in the case's language first."""
    replies = list(
        SavedReply.objects.filter(organization_id=member.organization_id, active=True).select_related("topic")
    )
    if language:
        replies.sort(key=lambda r: (r.language != language, r.title.lower()))
    return replies


def saved_replies_all(member: Membership) -> list[SavedReply]:
    return list(
        SavedReply.objects.filter(organization_id=member.organization_id)
        .select_related("topic", "created_by__user")
        .order_by("-active", "title", "id")
    )
