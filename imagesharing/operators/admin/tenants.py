"""The operators' admin for regions, tenants, logins and API tokens."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from imagesharing.accounts.models import Account, ApiToken, PersonChange, Region, User
from imagesharing.errors import DomainError
from imagesharing.operators.admin.kit import IdSearchAdmin, run_each


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Account)
class AccountAdmin(IdSearchAdmin):
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
class UserAdmin(IdSearchAdmin, DjangoUserAdmin):
    # Django's UserAdmin sets its fieldsets; the stubs type them as ModelAdmin's, which may be None.
    fieldsets = (*(DjangoUserAdmin.fieldsets or ()), ("Tenant", {"fields": ("account", "role")}))
    add_fieldsets = (*DjangoUserAdmin.add_fieldsets, ("Tenant", {"fields": ("account", "role")}))
    list_display = ("username", "account", "role", "email", "is_staff", "is_active", "last_login")
    list_select_related = ("account",)
    search_fields = ("username", "=account__tenant_id")
    search_help_text = "Username or tenant ID."
    autocomplete_fields = ("account",)
    list_filter = ("role", "is_active", "is_staff")

    actions = ("remove_from_tenant",)

    def save_model(self, request, obj, form, change) -> None:
        """R27: a changed role goes through `User.set_role`, and unticking *active* on a tenant's
        person through `User.remove_from_tenant`: each recorded as the operator's and refused for
        a tenant's last admin. The other fields save as Django's admin does."""
        role, removed = obj.role, change and not obj.is_active and form.initial.get("is_active", False)
        if change and "role" in form.changed_data:
            obj.role = form.initial["role"]
        if removed and obj.account_id is not None:
            obj.is_active = True  # a tenant's person is removed below, or stays
        super().save_model(request, obj, form, change)
        try:
            if obj.role != role:
                obj.set_role(request.user, role, as_operator=True)
            if removed and obj.account_id is not None:
                obj.remove_from_tenant(request.user, as_operator=True)
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)

    def has_delete_permission(self, request, obj=None) -> bool:
        """A tenant's person is removed (R27: its history kept, its tenant never left without an
        admin), not deleted; only logins without a tenant may be deleted."""
        return obj is not None and obj.account_id is None and super().has_delete_permission(request, obj)

    @admin.action(description="Remove selected people from their tenants")
    def remove_from_tenant(self, request, queryset) -> None:
        """R27: each through `User.remove_from_tenant`, refused for a tenant's last admin."""
        run_each(
            self,
            request,
            queryset,
            lambda person: person.remove_from_tenant(request.user, as_operator=True),
            "Removed {count} {items} from their tenants.",
        )


@admin.register(PersonChange)
class PersonChangeAdmin(admin.ModelAdmin):
    """R27's history of people, read-only: entries are written by the changes themselves."""

    list_display = ("created_at", "account", "action", "person", "before", "after", "actor", "by_operator")
    list_filter = ("action",)
    list_select_related = ("account", "person", "actor")
    search_fields = ("=account__tenant_id", "person__username")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


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
