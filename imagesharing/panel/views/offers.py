"""Shared by me: the producer's board of every offer it has made, across images and regions (R7),
with bulk Remove behind one confirmation naming everyone affected (R12)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from imagesharing.errors import DomainError
from imagesharing.lib.keyset import ordered, rows_after
from imagesharing.lib.parse import parse_field_value
from imagesharing.memberships.members import ImageMember
from imagesharing.panel.forms.offers import SORTS, OffersFilterForm
from imagesharing.panel.http import TenantRequest, shared_by_me_url, tenant_view
from imagesharing.panel.paging import keyset_page
from imagesharing.panel.regions import tenant_regions
from imagesharing.panel.rendering import render_page
from imagesharing.panel.tables import TenantNames
from imagesharing.servers.models import Server

PAGE_SIZE = 50
MAX_SELECTED = 200


@require_safe
@tenant_view()
def shared_by_me(request: TenantRequest) -> HttpResponse:
    """Every member of the tenant's shared images, filtered by answer, region and image, paged."""
    form = OffersFilterForm(request.GET, regions=tenant_regions(request))
    status, region, image = form.value("status"), form.value("region"), form.value("image", None)
    sort = form.value("sort", "waiting")
    key, direction = SORTS[sort]
    offers = ImageMember.objects.shared_by(request.account)
    if status:
        offers = offers.filter(status=status)
    if region:
        offers = offers.filter(image__region_id=region)
    if image is not None:
        offers = offers.filter(image_id=image)
    offers = ordered(offers, key, direction)
    filters = {"status": status, "region": region, "image": image or "", "sort": sort}
    page = keyset_page(
        request,
        offers,
        PAGE_SIZE,
        params={name: value for name, value in filters.items() if value},
        after=lambda rows, marker: rows_after(rows, marker, key, direction),
    )
    context = {
        "form": form,
        "offers": page.rows,
        "names": TenantNames(request.account, {offer.member.tenant_id for offer in page.rows}, request.get_full_path()),
        "paged": page.paged,
        "first_page_query": page.first_query,
        "next_query": page.next_query,
        "now": timezone.now(),
        **filters,
    }
    return render_page(request, "memberships/shared_by_me.html", context, fragment="offers")


@require_POST
@tenant_view(back=shared_by_me_url)
def remove_offers(request: TenantRequest) -> HttpResponse:
    """Bulk Remove: first a page naming every (image, tenant) affected, then each removal (R12).

    Only the tenant's own offers can be selected (anything else is not found and ignored);
    each removal is `ImageMember.remove`, so every rule and history entry is as for one.
    """
    ids = [pk for pk in (parse_field_value(ImageMember, "pk", v) for v in request.POST.getlist("member")) if pk]
    selected = list(ImageMember.objects.shared_by(request.account).filter(pk__in=ids[:MAX_SELECTED]).order_by("pk"))
    if not selected:
        messages.error(request, "Select the offers to remove first.")
        return redirect("memberships:shared_by_me")
    if "confirmed" not in request.POST:
        usage = Server.objects.usage_of_offers(request.account, selected)  # R26
        losing = [(offer, usage.of(offer)) for offer in selected]
        return render_page(request, "memberships/remove_offers.html", {"offers": selected, "losing": losing})
    removed = 0
    for member in selected:
        try:
            member.remove(request.user)
        except DomainError as error:  # one refusal (removed meanwhile) does not stop the others
            messages.error(request, f"Tenant {member.member.tenant_id} on “{member.image}”: {error.message}")
        else:
            removed += 1
    messages.success(
        request,
        f"Removed {removed} member{'s' if removed != 1 else ''}. They can no longer see or boot those images; "
        "servers and snapshots they already made stay their own.",
    )
    return redirect("memberships:shared_by_me")


@require_POST
@tenant_view(back=shared_by_me_url)
def remind_pending(request: TenantRequest) -> HttpResponse:
    """R20 in bulk: remind every pending member of the tenant's images that a reminder is due to."""
    reminded = ImageMember.objects.remind_pending(request.user)
    if reminded:
        messages.success(request, f"Reminded {reminded} pending member{'s' if reminded != 1 else ''}.")
    else:
        messages.info(request, "No pending member is due a reminder: each can be reminded once a day.")
    return redirect("memberships:shared_by_me")
