"""What a table row shows, worked out in Python once per row; its links from one reverse() per table."""

from collections.abc import Callable, Iterable
from operator import attrgetter
from typing import TypeVar

from django.urls import NoReverseMatch, reverse

# Stand-ins for a row's own argument that the panel's UUID and integer URL converters
# accept and that no other part of the URL contains.
_SLOTS = ("ffffffff-ffff-4fff-bfff-ffffffffffff", "9876543210123456789")

_Row = TypeVar("_Row")


class RowUrl:
    """`reverse(name, args=[*fixed, row.<key>])` for any row, reversed once with a stand-in
    that each row's value replaces (UUIDs and numbers need no quoting)."""

    def __init__(self, name: str, *fixed: object, key: str = "pk"):
        self.value = attrgetter(key)
        for slot in _SLOTS:
            try:
                url = reverse(name, args=[*fixed, slot])
            except NoReverseMatch:
                continue
            self.head, _, self.tail = url.rpartition(slot)
            return
        raise NoReverseMatch(f"{name} takes no UUID or number as its last argument.")

    def __call__(self, row: object) -> str:
        return f"{self.head}{self.value(row)}{self.tail}"


def rows_with(rows: Iterable[_Row], **values: Callable[[_Row], object]) -> list[_Row]:
    """The rows, each given computed values (its links, what its buttons are) as attributes
    (`row.<name>`), so that the template prints them instead of working them out per cell."""
    filled = list(rows)
    for row in filled:
        for name, value in values.items():
            setattr(row, name, value(row))
    return filled
