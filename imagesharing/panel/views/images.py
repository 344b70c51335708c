"""Image pages: the list of R5, the detail of R6, and the owner's settings and deletion (R1, R9, R10, R15)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from imagesharing.accounts.models import Account, Region
from imagesharing.choices import Role, Visibility
from imagesharing.errors import NotShareable
from imagesharing.images.models import Image, ImageQuerySet
from imagesharing.memberships.lists import IMAGES_PER_SHARE
from imagesharing.memberships.members import ImageMember
from imagesharing.panel.forms.images import SORTS, ImageEditForm, ImageFilterForm
from imagesharing.panel.forms.lists import BulkShareForm
from imagesharing.panel.gates import image_for
from imagesharing.panel.http import TenantRequest, image_url, tenant_view
from imagesharing.panel.paging import STALE_MARKER, keyset_page
from imagesharing.panel.regions import current_region
from imagesharing.panel.rendering import render_page
from imagesharing.panel.tables import TenantNames, image_rows
from imagesharing.panel.views.image_page import page_context
from imagesharing.servers.models import Server

PAGE_SIZE = 25


@require_safe
@tenant_view()
def image_list(request: TenantRequest) -> HttpResponse:
    """R5: own images, accepted shares and public images in the current region, paged by marker."""
    account = request.account
    region = current_region(request)
    form = ImageFilterForm(request.GET)
    source, query = form.value("source"), form.value("q")
    sort = form.value("sort", "newest")
    context = {"form": form, "region": region, "source": source, "query": query, "sort": sort}
    if region is None:
        return render_page(request, "images/list.html", context)

    key, direction = SORTS[sort]
    images = listed(account, region, source, query)
    images = images.sorted_by(key, direction).select_related("owner").with_answer_counts(account)
    filters = {name: value for name, value in (("q", query), ("source", source), ("sort", sort)) if value}
    page = keyset_page(
        request,
        images,
        PAGE_SIZE,
        params=filters,
        stale=STALE_MARKER,
        after=lambda rows, marker: rows.after(marker, key, direction),
        fetch=lambda rows, count: rows.first_for(account, count),
    )
    selectable = request.user.can_change and any(image.owner_id == account.pk for image in page.rows)
    context.update(
        images=page.rows,
        rows=image_rows(account, page.rows, _producers(request, page.rows), selectable=selectable),
        bulk_form=BulkShareForm(owner=account) if selectable else None,
        bulk_filters=filters,
        bulk_all=page.paged or bool(page.next_query),  # more than one page: "every image of yours" is offered
        images_per_share=IMAGES_PER_SHARE,
        paged=page.paged,
        first_page_query=page.first_query,
        next_query=page.next_query,
    )
    return render_page(request, "images/list.html", context, fragment="results")


def listed(account: Account, region: Region, source: str | None, query: str | None) -> ImageQuerySet:
    """R5: the images the list shows for its filters, in any order (the bulk share's "every image
    of yours this search lists" reads the same)."""
    images = Image.objects.visible_to(account, region)
    if source:
        images = images.from_source(account, source)
    if query:
        images = images.filter(name__icontains=query)
    return images


def _producers(request: TenantRequest, images: list[Image]) -> TenantNames:
    """R21: the producers of the page's shared images, as the Source column names them."""
    shown = {image.owner.tenant_id for image in images if image.owner_id != request.account.pk and image.is_shared}
    return TenantNames(request.account, shown, request.get_full_path())


@require_safe
@tenant_view()
def image_detail(request: TenantRequest, image_id) -> HttpResponse:
    """R6: properties, servers, sharing (owner) or the member's own answer (consumer), history."""
    image = image_for(request, image_id)
    return render_page(request, "images/detail.html", page_context(request, image))


@require_POST
@tenant_view(back=image_url)
def image_edit(request: TenantRequest, image_id) -> HttpResponse:
    """R1, R9, R10: the owner renames, shares or unshares, protects; all changes or none.

    Making a shared image private first asks, naming the members who lose access.
    A form built on an older state of the image is refused (`Image.update`'s version).
    """
    image = image_for(request, image_id)
    form = ImageEditForm(request.POST, image=image)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label or field.capitalize()}: {' '.join(map(str, errors))}")
        return redirect(image_url(image.pk))
    changes = dict(form.cleaned_data)
    version = changes.pop("version") or None  # the panel's form always sends it; a bare post is not checked
    if changes.get("visibility") == Visibility.PRIVATE and image.is_shared and "confirmed" not in request.POST:
        image.require_owner(request.user)  # R1: nobody else is told who the members are (R7)
        image.require_version(version)  # a stale form is refused before anything is asked
        members = list(ImageMember.objects.visible_to(request.account, image))
        if members:
            usage = Server.objects.usage_by_member(request.user, image)  # R26
            losing = [(member, usage.of(member)) for member in members]
            return render_page(request, "images/make_private.html", {"image": image, "form": form, "members": losing})
    changed = image.update(request.user, version=version, **changes)
    if not changed:
        messages.info(request, "Nothing changed.")
    else:
        messages.success(request, f"Saved: {', '.join(field.replace('_', ' ') for field in changed)}.")
        if "visibility" in changed and image.is_private:
            messages.info(
                request, "The image is private: its members keep their record but lose access until you share it again."
            )
    return redirect(image_url(image.pk))


@require_http_methods(["GET", "POST"])
@tenant_view(back=image_url)
def image_delete(request: TenantRequest, image_id) -> HttpResponse:
    """R15: confirm, then delete; members go, servers booted from it keep running."""
    image = image_for(request, image_id)
    request.user.require_role(Role.MEMBER, "delete images")  # R27: a reader is not shown the confirmation
    if request.method == "POST":
        image.destroy(request.user)
        messages.success(
            request,
            f"Deleted image “{image}”. Its members lost access; servers booted from it keep running.",
        )
        return redirect("images:list")
    image.require_owner(request.user)
    usage = Server.objects.usage_by_member(request.user, image)  # R26
    members = [(member, usage.of(member)) for member in _members_of(request, image)]
    context = {"image": image, "member_count": image.members.count(), "members": members}
    return render_page(request, "images/delete.html", context)


def _members_of(request: TenantRequest, image: Image) -> list[ImageMember]:
    """The members the owner sees (R7): those of a shared image, or those a private one keeps (R9)."""
    try:
        return list(ImageMember.objects.visible_to(request.account, image))
    except NotShareable:
        return list(ImageMember.objects.dormant(request.account, image))
