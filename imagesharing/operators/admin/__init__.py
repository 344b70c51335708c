"""The operators' admin, one module per area; Django's autodiscovery imports this package."""

from django.contrib import admin

from imagesharing.operators.admin import history, images, members, reports, servers, tenants

admin.site.site_header = "Image sharing operations"
admin.site.site_title = "Image sharing operations"
admin.site.index_title = "Operations"

__all__ = ["history", "images", "members", "reports", "servers", "tenants"]
