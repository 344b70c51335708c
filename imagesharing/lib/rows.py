"""Hand-written reads for the few queries every API call makes (issue 11), read back into
model instances exactly as the ORM would.

Building a query costs the ORM far more than running it costs the database: the token
lookup of every API call took 1.4 ms to build and 0.03 ms to run. Those few reads are
written as SQL in the model methods that own them; `Columns` lists one model's columns
for such a SELECT and reads them back through the converters the ORM applies itself
(SQLite returns UUIDs as hex text and booleans as integers), so the rules downstream
get the same instances either way.
"""

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.db import connection, models

_M = TypeVar("_M", bound=models.Model)


class Columns(Generic[_M]):
    """One model's concrete columns under a table alias in a hand-written SELECT."""

    def __init__(self, model: type[_M], alias: str):
        self.model, self.alias = model, alias
        self.fields: list[Any] = list(model._meta.concrete_fields)  # the stubs lack Field.get_db_converters
        self.names = [field.attname for field in self.fields]
        self.key = self.fields.index(model._meta.pk)
        self.columns = [field.get_col(alias) for field in self.fields]
        self._converters: list[list[Callable[..., Any]]] | None = None

    def __len__(self) -> int:
        return len(self.fields)

    def __str__(self) -> str:
        """The SELECT list: `alias."column", ...`."""
        quote = connection.ops.quote_name
        return ", ".join(f"{self.alias}.{quote(field.column)}" for field in self.fields)

    def read(self, row: Sequence[Any], start: int = 0) -> _M | None:
        """The instance whose columns start at `start` in `row`; None when its key is NULL
        (an outer join found no row)."""
        values = list(row[start : start + len(self.fields)])
        if values[self.key] is None:
            return None
        for index, converters in enumerate(self.converters()):
            for convert in converters:
                values[index] = convert(values[index], self.columns[index], connection)
        return self.model.from_db(connection.alias, self.names, values)

    def converters(self) -> list[list[Callable[..., Any]]]:
        """Per column, the backend's and the field's converters, as the ORM's compiler finds them."""
        if self._converters is None:
            self._converters = [
                connection.ops.get_db_converters(column) + field.get_db_converters(connection)
                for field, column in zip(self.fields, self.columns, strict=True)
            ]
        return self._converters


def fetch_one(sql: str, params: Sequence[Any]) -> tuple | None:
    """The first row of a hand-written query, or None."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def fetch_all(sql: str, params: Sequence[Any]) -> list[tuple]:
    """Every row of a hand-written query."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
