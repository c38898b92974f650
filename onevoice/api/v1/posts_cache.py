"""The answers of `GET /api/v1/posts`, kept per process and served again while nothing they show has changed.

Integrations poll the list all day, mostly for the same month. An answer is kept under a key that holds
everything it was built from:

- the person (membership id) with what decides what they see: their role and whether they act at all (a
  service token's role is its own);
- the request: scheme, host, path, query string (the links repeat it), the language, and the period the
  range stands for today;
- the data version (`onevoice/core/data_version.py`): a number PostgreSQL raises with every committed
  write to the tables the answer shows (posts, variants, departments, campaigns, topics, memberships and
  their users and departments, channels, channel permissions, organisations), from any code path.

The data version comes with the token check's query (one round trip for both); an answer is built, and its version read, in one
REPEATABLE READ snapshot, so it is exactly the answer for that version. The token is checked against the
database on every request before any of this, so a revoked or expired token gets 401 at once. Other
databases than PostgreSQL: nothing is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import translation

from onevoice.api.models import ApiToken
from onevoice.core import data_version
from onevoice.core.answer_cache import AnswerCache
from onevoice.organization.models import Membership

answers = AnswerCache(entries=64, size=32 * 1024 * 1024)


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
    *,
    first: datetime | None,
    following: datetime | None,
    build: Callable[[], bytes],
) -> bytes:
    """The answer from `answers` if it was built at the current data version, otherwise `build()` (kept
    for the next time)."""
    if connection.vendor != "postgresql":
        return build()
    token: ApiToken = request.auth  # type: ignore[attr-defined]
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
    )
    # The token check read the version a moment ago, with the token (api/services.py).
    seen = getattr(token, "data_version", None)
    body = answers.get((*request_key, seen if seen is not None else data_version.current()))
    if body is not None:
        return body
    with _one_snapshot():
        key = (*request_key, data_version.current())
        body = build()
    answers.put(key, body)
    return body
