"""Keyset pages for every panel list: one marker parser, one way to cut a page."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.contrib import messages
from django.db import models
from django.http import HttpRequest

from imagesharing.lib.parse import parse_field_value

_Rows = TypeVar("_Rows", bound=models.QuerySet)

STALE_MARKER = "That page link is no longer valid; showing the first page."


@dataclass
class Page:
    rows: list
    paged: bool  # this is not the first page
    next_query: str  # the query string of the next page; '' on the last one
    first_query: str  # the query string of the first page, filters kept


def keyset_page(
    request: HttpRequest,
    rows: _Rows,
    size: int,
    *,
    params: dict,
    after: Callable[[_Rows, Any], _Rows],  # (rows, marker row): the marker is one of `rows`
    marker: str = "marker",
    stale: str = STALE_MARKER,
    fetch: Callable[[_Rows, int], Iterable] = lambda rows, count: rows[:count],
) -> Page:
    """One page of `rows` (already filtered and ordered) starting after the marker row, if any.

    The marker is the last row's ID, read as the model's primary key reads it; a
    marker that does not parse or names no row of this list starts again from the
    first page, saying so. `after(rows, marker_row)` gives the rows that follow it;
    `fetch(rows, count)` reads the first `count` of them (one more than the page, to
    know whether another follows).
    """
    text = request.GET.get(marker, "")
    if text:
        pk = parse_field_value(rows.model, "pk", text)
        found = None if pk is None else rows.filter(pk=pk).first()
        if found is None:
            messages.info(request, stale)
        else:
            rows = after(rows, found)
    fetched = list(fetch(rows, size + 1))
    page = fetched[:size]
    next_query = urlencode({**params, marker: page[-1].pk}) if len(fetched) > size else ""
    return Page(page, paged=bool(text), next_query=next_query, first_query=urlencode(params))
