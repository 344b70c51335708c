"""The operators' view of image data in flight and left behind: uploads in progress (with the
quota each holds and its lease) and stored data whose deletion failed. Read-only: uploads end
by themselves or by the reaper, and failed deletions are retried by the worker."""

from django.contrib import admin

from imagesharing.images.models import PendingDeletion
from imagesharing.images.uploads import Upload
from imagesharing.operators.admin.kit import ReadOnlyRows


@admin.register(Upload)
class UploadAdmin(ReadOnlyRows, admin.ModelAdmin):
    list_display = ("image", "owner", "reserved", "started_at", "lease_until")
    list_select_related = ("image__owner",)
    ordering = ("started_at",)

    @admin.display(description="owner")
    def owner(self, upload: Upload):
        return upload.image.owner


@admin.register(PendingDeletion)
class PendingDeletionAdmin(ReadOnlyRows, admin.ModelAdmin):
    list_display = ("name", "error", "attempts", "created_at", "tried_at")
    ordering = ("created_at",)
