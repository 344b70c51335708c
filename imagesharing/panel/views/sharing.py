"""The owner's Sharing section of the image page, and the actions that answer with it:
Share with tenants (R2, R8, R9, R11, R19's note, R22, seed 004's checklist), a member's note (R19),
Remove (R12), Remind (R20) and a member's end dates (R22).

The section itself is built by `image_page.sharing_section`, for the page and for
these actions alike; after a share without JavaScript the per-ID results wait in the
session until the image page shows them once.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from imagesharing.choices import MemberStatus, Role
from imagesharing.errors import AlreadyMember, ChecklistRequired, InvalidValue, QuotaExceeded, TenantUnavailable
from imagesharing.images.models import Image, ShareResult
from imagesharing.lib.times import utc_minutes
from imagesharing.memberships.lists import TenantList, share_images
from imagesharing.panel.forms.sharing import EndDatesForm, NoteForm, ShareForm, day_of
from imagesharing.panel.gates import image_for, member_for
from imagesharing.panel.http import TenantRequest, sharing_url, tenant_view
from imagesharing.panel.rendering import render_page, wants_fragment
from imagesharing.panel.tables import TenantNames, member_rows
from imagesharing.panel.views.image_page import FACTS, keep_outcomes, owner_parts, page_context
from imagesharing.servers.models import Server

OUTCOME_KINDS = {AlreadyMember: "exists", TenantUnavailable: "unavailable", QuotaExceeded: "quota"}
# R24: a consumer's lists may answer the offer the moment it is made.
ADDED = {
    MemberStatus.PENDING: "Added: pending until they accept",
    MemberStatus.ACCEPTED: "Added, and accepted at once by the tenant's trusted producers",
    MemberStatus.REJECTED: "Added, and rejected at once by the tenant's blocked producers",
}


def outcome_rows(result: ShareResult | None, malformed: list[str]) -> list[dict]:
    """One plain row per tenant ID typed, in the order typed, for the results table."""
    rows = []
    for outcome in result.outcomes if result else []:
        if outcome.error is None:
            assert outcome.member is not None  # an outcome is a member or an error
            text = ADDED[MemberStatus(outcome.member.status)]
            rows.append({"tenant_id": outcome.tenant_id, "kind": "added", "text": text})
        else:
            kind = OUTCOME_KINDS.get(type(outcome.error), "refused")
            rows.append({"tenant_id": outcome.tenant_id, "kind": kind, "text": outcome.error.message})
    for entry in malformed:
        rows.append({"tenant_id": entry, "kind": "malformed", "text": "Not a tenant ID: tenant IDs are numbers."})
    return rows


def _answer(
    request: TenantRequest, image: Image, form: ShareForm | None = None, outcomes: list[dict] | None = None
) -> HttpResponse:
    """The section after an action: with htmx, the section and the facts it may have changed
    (a first share makes the image shared); without, the image page.

    A form with errors is shown again on the whole page, what was typed kept beside
    its errors; results wait in the session for the page the browser is sent to.
    """
    if wants_fragment(request):
        context = owner_parts(request, image, form, outcomes)
        return render_page(request, "images/detail.html", context, fragment="sharing", refresh=FACTS)
    if form is not None and form.errors:
        return render_page(request, "images/detail.html", page_context(request, image, share_form=form))
    if outcomes:
        keep_outcomes(request, image, outcomes)
    return redirect(sharing_url(image.pk))


@require_POST
@tenant_view(back=sharing_url)
def share(request: TenantRequest, image_id) -> HttpResponse:
    """Share with one or many tenants, or with a list (R23), and answer per ID; a private image turns shared (R9)."""
    image = image_for(request, image_id)
    form = ShareForm(request.POST, first_share=image.is_first_share(), lists=request.account)
    result = None
    if form.is_valid():
        try:
            result = _share(request, image, form)
        except ChecklistRequired as error:
            form.add_error("acknowledge" if "acknowledge" in form.fields else None, error.message)
        except InvalidValue as error:
            form.add_error(None, error.message)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(map(str, errors)))
        return _answer(request, image, form=form)
    rows = outcome_rows(result, form.malformed)
    added = len(result.added) if result else 0
    level = messages.SUCCESS if added == len(rows) else messages.WARNING if added else messages.ERROR
    messages.add_message(request, level, f"Shared with {added} of {len(rows)} tenant{'s' if len(rows) != 1 else ''}.")
    if result and result.made_shared:
        messages.info(request, "This image was private; it is now shared, visible to its members only.")
    return _answer(request, image, outcomes=rows)


def _share(request: TenantRequest, image: Image, form: ShareForm) -> ShareResult | None:
    """The share the form asks for: with the tenant IDs typed, or with a list's (R23)."""
    options = {
        "acknowledged": form.cleaned_data.get("acknowledge", False),
        "note": form.cleaned_data["note"],
        **form.end_dates(),
    }
    if form.cleaned_data.get("tenant_list"):
        tenant_list = TenantList.objects.get_own(request.account, form.cleaned_data["tenant_list"])
        was_private = image.is_private
        rows = share_images(request.user, [image], tenant_list=tenant_list, **options)
        image.refresh_from_db(fields=["visibility", "updated_at"])
        return ShareResult([row.outcome for row in rows], made_shared=was_private and image.is_shared)
    if not form.cleaned_data["tenant_ids"]:
        return None
    return image.share_with(request.user, form.cleaned_data["tenant_ids"], **options)


