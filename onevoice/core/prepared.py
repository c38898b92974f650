"""The rows of a query that runs on every request of a kind, as a prepared statement on PostgreSQL.

Django's PostgreSQL backend binds parameters on the client by default, so the server plans every query
afresh; for the token check the planning took longer than running it. Here, on PostgreSQL, such a query
is prepared once per database connection (psycopg keeps it) and then only executed. It still goes through Django's cursor wrapper: error translation, execute wrappers
and the query log (and with it `CaptureQueriesContext` and the query-count assertions of the tests).
Other databases: Django's ordinary cursor.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection


def _prepared_cursor_class() -> type[Any]:
    import psycopg

    class PreparedCursor(psycopg.Cursor[Any]):
        """A server-side binding cursor that prepares every statement it runs."""

        def execute(
            self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: bool | None = None
        ) -> Any:
            return super().execute(query, params, prepare=True, binary=binary)

    return PreparedCursor


_cursor_class: type[Any] | None = None


@contextmanager
def _cursor() -> Iterator[Any]:
    """A cursor that prepares what it runs on PostgreSQL; Django's ordinary cursor elsewhere."""
    global _cursor_class
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    if _cursor_class is None:
        _cursor_class = _prepared_cursor_class()
    connection.ensure_connection()
    if connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS"):
        # Behind a pooler in transaction mode (PgBouncer): statements are not prepared.
        with connection.cursor() as cursor:
            yield cursor
        return
    if connection.connection.prepare_threshold is None:
        # Django turns automatic preparing off; only these cursors prepare (its own bind on the client).
        connection.connection.prepare_threshold = 2**31 - 1
    raw = _cursor_class(connection.connection)
    cursor = connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)
    with cursor:
        yield cursor


def fetch_one(sql: str, params: list[Any]) -> tuple[Any, ...] | None:
    with _cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def fetch_all(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with _cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
