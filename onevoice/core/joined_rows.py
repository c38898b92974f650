"""Model instances of several joined tables from one written-out statement.

For the few queries every request runs (the API's token check, the membership behind every page): the
ORM builds and compiles such a query afresh each time, which cost more than running it. Here the statement
is written once per database vendor, its select list from the models' concrete fields, and each row is
turned into instances with Django's own column converters (times, UUIDs, booleans, JSON), as
`select_related` would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection, models

# (attribute name, converters, column) per field of one model
Layout = list[tuple[str, list[Any], Any]]
Tables = tuple[tuple[type[models.Model], str], ...]


class JoinedRows:
    def __init__(self, tables: Callable[[], Tables], statement: Callable[[str, list[str]], str]) -> None:
        """`tables()`: (model, alias in the statement), in the order their columns are selected (called on
        first use, so models of other apps may be named); `statement(select list, quoted table names)`:
        the SQL around them."""
        self.tables = tables
        self.statement = statement
        self.prepared: dict[str, tuple[Tables, list[Layout], str]] = {}

    def _prepared(self) -> tuple[Tables, list[Layout], str]:
        found = self.prepared.get(connection.vendor)
        if found is not None:
            return found
        tables = self.tables()
        quote = connection.ops.quote_name
        columns: list[str] = []
        layouts: list[Layout] = []
        for model, alias in tables:
            fields: Layout = []
            for field in model._meta.concrete_fields:
                col = field.get_col(alias)
                converters = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
                columns.append(f"{alias}.{quote(str(field.column))}")
                fields.append((field.attname, converters, col))
            layouts.append(fields)
        names = [quote(model._meta.db_table) for model, _alias in tables]
        found = self.prepared[connection.vendor] = (
            tables,
            layouts,
            self.statement(", ".join(columns), names),
        )
        return found

    def sql(self) -> str:
        return self._prepared()[2]

    def width(self) -> int:
        """How many columns the instances take (a statement may select more after them)."""
        return sum(len(layout) for layout in self._prepared()[1])

    def instances(self, row: tuple[Any, ...]) -> list[Any]:
        """One instance per table (None for a table of an outer join that found no row)."""
        tables, layouts, _sql = self._prepared()
        found: list[Any] = []
        start = 0
        for (model, _alias), fields in zip(tables, layouts, strict=True):
            values = list(row[start : start + len(fields)])
            start += len(fields)
            if values[0] is None:  # the primary key, first of the concrete fields: no row joined
                found.append(None)
                continue
            for i, (_name, converters, col) in enumerate(fields):
                for converter in converters:
                    values[i] = converter(values[i], col, connection)
            found.append(model.from_db(connection.alias, [name for name, _c, _col in fields], values))
        return found
