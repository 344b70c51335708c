"""The operators' admin for servers: look up and rename. Boots go through `Server.objects.boot` (R6, R8, R15)."""

from django.contrib import admin

from imagesharing.operators.admin.kit import IdSearchAdmin
from imagesharing.servers.models import Server


@admin.register(Server)
class ServerAdmin(IdSearchAdmin):
    list_display = ("name", "id", "owner_tenant_id", "region", "status", "image", "created_at")
    list_filter = ("region", "status")
    list_select_related = ("owner", "region", "image")
    search_fields = ("=id", "name", "=owner__tenant_id")
    search_help_text = "Server ID, name or owner tenant ID."
    show_full_result_count = False
    fields = ("id", "name", "owner", "region", "image", "status", "created_at")
    readonly_fields = ("id", "owner", "region", "image", "status", "created_at")

    @admin.display(description="owner tenant ID", ordering="owner__tenant_id")
    def owner_tenant_id(self, server: Server) -> int:
        return server.owner.tenant_id

    def has_add_permission(self, request) -> bool:
        return False
