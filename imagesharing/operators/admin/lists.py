"""The operators' view of tenants' lists (R23), background bulk shares and trusted producers (R24):
read-only, as tenants change them only from the panel. Operators see every tenant (R17)."""

from django.contrib import admin
from django.db.models import Count

from imagesharing.accounts.trust import ProducerRule
from imagesharing.memberships.bulk import BulkShare
from imagesharing.memberships.lists import ListShare, TenantList, TenantListEntry
from imagesharing.operators.admin.kit import IdSearchAdmin, ReadOnlyRows


class EntryInline(ReadOnlyRows, admin.TabularInline):
    model = TenantListEntry
    fields = readonly_fields = ("tenant_id",)
    extra = 0


class ListShareInline(ReadOnlyRows, admin.TabularInline):
    model = ListShare
    fields = readonly_fields = ("image", "created_at")
    extra = 0


@admin.register(TenantList)
class TenantListAdmin(ReadOnlyRows, IdSearchAdmin):
    list_display = ("name", "owner_tenant_id", "follows", "tenant_count", "updated_at")
    list_filter = ("follows",)
    list_select_related = ("owner",)
    search_fields = ("=owner__tenant_id", "name")
    search_help_text = "Owner's tenant ID, or list name."
    inlines = (EntryInline, ListShareInline)
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(tenant_count=Count("entries"))

    @admin.display(description="owner tenant ID", ordering="owner__tenant_id")
    def owner_tenant_id(self, tenant_list: TenantList) -> int:
        return tenant_list.owner.tenant_id

    @admin.display(description="tenant IDs", ordering="tenant_count")
    def tenant_count(self, tenant_list: TenantList) -> int:
        return tenant_list.tenant_count  # type: ignore[attr-defined]  # the annotation above


@admin.register(BulkShare)
class BulkShareAdmin(ReadOnlyRows, IdSearchAdmin):
    list_display = ("pk", "owner_tenant_id", "requested_by", "image_count", "list_name", "created_at", "outcome")
    list_select_related = ("owner", "requested_by")
    search_fields = ("=owner__tenant_id",)
    search_help_text = "Owner's tenant ID."
    date_hierarchy = "created_at"
    show_full_result_count = False

    @admin.display(description="owner tenant ID", ordering="owner__tenant_id")
    def owner_tenant_id(self, bulk: BulkShare) -> int:
        return bulk.owner.tenant_id

    @admin.display(description="images")
    def image_count(self, bulk: BulkShare) -> int:
        return len(bulk.image_ids)

    @admin.display(description="outcome")
    def outcome(self, bulk: BulkShare) -> str:
        if not bulk.is_done:
            return "waiting for the worker"
        if bulk.error:
            return f"refused: {bulk.error}"
        report = bulk.report or {}
        return f"{report.get('added', 0)} of {report.get('total', 0)} offers made"


@admin.register(ProducerRule)
class ProducerRuleAdmin(ReadOnlyRows, IdSearchAdmin):
    list_display = ("consumer_tenant_id", "tenant_id", "answer", "updated_at")
    list_filter = ("answer",)
    list_select_related = ("consumer",)
    search_fields = ("=consumer__tenant_id", "=tenant_id")
    search_help_text = "The consumer's or the producer's tenant ID."
    show_full_result_count = False

    @admin.display(description="consumer tenant ID", ordering="consumer__tenant_id")
    def consumer_tenant_id(self, rule: ProducerRule) -> int:
        return rule.consumer.tenant_id
