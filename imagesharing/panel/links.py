"""A table's links, from one reverse() per table."""

from operator import attrgetter

from django.urls import NoReverseMatch, reverse

# Stand-ins for a row's own argument that the panel's UUID and integer URL converters
# accept and that no other part of the URL contains.
_SLOTS = ("ffffffff-ffff-4fff-bfff-ffffffffffff", "9876543210123456789")


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
