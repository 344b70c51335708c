"""Sharing pages: Share and Remove for producers, the inbox and status buttons for consumers.

Every decision is the model's (R2, R3, R4, R7, R8, R9, R11, R12, R16); these views
parse, call and translate refusals into messages.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from imagesharing.accounts.panel import (
    messages_only,
    page_of,
    redirect_next,
    render_page,
    tenant_required,
    wants_fragment,
)
from imagesharing.errors import AlreadyMember, DomainError, NotFound, NotShareable, QuotaExceeded, TenantUnavailable
from imagesharing.images.models import Image, rows_after
from imagesharing.images.views import SHARE_OUTCOMES_KEY, consumer_panel, image_for, owner_panel
from imagesharing.memberships.forms import ReportForm, ShareForm
from imagesharing.memberships.models import Event, ImageMember, ImageReport, MemberStatus

INBOX_PAGE_SIZE = 50
HISTORY_PAGE_SIZE = 50

OUTCOME_KINDS = {AlreadyMember: "exists", TenantUnavailable: "unavailable", QuotaExceeded: "quota"}


def _member_for(request: HttpRequest, image: Image, tenant_id: int) -> ImageMember:
    """The one gate for members (R7): the owner finds any member, a consumer only itself; 404 otherwise."""
    try:
        members = ImageMember.objects.visible_to(request.user.account, image)
    except (NotFound, NotShareable):
        raise Http404("No such member.") from None
    member = members.filter(member__tenant_id=tenant_id).first()
    if member is None:
        raise Http404("No such member.")
    return member


def _own_membership(request: HttpRequest, image: Image) -> ImageMember | None:
    """The signed-in tenant's own member record of `image`, if it is a member (R7)."""
    try:
        return ImageMember.objects.visible_to(request.user.account, image).filter(member=request.user.account).first()
    except (NotFound, NotShareable):
        return None


def _outcome_rows(result, malformed: list[str]) -> list[dict]:
    """One plain row per tenant ID typed, in the order typed, for the results table."""
    rows = []
    for outcome in result.outcomes if result else []:
        if outcome.added:
            rows.append({"tenant_id": outcome.tenant_id, "kind": "added", "text": "Added: pending until they accept"})
        else:
            kind = OUTCOME_KINDS.get(type(outcome.error), "refused")
            rows.append({"tenant_id": outcome.tenant_id, "kind": kind, "text": outcome.error.message})
    for entry in malformed:
        rows.append({"tenant_id": entry, "kind": "malformed", "text": "Not a tenant ID: tenant IDs are numbers."})
    return rows


def _sharing_response(request: HttpRequest, image: Image, form=None, outcomes=None) -> HttpResponse:
    """htmx: the sharing section alone; otherwise back to the image page (outcomes kept for it)."""
    if wants_fragment(request):
        context = {"image": image, "is_owner": True, **owner_panel(request, image, share_form=form, outcomes=outcomes)}
        return render_page(request, "images/detail.html", context, fragment="sharing")
    if outcomes:
        request.session[SHARE_OUTCOMES_KEY] = {"image": str(image.pk), "rows": outcomes}
    return redirect(reverse("images:detail", args=[image.pk]) + "#sharing")


@require_POST
@tenant_required
def share(request: HttpRequest, image_id) -> HttpResponse:
    """Share with one or many tenants and answer per ID (R2, R8, R11); a private image turns shared (R9)."""
    image = image_for(request, image_id)
    try:
        first_share = owner_panel(request, image)["first_share"]
    except NotFound:
        first_share = False  # not the owner's image: `share` below refuses it
    form = ShareForm(request.POST, require_acknowledgement=first_share)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return _sharing_response(request, image, form=form)
    result = None
    if form.cleaned_data["tenant_ids"]:
        try:
            result = ImageMember.objects.share(request.user, image, form.cleaned_data["tenant_ids"])
        except DomainError as error:
            messages.error(request, error.message)
            return _sharing_response(request, image)
    rows = _outcome_rows(result, form.malformed)
    added = len(result.added) if result else 0
    level = messages.SUCCESS if added == len(rows) else messages.WARNING if added else messages.ERROR
    messages.add_message(request, level, f"Shared with {added} of {len(rows)} tenant{'s' if len(rows) != 1 else ''}.")
    if result and result.made_shared:
        messages.info(request, "This image was private; it is now shared, visible to its members only.")
    return _sharing_response(request, image, outcomes=rows)


