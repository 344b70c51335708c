"""The operators' queue of "Report this image" (seed 004): open reports first, closed by an action."""

from django.contrib import admin

from imagesharing.memberships.reports import ImageReport, ImageReportQuerySet
from imagesharing.operators.admin.kit import IdSearchAdmin, run_each


class OpenFilter(admin.SimpleListFilter):
    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("open", "Open"), ("closed", "Closed")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.open()
        if self.value() == "closed":
            return queryset.filter(closed_at__isnull=False)
        return queryset


@admin.register(ImageReport)
class ImageReportAdmin(IdSearchAdmin):
    """Reports are filed by consumers in the panel; operators read them and close them."""

    list_display = ("created_at", "image", "image_id", "owner_tenant_id", "reporter_tenant_id", "reason", "closed_at")
    list_filter = (OpenFilter, "reason")
    list_select_related = ("image__owner", "reporter")
    search_fields = ("=image__id", "=reporter__tenant_id", "=image__owner__tenant_id")
    search_help_text = "Image ID, or the tenant ID of the reporter or of the image's owner."
    readonly_fields = (
        "image",
        "reporter",
        "reported_by",
        "reason",
        "details",
        "created_at",
        "closed_at",
        "closed_by",
        "resolution",
    )
    actions = ("close_reports",)

    @admin.display(description="owner tenant ID", ordering="image__owner__tenant_id")
    def owner_tenant_id(self, report: ImageReport) -> int:
        return report.image.owner.tenant_id

    @admin.display(description="reporter tenant ID", ordering="reporter__tenant_id")
    def reporter_tenant_id(self, report: ImageReport) -> int:
        return report.reporter.tenant_id

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Close selected reports")
    def close_reports(self, request, queryset: ImageReportQuerySet) -> None:
        run_each(
            self,
            request,
            queryset.open(),
            lambda report: report.close(request.user, "closed by an operator"),
            "Closed {count} {items}.",
        )
