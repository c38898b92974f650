"""Inserting many rows at once for ingestion, skipping those a unique constraint already holds.

Rows are plain dicts (field attname → value); a field a row leaves out gets the model's default, as
`Model(**row)` would give it (`auto_now`/`auto_now_add` fields the time of the insert).

On PostgreSQL the rows go in with `COPY` into a temporary table of the same columns (one per connection,
emptied at commit) and from there with one `INSERT … SELECT … ON CONFLICT DO NOTHING`: psycopg writes COPY
rows in C, where `bulk_create` prepares every value of every field in Python and quotes it into the SQL,
which costs more than the database's work for a page of messages. Elsewhere (SQLite) it is
`bulk_create(ignore_conflicts=True)`.
"""

from __future__ import annotations

import enum
import functools
import zlib
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

_NOW = object()  # marks the fields set to the time of the insert


@functools.cache
def _layout(model: type[models.Model]) -> tuple[tuple[str, ...], tuple[str, ...], tuple[Any, ...]]:
    """The model's columns without an auto primary key: attnames, column names and how each is filled."""
    attnames: list[str] = []
    columns: list[str] = []
    fills: list[Any] = []
    for f in model._meta.concrete_fields:
        if isinstance(f, models.AutoField | models.BigAutoField | models.SmallAutoField):
            continue
        attnames.append(f.attname)
        columns.append(str(f.column))
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            fills.append(_NOW)
        else:
            fills.append(f)
    return tuple(attnames), tuple(columns), tuple(fills)


def _converter(field: Any) -> Callable[[Any], Any] | None:
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    return None


def insert_ignoring_conflicts(
    model: type[models.Model], rows: Sequence[dict[str, Any]], *, returning: Sequence[str] = ()
) -> list[tuple[Any, ...]] | None:
    """Insert the rows; a row that would break a unique constraint is left out, as another worker's.

    With `returning` (column names), PostgreSQL answers those columns of the rows this insert stored (not
    of those left out); elsewhere the answer is None and the caller looks them up."""
    if not rows:
        return [] if returning and connection.vendor == "postgresql" else None
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create([model(**row) for row in rows], ignore_conflicts=True)
        return None
    attnames, columns, fills = _layout(model)
    now = timezone.now()
    converters = [None if fill is _NOW else _converter(fill) for fill in fills]
    plan = list(zip(attnames, fills, converters, strict=True))
    table = model._meta.db_table
    names = ", ".join(f'"{c}"' for c in columns)
    # The temporary table is named after the column list, so a changed model never reuses an old one.
    temp = f"ov_in_{table}_{zlib.crc32(names.encode()):08x}"
    missing = object()
    # Only the model's table and column names are formatted in; every value travels through COPY.
    with connection.cursor() as cursor:
        create = f'CREATE TEMPORARY TABLE IF NOT EXISTS "{temp}" ON COMMIT DELETE ROWS AS SELECT '
        cursor.execute(create + f'{names} FROM "{table}" WITH NO DATA')
        with cursor.cursor.copy(f'COPY "{temp}" ({names}) FROM STDIN') as copy:
            for row in rows:
                values = []
                for attname, fill, convert in plan:
                    value = row.get(attname, missing)
                    if value is missing:
                        value = now if fill is _NOW else fill.get_default()
                    if isinstance(value, enum.Enum):
                        value = value.value
                    if convert is not None and value is not None:
                        value = convert(value)
                    values.append(value)
                copy.write_row(values)
        answer = " RETURNING " + ", ".join(f'"{c}"' for c in returning) if returning else ""
        cursor.execute(
            f'INSERT INTO "{table}" ({names}) SELECT {names} FROM "{temp}" ON CONFLICT DO NOTHING{answer}'  # noqa: S608
        )
        stored = [tuple(row) for row in cursor.fetchall()] if returning else None
        cursor.execute(f'DELETE FROM "{temp}"')  # noqa: S608
    return stored


def update_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """PostgreSQL: set these columns of many rows, each row given as (primary key, *values in column order):
    the values go in with `COPY` into a temporary table and from there with one `UPDATE … FROM`, instead of
    a statement whose size (and the time to build and parse it) grows with every row."""
    if not rows:
        return
    table = model._meta.db_table
    key = str(model._meta.pk.column)
    names = ", ".join(f'"{c}"' for c in (key, *columns))
    temp = f"ov_up_{table}_{zlib.crc32(names.encode()):08x}"
    assignments = ", ".join(f'"{c}" = v."{c}"' for c in columns)
    # Only the model's table and column names are formatted in; every value travels through COPY.
    with connection.cursor() as cursor:
        create = f'CREATE TEMPORARY TABLE IF NOT EXISTS "{temp}" ON COMMIT DELETE ROWS AS SELECT '
        cursor.execute(create + f'{names} FROM "{table}" WITH NO DATA')
        with cursor.cursor.copy(f'COPY "{temp}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f'UPDATE "{table}" AS t SET {assignments} FROM "{temp}" AS v WHERE t."{key}" = v."{key}"'  # noqa: S608
        )
        cursor.execute(f'DELETE FROM "{temp}"')  # noqa: S608
