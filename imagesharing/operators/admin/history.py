"""The operators' view of the history (R16): everything, read-only, operators included."""

from django.contrib import admin

from imagesharing.memberships.history import Event
from imagesharing.operators.admin.kit import IdSearchAdmin, ReadOnlyRows


@admin.register(Event)
class EventAdmin(ReadOnlyRows, IdSearchAdmin):
    """The history is read-only for everyone, operators included."""

    list_display = (
        "created_at",
        "action",
        "image",
        "member_tenant_id",
        "actor",
        "actor_tenant_id",
        "by_operator",
        "before",
        "after",
        "note",
    )
    list_filter = ("action", "by_operator")
    list_select_related = ("image", "member", "actor", "actor_account")
    search_fields = ("=image__id", "=member__tenant_id", "=actor_account__tenant_id")
    search_help_text = "Image ID, or the tenant ID of the member or of the actor."
    date_hierarchy = "created_at"
    show_full_result_count = False

    @admin.display(description="member tenant ID", ordering="member__tenant_id")
    def member_tenant_id(self, event: Event) -> int | None:
        return event.member.tenant_id if event.member else None

    @admin.display(description="actor tenant ID", ordering="actor_account__tenant_id")
    def actor_tenant_id(self, event: Event) -> int | None:
        return event.actor_account.tenant_id if event.actor_account else None