@require_http_methods(["GET", "POST"])
@tenant_view(back=sharing_url)
def note(request: TenantRequest, image_id, tenant_id: int) -> HttpResponse:
    """R19: the owner writes, changes or clears its note to one member; with htmx, in the member's row."""
    image = image_for(request, image_id)
    member = member_for(request, image, tenant_id)
    request.user.require_role(Role.MEMBER, "write notes on offers")  # R27: a reader is not shown the form
    image.require_owner(request.user)  # a consumer finds its own member row, but writes no note on it
    if request.method == "GET":
        form = NoteForm(initial={"note": member.note})
    else:
        form = NoteForm(request.POST)
        if form.is_valid():
            member.set_note(request.user, form.cleaned_data["note"])
            said = "saved" if member.note else "removed"
            messages.success(request, f"Your note to tenant {member.member.tenant_id} is {said}.")
            if not wants_fragment(request):
                return redirect(sharing_url(image.pk))
            names = TenantNames(request.account, [member.member.tenant_id], sharing_url(image.pk))
            usage = Server.objects.usage_by_member(request.user, image)
            row = {"row": member_rows(request, image, [member], names, usage)[0]}
            return render_page(request, "memberships/note.html", row, fragment="row")
    context = {"image": image, "member": member, "form": form}
    return render_page(request, "memberships/note.html", context, fragment="edit")


@require_http_methods(["GET", "POST"])
@tenant_view(back=sharing_url)
def remove(request: TenantRequest, image_id, tenant_id: int) -> HttpResponse:
    """R12: confirm, then revoke one consumer; its servers and snapshots stay its own."""
    image = image_for(request, image_id)
    member = member_for(request, image, tenant_id)
    request.user.require_role(Role.MEMBER, "remove members")  # R27: a reader is not shown the confirmation
    if request.method == "GET":
        used = Server.objects.usage_by_member(request.user, image).of(member)  # R26
        context = {"image": image, "member": member, "used": used}
        return render_page(request, "memberships/remove.html", context, fragment="confirm")
    member.remove(request.user)
    messages.success(
        request,
        f"Removed tenant {member.member.tenant_id}. It can no longer see or boot this image; "
        "servers and snapshots it already made stay its own.",
    )
    return _answer(request, image)


@require_POST
@tenant_view(back=sharing_url)
def remind(request: TenantRequest, image_id, tenant_id: int) -> HttpResponse:
    """R20: remind a pending member of the offer (at most once per REMINDER_INTERVAL)."""
    image = image_for(request, image_id)
    member = member_for(request, image, tenant_id).remind(request.user)
    again = utc_minutes(member.next_reminder_at)
    messages.success(request, f"Reminded tenant {member.member.tenant_id}. You can remind it again after {again}.")
    return _answer(request, image)


@require_http_methods(["GET", "POST"])
@tenant_view(back=sharing_url)
def end_dates(request: TenantRequest, image_id, tenant_id: int) -> HttpResponse:
    """R22: when this member's offer is withdrawn if unanswered, and when its access ends."""
    image = image_for(request, image_id)
    member = member_for(request, image, tenant_id)
    request.user.require_role(Role.MEMBER, "set end dates")  # R27: a reader is not shown the form
    initial = {"offer_open_until": day_of(member.offer_expires_at), "access_until": day_of(member.access_ends_at)}
    form = EndDatesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            member.set_end_dates(request.user, **form.end_dates())
        except InvalidValue as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Saved the dates of tenant {member.member.tenant_id}.")
            return redirect(sharing_url(image.pk))
    return render_page(request, "memberships/end_dates.html", {"image": image, "member": member, "form": form})
