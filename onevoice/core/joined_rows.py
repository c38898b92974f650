"""Model instances of several joined tables from one written-out statement.

For the few queries every request runs (the API's token check, the membership behind every page): the
ORM builds and compiles such a query afresh each time, which cost more than running it. Here the select
list is written once per database vendor from the models' concrete fields, and each row is turned into
instances with Django's own column converters (times, UUIDs, booleans, JSON), as `select_related` would.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, models

# (attribute name, converters, column) per field of one model
Layout = list[tuple[str, list[Any], Any]]


class JoinedRows:
    def __init__(self, *tables: tuple[type[models.Model], str]) -> None:
        """`tables`: (model, alias in the statement), in the order their columns are selected."""
        self.tables = tables
        self.layouts: dict[str, list[Layout]] = {}
        self.selects: dict[str, str] = {}

    def _layout(self) -> list[Layout]:
        found = self.layouts.get(connection.vendor)
        if found is not None:
            return found
        quote = connection.ops.quote_name
        columns: list[str] = []
        layouts: list[Layout] = []
        for model, alias in self.tables:
            fields: Layout = []
            for field in model._meta.concrete_fields:
                col = field.get_col(alias)
                converters = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
                columns.append(f"{alias}.{quote(str(field.column))}")
                fields.append((field.attname, converters, col))
            layouts.append(fields)
        self.selects[connection.vendor] = ", ".join(columns)
        self.layouts[connection.vendor] = layouts
        return layouts

    def select(self) -> str:
        """The select list: every concrete column of every table, in order."""
        self._layout()
        return self.selects[connection.vendor]

    def width(self) -> int:
        return sum(len(layout) for layout in self._layout())

    def instances(self, row: tuple[Any, ...]) -> list[Any]:
        """One instance per table (None for a table of an outer join that found no row)."""
        found: list[Any] = []
        start = 0
        for (model, _alias), fields in zip(self.tables, self._layout(), strict=True):
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
