"""The operators' admin site: Django's own, with the open report queue on its front page."""

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse

from imagesharing.images.approvals import ShareRequest
from imagesharing.memberships.reports import ImageReport


class OperationsSite(admin.AdminSite):
    site_header = "Image sharing operations"
    site_title = "Image sharing operations"
    index_title = "Operations"

    def index(self, request: HttpRequest, extra_context: dict | None = None) -> TemplateResponse:
        """Reports of images shared in error or with malicious intent are the first thing to see (seed 004)."""
        context = {
            "open_reports": ImageReport.objects.open().count(),
            "held_shares": ShareRequest.objects.pending().count(),  # R28: first shares waiting for an operator
            **(extra_context or {}),
        }
        return super().index(request, context)
