"""Bulk shares (issue 14): the owner shares the images it selected on the images list with tenant
IDs or one of its lists (R23) in one action, and sees a table of (image, tenant, outcome).

The images list's checkboxes belong to this page's form through their `form` attribute, so
the action works without JavaScript. R11 holds per image; seed 004's checklist is asked once
for all the images. A share of more than `INLINE_OFFERS` offers runs in the background
(`memberships/bulk.py` says why) and its page shows the table when it is done.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from imagesharing.errors import ChecklistRequired, InvalidValue
from imagesharing.memberships.bulk import BulkShare, share_report
from imagesharing.memberships.lists import IMAGES_PER_SHARE, INLINE_OFFERS, TenantList, own_images, share_images
from imagesharing.panel.forms.images import ImageFilterForm
from imagesharing.panel.forms.lists import BulkShareForm
from imagesharing.panel.http import TenantRequest, tenant_view
from imagesharing.panel.regions import current_region
from imagesharing.panel.rendering import render_page
from imagesharing.panel.views.images import listed


def images_url(**_) -> str:
    return reverse("images:list")


def _said(report: dict) -> str:
    return f"{report['added']} of {report['total']} offers made, on {len(report['per_image'])} images."


def _selected(request: TenantRequest) -> list:
    """The images ticked, or with `all_matching`, every image of the tenant's that the images list
    shows for the filters sent (on every page; one more than the most a share takes, so that
    `own_images` says how many is too many)."""
    if not request.POST.get("all_matching"):
        return request.POST.getlist("image")
    region = current_region(request)
    if region is None:
        return []
    filters = ImageFilterForm(request.POST)
    found = listed(request.account, region, filters.value("source"), filters.value("q")).filter(owner=request.account)
    return list(found.order_by("name", "pk").values_list("pk", flat=True)[: IMAGES_PER_SHARE + 1])


@require_POST
@tenant_view(back=images_url)
def bulk_share(request: TenantRequest) -> HttpResponse:
    """Share the selected images with tenant IDs or a list; the answer is the outcomes table.

    A form that cannot be carried out (nothing to share with, the checklist not ticked) is
    shown again with the images selected kept, and changes nothing.
    """
    images = own_images(request.user, _selected(request))
    form = BulkShareForm(request.POST, owner=request.account)
    if form.is_valid():
        tenant_list = None
        if form.cleaned_data.get("tenant_list"):
            tenant_list = TenantList.objects.get_own(request.account, form.cleaned_data["tenant_list"])
        options = {
            "tenant_ids": form.cleaned_data["tenant_ids"],
            "tenant_list": tenant_list,
            "acknowledged": form.cleaned_data.get("acknowledge", False),
            "note": form.cleaned_data["note"],
        }
        tenants = len(tenant_list.tenant_ids()) if tenant_list else len(form.cleaned_data["tenant_ids"])
        try:
            if len(images) * tenants > INLINE_OFFERS:
                started = BulkShare.objects.start(request.user, images, malformed=form.malformed, **options)
                messages.info(
                    request,
                    f"Sharing {len(images)} images with {tenants} tenants: this page shows the result when done.",
                )
                return redirect("memberships:bulk_share_result", started.pk)
            report = share_report(share_images(request.user, images, **options), form.malformed)
        except ChecklistRequired as error:
            form.add_error("acknowledge", error.message)
        except InvalidValue as error:
            form.add_error(None, error.message)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(map(str, errors)))
        return render_page(request, "memberships/bulk_share.html", {"form": form, "images": images}, status=400)
    level = (
        messages.SUCCESS
        if report["added"] == report["total"]
        else messages.WARNING
        if report["added"]
        else messages.ERROR
    )
    messages.add_message(request, level, _said(report))
    return render_page(request, "memberships/bulk_share.html", {"images": images, "report": report})


@require_safe
@tenant_view()
def bulk_share_result(request: TenantRequest, bulk_share_id: int) -> HttpResponse:
    """A background bulk share of the tenant's: waiting, refused, or its outcomes table."""
    found = BulkShare.objects.get_own(request.account, bulk_share_id)
    context = {"bulk": found, "report": found.report, "images": None}
    return render_page(request, "memberships/bulk_share.html", context)
