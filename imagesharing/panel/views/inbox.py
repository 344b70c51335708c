"""The consumer's "Shared with me" inbox (R5) and the history of both sides (R16)."""

from collections.abc import Iterable

from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from imagesharing.choices import MemberStatus
from imagesharing.lib.keyset import ordered, rows_after
from imagesharing.memberships.history import Event
from imagesharing.memberships.members import ImageMember
from imagesharing.panel.answering import answerable
from imagesharing.panel.http import TenantRequest, tenant_view
from imagesharing.panel.links import RowUrl, rows_with
from imagesharing.panel.paging import keyset_page
from imagesharing.panel.rendering import render_page

INBOX_PAGE_SIZE = 50
HISTORY_PAGE_SIZE = 50


@require_safe
@tenant_view()
def inbox(request: TenantRequest) -> HttpResponse:
    """R5: "Shared with me": pending offers first, then rejected, then accepted, in every region."""
    status = request.GET.get("status", "")
    if status not in MemberStatus.values:
        status = ""
    offers = ImageMember.objects.inbox(request.account, [status] if status else None)
    page = keyset_page(
        request,
        offers,
        INBOX_PAGE_SIZE,
        params={"status": status} if status else {},
        after=lambda rows, marker: rows.inbox_after(marker),
    )
    context = {
        "offers": offer_rows(page.rows),
        "inbox_next": request.get_full_path(),
        "status": status,
        "statuses": MemberStatus,
        "paged": page.paged,
        "first_page_query": page.first_query,
        "next_query": page.next_query,
    }
    return render_page(request, "memberships/inbox.html", context, fragment="offers")


def offer_rows(offers: Iterable[ImageMember]) -> list[ImageMember]:
    """The inbox's rows with their links and answer buttons, each kind of link reversed once."""
    boot = reverse("servers:boot")
    return rows_with(
        answerable(offers),
        detail_url=RowUrl("images:detail", key="image_id"),
        boot_url=lambda offer: f"{boot}?image={offer.image_id}",
    )


@require_safe
@tenant_view()
def history(request: TenantRequest) -> HttpResponse:
    """R16: what happened to the tenant's memberships, or to its own images, newest first."""
    account = request.account
    about = request.GET.get("about", "memberships")
    if about not in ("memberships", "images"):
        about = "memberships"
    events = Event.objects.visible_to(account)
    events = events.filter(member=account) if about == "memberships" else events.filter(image__owner=account)
    events = ordered(events.select_related("image", "actor", "actor_account", "member"))
    page = keyset_page(
        request,
        events,
        HISTORY_PAGE_SIZE,
        params={"about": about},
        marker="before",
        stale="That page link is no longer valid; showing the newest entries.",
        after=rows_after,
    )
    context = {"events": page.rows, "about": about, "next_query": page.next_query}
    return render_page(request, "memberships/history.html", context)
