"""Bulk shares (issue 14): the owner shares the images it selected on the images list with tenant
IDs or one of its lists (R23) in one action, and sees a table of (image, tenant, outcome).

The images list's checkboxes belong to this page's form through their `form` attribute, so
the action works without JavaScript. R11 holds per image; seed 004's checklist is asked once
for all the images (`share_images`).
"""

from django.contrib import messages
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from imagesharing.errors import AlreadyMember, ChecklistRequired, InvalidValue, QuotaExceeded, TenantUnavailable
from imagesharing.memberships.lists import ImageOutcome, TenantList, own_images, share_images
from imagesharing.panel.forms.lists import BulkShareForm
from imagesharing.panel.http import TenantRequest, tenant_view
from imagesharing.panel.rendering import render_page

OUTCOMES = {
    AlreadyMember: ("exists", "Already a member"),
    TenantUnavailable: ("unavailable", "Not available: " + TenantUnavailable.default_message),
    QuotaExceeded: ("quota", "Quota full"),
}
# Beyond this many rows the table shows the refusals only, and a count per image says the rest.
ROWS_SHOWN = 500


def images_url(**_) -> str:
    return reverse("images:list")


def outcome_rows(results: list[ImageOutcome]) -> list[dict]:
    """One plain row per (image, tenant ID), in order, for the outcomes table."""
    rows = []
    for result in results:
        error = result.outcome.error
        if error is None:
            kind, text = "added", "Added: pending until they accept"
        else:
            kind, said = OUTCOMES.get(type(error), ("refused", error.message))
            text = f"{said}: {error.message}" if kind == "quota" else said
        rows.append({"image": result.image, "tenant_id": result.outcome.tenant_id, "kind": kind, "text": text})
    return rows


def _per_image(rows: list[dict]) -> list[dict]:
    """Counts of each outcome per image, in the order of the images."""
    counts: dict = {}
    for row in rows:
        if row["image"] is None:
            continue  # a malformed tenant ID, refused for every image alike
        image = counts.setdefault(row["image"].pk, {"image": row["image"], "added": 0, "refused": 0})
        image["added" if row["kind"] == "added" else "refused"] += 1
    return list(counts.values())


@require_POST
@tenant_view(back=images_url)
def bulk_share(request: TenantRequest) -> HttpResponse:
    """Share the selected images with tenant IDs or a list; the answer is the outcomes table.

    A form that cannot be carried out (nothing selected, the checklist not ticked) is shown
    again with the images selected kept, and changes nothing.
    """
    images = own_images(request.user, request.POST.getlist("image"))
    form = BulkShareForm(request.POST, owner=request.account)
    results = None
    if form.is_valid():
        tenant_list = None
        if form.cleaned_data.get("tenant_list"):
            tenant_list = TenantList.objects.get_own(request.account, form.cleaned_data["tenant_list"])
        try:
            results = share_images(
                request.user,
                images,
                tenant_ids=form.cleaned_data["tenant_ids"],
                tenant_list=tenant_list,
                acknowledged=form.cleaned_data.get("acknowledge", False),
                note=form.cleaned_data["note"],
            )
        except ChecklistRequired as error:
            form.add_error("acknowledge", error.message)
        except InvalidValue as error:
            form.add_error(None, error.message)
    if results is None:
        for errors in form.errors.values():
            messages.error(request, " ".join(map(str, errors)))
        return render_page(request, "memberships/bulk_share.html", {"form": form, "images": images}, status=400)
    rows = outcome_rows(results)
    rows += [
        {"image": None, "tenant_id": entry, "kind": "malformed", "text": "Not a tenant ID"} for entry in form.malformed
    ]
    added = sum(row["kind"] == "added" for row in rows)
    level = messages.SUCCESS if added == len(rows) else messages.WARNING if added else messages.ERROR
    messages.add_message(request, level, f"{added} of {len(rows)} offers made, on {len(images)} images.")
    shown = rows if len(rows) <= ROWS_SHOWN else [row for row in rows if row["kind"] != "added"][:ROWS_SHOWN]
    context = {"form": None, "images": images, "rows": shown, "all_rows": len(rows), "per_image": _per_image(rows)}
    return render_page(request, "memberships/bulk_share.html", context)
