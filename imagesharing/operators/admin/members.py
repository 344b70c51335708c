"""The operators' admin for image members.

Members change only through their model methods, called as an operator so that the
history names the operator as actor.
"""

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.auth import get_permission_codename
from django.db.models import QuerySet
from django.template.response import TemplateResponse

from imagesharing.choices import MemberStatus
from imagesharing.memberships.members import ImageMember
from imagesharing.operators.admin.kit import IdSearchAdmin, ReadOnlyRows, run_each


@admin.register(ImageMember)
class ImageMemberAdmin(ReadOnlyRows, IdSearchAdmin):
    """No add, no field edits, no raw delete: owners add members, operators revoke or reset them by action."""

    list_display = ("image", "image_id", "member_tenant_id", "status", "image_region", "created_at", "updated_at")
    exclude = ("note",)  # R19: the producer's note is for the producer and that consumer alone
    list_filter = ("status", "image__region")
    list_select_related = ("image", "member")
    search_fields = ("=image__id", "image__name", "=member__tenant_id")
    search_help_text = "Image ID, image name or member tenant ID."
    show_full_result_count = False
    actions = ("revoke", "reset_to_pending")

    @admin.display(description="member tenant ID", ordering="member__tenant_id")
    def member_tenant_id(self, member: ImageMember) -> int:
        return member.member.tenant_id

    @admin.display(description="region", ordering="image__region")
    def image_region(self, member: ImageMember) -> str:
        return member.image.region_id

    def has_revoke_permission(self, request) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.{get_permission_codename('delete', self.opts)}")

    def has_reset_permission(self, request) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.{get_permission_codename('change', self.opts)}")

    @admin.action(description="Revoke selected members", permissions=["revoke"])
    def revoke(self, request, queryset: QuerySet[ImageMember]) -> TemplateResponse | None:
        """Like Django's delete action: first a page naming every member, then the revocations (R12)."""
        if request.POST.get("post") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "members": list(queryset.select_related("image", "member")),
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/memberships/revoke_confirmation.html", context)
        run_each(
            self,
            request,
            queryset,
            lambda member: member.remove(request.user, as_operator=True),
            "Revoked {count} {items}.",
        )
        return None

    @admin.action(description="Reset selected members to pending", permissions=["reset"])
    def reset_to_pending(self, request, queryset: QuerySet[ImageMember]) -> None:
        run_each(
            self,
            request,
            queryset,
            lambda member: member.set_status(request.user, MemberStatus.PENDING, as_operator=True),
            "Reset {count} {items} to pending.",
        )
