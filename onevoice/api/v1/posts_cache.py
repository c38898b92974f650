"""The answers of `GET /api/v1/posts`, kept per process and served again while nothing they show has changed.

Integrations poll the list all day, mostly for the same month. An answer is kept under a key that holds
everything it was built from:

- the person (membership id) with what decides what they see: their role and whether they act at all (a
  service token's role is its own), the rows of their membership, their departments and their explicit
  channel permissions, the organisation's channels (name, network, department) and the organisation's row
  (its address and time zone);
- the request: scheme, host, path, query string (the links repeat it), the language, and the period the
  range stands for today;
- the data shown: the number of posts matched, the ids of the page's posts in order, and a version of
  every row the page shows: the posts, their variants, departments, campaigns, topics, owners and their
  users.

On PostgreSQL the version of a row is its `xmin` (the transaction that wrote it) and `ctid` (where that
version lies): every insert, update or delete, from any code path (services, `QuerySet.update`, bulk
writes, the admin, raw SQL), gives the affected rows a new version or changes the count or the page's
ids. The key is one small query over the page's rows and the person's lookups, not over the whole month,
so a post outside the page changes nothing that is shown (other than the count, which is in the key).

An answer is built, and its key read, in one REPEATABLE READ snapshot, so it is exactly the answer for
that key. The token is checked against the database on every request before any of this, so a revoked
or expired token gets 401 at once. Other databases than PostgreSQL: nothing is kept.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import translation

from onevoice.api.models import ApiToken
from onevoice.api.prepared import fetch_one
from onevoice.core.answer_cache import AnswerCache
from onevoice.networks.models import Channel, ChannelPermission
from onevoice.organization.models import Department, Membership, Organization
from onevoice.planning.models import Campaign, Post, PostVariant, Topic

answers = AnswerCache(entries=64, size=32 * 1024 * 1024)


def _version(alias: str) -> str:
    return f"{alias}.id::text || '@' || {alias}.xmin::text || {alias}.ctid::text"


def _versions_of(table: type[Any], alias: str, where: str) -> str:
    """md5 over the versions of the matching rows, in id order ('' when none match)."""
    return (
        f"(SELECT coalesce(md5(string_agg({_version(alias)}, ',' ORDER BY {alias}.id)), '') "  # noqa: S608
        f"FROM {table._meta.db_table} {alias} WHERE {where})"
    )


@functools.lru_cache(maxsize=64)
def _fingerprint_sql(where: str) -> str:
    users = get_user_model()._meta.db_table
    # Table names from the models, conditions written here or compiled by the ORM; values are parameters.
    return f"""
WITH page AS MATERIALIZED (
    SELECT p.id, p.publish_at, p.xmin::text || p.ctid::text AS version,
           p.department_id, p.campaign_id, p.topic_id, p.owner_id
    FROM {Post._meta.db_table} p WHERE {where}
    ORDER BY p.publish_at, p.id LIMIT %s OFFSET %s
)
SELECT
    (SELECT count(*) FROM {Post._meta.db_table} p WHERE {where}),
    (SELECT coalesce(string_agg(id::text || '@' || version, ',' ORDER BY publish_at, id), '') FROM page),
    {_versions_of(PostVariant, "v", "v.post_id IN (SELECT id FROM page)")},
    {_versions_of(Department, "d", "d.id IN (SELECT department_id FROM page)")},
    {_versions_of(Campaign, "c", "c.id IN (SELECT campaign_id FROM page)")},
    {_versions_of(Topic, "t", "t.id IN (SELECT topic_id FROM page)")},
    {_versions_of(Membership, "m", "m.id IN (SELECT owner_id FROM page)")},
    (SELECT coalesce(md5(string_agg({_version("u")}, ',' ORDER BY u.id)), '')
     FROM {users} u
     WHERE u.id IN (SELECT m.user_id FROM {Membership._meta.db_table} m
                    WHERE m.id IN (SELECT owner_id FROM page))),
    {_versions_of(Channel, "ch", "ch.organization_id = %s")},
    {_versions_of(ChannelPermission, "cp", "cp.membership_id = %s")},
    {_versions_of(Membership.departments.through, "md", "md.membership_id = %s")},
    {_versions_of(Membership, "me", "me.id = %s")},
    {_versions_of(Organization, "o", "o.id = %s")}
"""  # noqa: S608


def _where(
    member: Membership,
    matched: Callable[[], QuerySet[Post]],
    filtered: bool,
    unscheduled: bool,
    first: datetime | None,
    following: datetime | None,
) -> tuple[str, list[Any]]:
    """The posts matched, as an SQL condition on `p`: written out for the plain list (the polled case,
    the same conditions as the queryset), the queryset itself as a subquery when filters are set."""
    if filtered:
        sql, compiled = matched().order_by().values("pk").query.sql_with_params()
        return f"p.id IN ({sql})", list(compiled)
    where: list[str] = ["p.organization_id = %s"]
    params: list[Any] = [member.organization_id]
    if unscheduled:
        where.append("p.publish_at IS NULL")
    if first is not None:
        where.append("p.publish_at >= %s")
        params.append(first)
    if following is not None:
        where.append("p.publish_at < %s")
        params.append(following)
    return " AND ".join(where), params


def fingerprint(member: Membership, where: tuple[str, list[Any]], offset: int, limit: int) -> tuple[Any, ...]:
    condition, params = where
    org = member.organization_id
    row = fetch_one(
        _fingerprint_sql(condition),
        [*params, limit, offset, *params, org, member.pk, member.pk, member.pk, org],
    )
    assert row is not None  # an aggregate query returns one row
    return tuple(row)


@contextmanager
def _one_snapshot() -> Iterator[None]:
    """A read-only REPEATABLE READ transaction: every query inside sees the same committed state. Inside
    a transaction already (tests), that one is used."""
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def cached_answer(
    request: HttpRequest,
    member: Membership,
    matched: Callable[[], QuerySet[Post]],
    *,
    filtered: bool,
    unscheduled: bool,
    first: datetime | None,
    following: datetime | None,
    offset: int,
    limit: int,
    build: Callable[[], bytes],
) -> bytes:
    """The answer from `answers` if its key is current, otherwise `build()` (kept for the next time)."""
    if connection.vendor != "postgresql":
        return build()
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    where = _where(member, matched, filtered, unscheduled, first, following)
    request_key = (
        member.organization_id,
        member.pk,
        token.kind,
        member.role,
        member.is_active,
        request.build_absolute_uri(request.path),
        request.META.get("QUERY_STRING", ""),
        translation.get_language(),
        first,
        following,
        offset,
        limit,
    )
    body = answers.get((*request_key, *fingerprint(member, where, offset, limit)))
    if body is not None:
        return body
    with _one_snapshot():
        key = (*request_key, *fingerprint(member, where, offset, limit))
        body = build()
    answers.put(key, body)
    return body