@require_http_methods(["GET", "POST"])
@tenant_required
def remove(request: HttpRequest, image_id, tenant_id: int) -> HttpResponse:
    """R12: confirm, then revoke one consumer; its servers and snapshots stay its own."""
    image = image_for(request, image_id)
    member = _member_for(request, image, tenant_id)
    if request.method == "GET":
        context = {"image": image, "member": member}
        return render_page(request, "memberships/remove.html", context, fragment="confirm")
    try:
        member.remove(request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"Removed tenant {member.member.tenant_id}. It can no longer see or boot this image; "
            "servers and snapshots it already made stay its own.",
        )
    return _sharing_response(request, image)


STATUS_MESSAGES = {
    MemberStatus.ACCEPTED: "Accepted “{name}”: it is now in your image list in {region}.",
    MemberStatus.REJECTED: "Rejected “{name}”: it is hidden from your image list; you can still boot it by its ID.",
    MemberStatus.PENDING: "“{name}” is back to pending: hidden from your image list until you accept it.",
}


@require_POST
@tenant_required
def set_status(request: HttpRequest, image_id) -> HttpResponse:
    """R3: the consumer accepts, rejects or returns an offer to pending."""
    image = image_for(request, image_id)
    membership = _own_membership(request, image)
    if membership is None:
        messages.error(request, "Only a tenant this image is shared with can accept or reject it.")
    else:
        try:
            membership.set_status(request.user, request.POST.get("status", ""))
        except DomainError as error:
            messages.error(request, error.message)
        else:
            template = STATUS_MESSAGES[membership.status]
            messages.success(request, template.format(name=image.name or image.pk, region=image.region_id))
    if wants_fragment(request) and membership is not None:
        membership.image = image
        if (request.htmx.target or "").startswith("offer-"):
            context = {"offer": membership, "inbox_next": reverse("memberships:inbox")}
            return render_page(request, "memberships/inbox.html", context, fragment="offer")
        context = {"image": image, **consumer_panel(request, image)}
        return render_page(request, "images/detail.html", context, fragment="my-status")
    if wants_fragment(request):
        return messages_only(request)
    return redirect_next(request, reverse("images:detail", args=[image.pk]))


@require_safe
@tenant_required
def inbox(request: HttpRequest) -> HttpResponse:
    """R5: "Shared with me": pending offers first, then rejected, then accepted, in every region."""
    account = request.user.account
    status = request.GET.get("status", "")
    if status not in MemberStatus.values:
        status = ""
    offers = ImageMember.objects.inbox(account, [status] if status else None)
    marker_id = request.GET.get("marker", "")
    if marker_id:
        marker = offers.filter(pk=int(marker_id)).first() if marker_id.isdigit() and len(marker_id) < 19 else None
        if marker is None:
            messages.info(request, "That page link is no longer valid; showing the first page.")
        else:
            offers = offers.inbox_after(marker)
    filters = {"status": status} if status else {}
    rows, next_query = page_of(list(offers[: INBOX_PAGE_SIZE + 1]), INBOX_PAGE_SIZE, filters)
    context = {
        "offers": rows,
        "status": status,
        "statuses": MemberStatus,
        "paged": bool(marker_id),
        "first_page_query": urlencode(filters),
        "next_query": next_query,
    }
    return render_page(request, "memberships/inbox.html", context, fragment="offers")


@require_http_methods(["GET", "POST"])
@tenant_required
def report(request: HttpRequest, image_id) -> HttpResponse:
    """Seed 004: a consumer reports an image shared in error or with malicious intent to the operators."""
    image = image_for(request, image_id)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ImageReport.objects.file(request.user, image, form.cleaned_data["reason"], form.cleaned_data["details"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                "Thank you: the cloud's operators will review your report. "
                "You can also reject the offer to hide the image from your list.",
            )
        return redirect("images:detail", image.pk)
    return render_page(request, "memberships/report.html", {"image": image, "form": form})


@require_safe
@tenant_required
def history(request: HttpRequest) -> HttpResponse:
    """R16: what happened to the tenant's memberships, or to its own images, newest first."""
    account = request.user.account
    about = request.GET.get("about", "memberships")
    if about not in ("memberships", "images"):
        about = "memberships"
    events = Event.objects.visible_to(account)
    events = events.filter(member=account) if about == "memberships" else events.filter(image__owner=account)
    events = events.select_related("image", "actor", "actor_account", "member").order_by("-created_at", "-pk")
    before = request.GET.get("before", "")
    if before:
        marker = events.filter(pk=int(before)).first() if before.isdigit() and len(before) < 19 else None
        if marker is None:
            messages.info(request, "That page link is no longer valid; showing the newest entries.")
        else:
            events = rows_after(events, marker)
    rows, next_query = page_of(list(events[: HISTORY_PAGE_SIZE + 1]), HISTORY_PAGE_SIZE, {"about": about}, "before")
    context = {"events": rows, "about": about, "next_query": next_query}
    return render_page(request, "memberships/history.html", context)
