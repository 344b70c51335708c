"""The consumer's "Shared with me" inbox (R5) and the history of both sides (R16)."""

from django.http import HttpResponse
from django.views.decorators.http import require_safe

from imagesharing.choices import MemberStatus
from imagesharing.lib.keyset import ordered, rows_after
from imagesharing.memberships.history import Event
from imagesharing.memberships.members import ImageMember
from imagesharing.panel.http import TenantRequest, tenant_view
from imagesharing.panel.paging import keyset_page
from imagesharing.panel.rendering import render_page
from imagesharing.panel.tables import TenantNames, event_rows, event_tenant_ids, offer_rows

INBOX_PAGE_SIZE = 50
HISTORY_PAGE_SIZE = 50


@require_safe
@tenant_view()
def inbox(request: TenantRequest) -> HttpResponse:
    """R5: "Shared with me": pending offers first, then rejected, then accepted, in every region."""
    status = request.GET.get("status", "")
    if status not in MemberStatus.values:
        status = ""
    offers = ImageMember.objects.inbox(request.account, [status] if status else None).with_replacements(request.account)
    page = keyset_page(
        request,
        offers,
        INBOX_PAGE_SIZE,
        params={"status": status} if status else {},
        after=lambda rows, marker: rows.inbox_after(marker),
    )
    here = request.get_full_path()
    names = TenantNames(request.account, {offer.image.owner.tenant_id for offer in page.rows}, here)
    context = {
        "offers": page.rows,
        "rows": offer_rows(request, page.rows, next_url=here, names=names),
        "status": status,
        "statuses": MemberStatus,
        "paged": page.paged,
        "first_page_query": page.first_query,
        "next_query": page.next_query,
    }
    return render_page(request, "memberships/inbox.html", context, fragment="offers")


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
    names = TenantNames(account, event_tenant_ids(page.rows), request.get_full_path())
    rows = event_rows(account, page.rows, names, show_image=True)
    context = {"events": page.rows, "rows": rows, "about": about, "next_query": page.next_query}
    return render_page(request, "memberships/history.html", context)
