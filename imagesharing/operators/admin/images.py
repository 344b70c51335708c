"""The operators' admin for images. Every change a rule governs goes through the model's methods as an operator.

Visibility changes and deletions are actions (R10, R15, R16: recorded with the
operator as actor); the few plain fields left editable are saved through
`Image.update`, so they get the same validation, all or nothing.
"""

from typing import TYPE_CHECKING, TypedDict

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from imagesharing.choices import Status, Visibility
from imagesharing.errors import DomainError
from imagesharing.images.models import Image
from imagesharing.memberships.members import ImageMember
from imagesharing.operators.admin.kit import IdSearchAdmin, ReadOnlyRows, run_each

if TYPE_CHECKING:  # django-stubs' helper: a lint dependency, not a run-time one
    from django_stubs_ext import WithAnnotations

# Properties with no rule beyond their value; saved through `Image.update` all the same.
# (Disk and container format are set when an image is created, and never changed.)
EDITABLE_FIELDS = ("name", "protected", "min_disk", "min_ram")


class MemberCount(TypedDict):
    """What `ImageQuerySet.with_member_count` adds to each image."""

    member_count: int


class MemberInline(ReadOnlyRows, admin.TabularInline):
    """Read-only: owners add members; operators revoke or reset them with the member actions."""

    model = ImageMember
    fields = ("member", "status", "created_at", "updated_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("member").order_by("created_at", "pk")


@admin.register(Image)
class ImageAdmin(IdSearchAdmin):
    list_display = (
        "__str__",
        "owner_tenant_id",
        "region",
        "status",
        "visibility",
        "size",
        "member_count",
        "created_at",
    )
    list_filter = ("region", "status", "visibility", "protected")
    list_select_related = ("owner", "region")
    search_fields = ("=id", "name", "=owner__tenant_id")
    search_help_text = "Image ID, name or owner tenant ID."
    show_full_result_count = False
    inlines = (MemberInline,)
    actions = ("make_public", "make_private", "make_shared", "destroy_selected")

    def get_queryset(self, request):
        return super().get_queryset(request).with_member_count()

    def get_fields(self, request, obj=None):
        return [field.name for field in self.opts.concrete_fields] + ["member_actions"]

    def get_readonly_fields(self, request, obj=None):
        """All but the plain properties, fields added later included: visibility, owner, status... change by action."""
        return [name for name in self.get_fields(request, obj) if name not in EDITABLE_FIELDS]

    @admin.display(description="owner tenant ID", ordering="owner__tenant_id")
    def owner_tenant_id(self, image: Image) -> int:
        return image.owner.tenant_id

    @admin.display(description="members", ordering="member_count")
    def member_count(self, image: "WithAnnotations[Image, MemberCount]") -> int:
        return image.member_count

    @admin.display(description="revoke or reset members")
    def member_actions(self, image: Image) -> str:
        url = reverse("admin:memberships_imagemember_changelist")
        return format_html('<a href="{}?image={}">Select this image\'s members</a>', url, image.pk)

    # Permissions: images come from the panel, the API and snapshots; a deleted one is history.

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or obj.status != Status.DELETED)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or obj.status != Status.DELETED)

    # Saving and deleting through the model.

    def save_model(self, request, obj: Image, form, change: bool) -> None:
        obj.update(request.user, as_operator=True, **{field: form.cleaned_data[field] for field in form.changed_data})

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.path)

    def get_deleted_objects(self, objs, request):
        """R15 is a soft delete: the image row stays for its servers and history; only its members go."""
        images = list(objs)
        members = ImageMember.objects.filter(image__in=images).select_related("member")
        described = [str(image) for image in images] + [f"Member: {member}" for member in members]
        counts = {Image._meta.verbose_name_plural: len(images), ImageMember._meta.verbose_name_plural: len(members)}
        return described, counts, set(), []

    def delete_model(self, request, obj: Image) -> None:
        obj.destroy(request.user, as_operator=True)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:images_image_change", args=[object_id]))

    # Actions, recorded in the history with the operator as actor (R16).

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # a raw delete; destroy_selected replaces it
        return actions

    def _set_visibility(self, request, queryset: QuerySet[Image], visibility: str) -> None:
        run_each(
            self,
            request,
            queryset,
            lambda image: image.update(request.user, visibility=visibility, as_operator=True),
            f"Made {{count}} {{items}} {visibility}.",
        )

    @admin.action(description="Make selected images public", permissions=["change"])
    def make_public(self, request, queryset: QuerySet[Image]) -> None:
        self._set_visibility(request, queryset, Visibility.PUBLIC)

    @admin.action(description="Make selected images private", permissions=["change"])
    def make_private(self, request, queryset: QuerySet[Image]) -> None:
        self._set_visibility(request, queryset, Visibility.PRIVATE)

    @admin.action(description="Make selected images shared", permissions=["change"])
    def make_shared(self, request, queryset: QuerySet[Image]) -> None:
        self._set_visibility(request, queryset, Visibility.SHARED)

    @admin.action(description="Delete selected images", permissions=["delete"])
    def destroy_selected(self, request, queryset: QuerySet[Image]) -> None:
        run_each(
            self,
            request,
            queryset,
            lambda image: image.destroy(request.user, as_operator=True),
            "Deleted {count} {items}.",
        )
