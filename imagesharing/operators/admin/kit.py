"""What every model admin here shares: searching by pasted IDs, and bulk actions through model methods."""

from collections.abc import Callable, Iterable
from typing import TypeVar

from django.contrib import admin, messages
from django.contrib.admin.utils import lookup_spawns_duplicates, model_ngettext
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest

from imagesharing.errors import DomainError
from imagesharing.lib.parse import parse_field_value

_M = TypeVar("_M", bound=Model)


class IdSearchAdmin(admin.ModelAdmin):
    """Search as operators paste IDs: `=path` entries match the typed value exactly.

    Django's own `=` search compares text, which casts a UUID or number column and
    so cannot use its index. Here a term that parses as the field's type is an
    indexed equality and a term that does not parse skips that field; entries
    without `=` match a case-insensitive substring. The whole term is one phrase,
    since image names hold spaces.
    """

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        term = search_term.strip()
        if not term:
            return queryset, False
        matches = Q()
        paths = []
        for entry in self.get_search_fields(request):
            if entry.startswith("="):
                path = entry[1:]
                value = parse_field_value(self.model, path, term)
                if value is None:
                    continue
                matches |= Q(**{path: value})
            else:
                path = entry
                matches |= Q(**{f"{path}__icontains": term})
            paths.append(path)
        if not matches:
            return queryset.none(), False
        duplicates = any(lookup_spawns_duplicates(self.opts, path) for path in paths)
        return queryset.filter(matches), duplicates


class ReadOnlyRows:
    """No add, no field edits, no raw delete: these rows change only through model methods, by action, or never."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


def run_each(
    model_admin: admin.ModelAdmin, request: HttpRequest, objects: Iterable[_M], act: Callable[[_M], object], done: str
) -> None:
    """Apply `act` to each object and report: the count that succeeded, and each refusal with its rule's message.

    `done` is formatted with `count` and `items` (the model's name, singular or plural).
    """
    succeeded = 0
    for obj in objects:
        try:
            act(obj)
        except DomainError as error:
            model_admin.message_user(request, f"{obj}: {error.message}", messages.ERROR)
        else:
            succeeded += 1
    level = messages.SUCCESS if succeeded else messages.WARNING
    items = model_ngettext(model_admin.opts, succeeded)
    model_admin.message_user(request, done.format(count=succeeded, items=items), level)
