"""Django's database sessions, read with one written-out statement.

Every page reads the session before anything else. Django's store builds and compiles the same ORM query
for it on every request, which costs more than running it; this store writes the statement out once and
otherwise is Django's (`SESSION_ENGINE = "onevoice.accounts.sessions"`, the same table and rows).
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self) -> Any:
        if not self.session_key:
            return None
        using = router.db_for_read(self.model)
        connection = connections[using]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        found = list(self.model.objects.using(using).raw(_read_sql(using), [self.session_key, now]))
        if not found:
            self._session_key = None
            return None
        return found[0]


@functools.cache
def _read_sql(using: str) -> str:
    from django.contrib.sessions.models import Session

    quote = connections[using].ops.quote_name
    return (
        f"SELECT session_key, session_data, expire_date FROM {quote(Session._meta.db_table)} "  # noqa: S608
        "WHERE session_key = %s AND expire_date > %s"
    )
