"""The operators' admin for regions, tenants, logins and API tokens, and the helpers every app's admin shares."""

from django.contrib import admin, messages
from django.contrib.admin.utils import get_fields_from_path, lookup_spawns_duplicates, model_ngettext
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Q

from imagesharing.accounts.models import Account, ApiToken, Region, User
from imagesharing.errors import DomainError

admin.site.site_header = "Image sharing operations"
admin.site.site_title = "Image sharing operations"
admin.site.index_title = "Operations"


def _typed_term(model, path: str, term: str):
    """The search term as the value of the field at `path`, or None if it cannot be one."""
    field = get_fields_from_path(model, path)[-1]
    try:
        value = field.to_python(term)
        field.run_validators(value)
    except ValidationError:
        return None
    return value


class ExactIdSearchMixin:
    """Search as operators paste IDs: `=path` entries match the typed value exactly.

    Django's own `=` search compares text, which casts a UUID or number column and
    so cannot use its index. Here a term that parses as the field's type is an
    indexed equality and a term that does not parse skips that field; entries
    without `=` match a case-insensitive substring. The whole term is one phrase,
    since image names hold spaces.
    """

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        matches = Q()
        paths = []
        for entry in self.get_search_fields(request):
            if entry.startswith("="):
                path = entry[1:]
                value = _typed_term(self.model, path, term)
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


def run_each(model_admin, request, objects, act, done: str) -> None:
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


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Account)
class AccountAdmin(ExactIdSearchMixin, admin.ModelAdmin):
    list_display = ("tenant_id", "name", "region_codes", "created_at")
    list_filter = ("regions",)
    search_fields = ("=tenant_id", "name")
    search_help_text = "Tenant ID or name."
    filter_horizontal = ("regions",)
    readonly_fields = ("created_at",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("regions")

    @admin.display(description="regions")
    def region_codes(self, account: Account) -> str:
        return ", ".join(region.code for region in account.regions.all())


@admin.register(User)
class UserAdmin(ExactIdSearchMixin, DjangoUserAdmin):
    fieldsets = (*DjangoUserAdmin.fieldsets, ("Tenant", {"fields": ("account",)}))
    add_fieldsets = (*DjangoUserAdmin.add_fieldsets, ("Tenant", {"fields": ("account",)}))
    list_display = ("username", "account", "email", "is_staff", "is_active", "last_login")
    list_select_related = ("account",)
    search_fields = ("username", "=account__tenant_id")
    search_help_text = "Username or tenant ID."
    autocomplete_fields = ("account",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued by `manage.py issue_token` or the panel, which show the plain token once.

    Adding one here would lose it, so there is no add; the digest is never shown.
    Operators may rename, expire or delete a token.
    """

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "expires_at")
    list_select_related = ("user",)
    search_fields = ("name", "prefix", "user__username")
    fields = ("name", "user", "prefix", "created_at", "last_used_at", "expires_at")
    readonly_fields = ("user", "prefix", "created_at", "last_used_at")

    def has_add_permission(self, request) -> bool:
        return False
