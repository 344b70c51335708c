"""Keyset paging for any list ordered by (key, pk): the rows after a marker row.

It follows the index on the sort key instead of using OFFSET, so page 10,000 costs
what page 1 does.
"""

from typing import TypeVar

from django.db import models
from django.db.models import Q

_Rows = TypeVar("_Rows", bound=models.QuerySet)


def ordered(rows: _Rows, key: str = "created_at", direction: str = "desc") -> _Rows:
    """`rows` in keyset order: by `key`, then by primary key to break ties, both in `direction`."""
    sign = "-" if direction == "desc" else ""
    return rows.order_by(f"{sign}{key}", f"{sign}pk")


def rows_after(rows: _Rows, marker: models.Model, key: str = "created_at", direction: str = "desc") -> _Rows:
    """The rows of `rows` (ordered by `key`, then pk, in `direction`) that follow `marker`."""
    op = "lt" if direction == "desc" else "gt"
    value = getattr(marker, key)
    return rows.filter(Q(**{f"{key}__{op}": value}) | Q(**{key: value, f"pk__{op}": marker.pk}))
