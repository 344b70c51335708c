"""R25 on the owner's side: Deprecate (a replacement, a deletion date), Cancel deprecation, and
Offer the replacement to every current member, whose per-tenant results the replacement's
Sharing section shows, as after a Share.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from imagesharing.choices import Role
from imagesharing.errors import ChecklistRequired, InvalidValue
from imagesharing.lib.times import utc_minutes
from imagesharing.panel.forms.deprecation import DeprecateForm, OfferReplacementForm
from imagesharing.panel.gates import image_for
from imagesharing.panel.http import TenantRequest, image_url, sharing_url, tenant_view
from imagesharing.panel.rendering import render_page
from imagesharing.panel.views.image_page import keep_outcomes
from imagesharing.panel.views.sharing import outcome_rows


def deprecation_url(image_id, **_) -> str:
    return image_url(image_id) + "#deprecation"


@require_http_methods(["GET", "POST"])
@tenant_view(back=deprecation_url)
def deprecate(request: TenantRequest, image_id) -> HttpResponse:
    """The owner deprecates the image, or changes its replacement and deletion date."""
    image = image_for(request, image_id)
    request.user.require_role(Role.MEMBER, "deprecate images")  # R27: a reader is not shown the form
    image.require_owner(request.user)  # R1: nobody else sees the owner's other images listed
    form = DeprecateForm(request.POST or None, image=image)
    if request.method == "POST" and form.is_valid():
        was = image.is_deprecated
        try:
            changed = image.deprecate(
                request.user,
                replacement=form.cleaned_data["replacement"] or None,
                delete_after=form.deletion_time(),
                version=form.cleaned_data["version"] or None,
            )
        except InvalidValue as error:  # shown with the form, the choices kept; other refusals go back to the page
            form.add_error(None, error.message)
            return render_page(request, "images/deprecate.html", {"image": image, "form": form})
        if not changed:
            messages.info(request, "Nothing changed.")
        else:
            told = "" if was else " Its members are told; it keeps working for them until it is deleted."
            when = f" It will be deleted after {utc_minutes(image.delete_after)}." if image.delete_after else ""
            messages.success(request, f"“{image}” is deprecated.{when}{told}")
        return redirect(deprecation_url(image.pk))
    return render_page(request, "images/deprecate.html", {"image": image, "form": form})


@require_POST
@tenant_view(back=deprecation_url)
def undeprecate(request: TenantRequest, image_id) -> HttpResponse:
    """The owner cancels the deprecation: no replacement, no deletion date any more."""
    image = image_for(request, image_id)
    image.undeprecate(request.user, version=request.POST.get("version") or None)
    messages.success(request, f"“{image}” is no longer deprecated; it will not be deleted by itself.")
    return redirect(deprecation_url(image.pk))


@require_POST
@tenant_view(back=deprecation_url)
def offer_replacement(request: TenantRequest, image_id) -> HttpResponse:
    """Share the replacement with every current member of the deprecated image, in one action;
    the results, one per tenant, wait on the replacement's page as after a Share."""
    image = image_for(request, image_id)
    replacement = image.replacement if image.replacement_id is not None else None
    form = OfferReplacementForm(request.POST, first_share=replacement is not None and replacement.is_first_share())
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(map(str, errors)))
        return redirect(deprecation_url(image.pk))
    try:
        result = image.offer_replacement(
            request.user, acknowledged=form.cleaned_data.get("acknowledge", False), note=form.cleaned_data["note"]
        )
    except ChecklistRequired as error:
        messages.error(request, error.message)
        return redirect(deprecation_url(image.pk))
    assert replacement is not None  # `offer_replacement` refuses an image without one
    rows = outcome_rows(result, [])
    added = len(result.added)
    level = messages.SUCCESS if added == len(rows) else messages.WARNING if added else messages.ERROR
    said = f"Offered “{replacement}” to {added} of {len(rows)} member{'s' if len(rows) != 1 else ''} of “{image}”."
    messages.add_message(request, level, said)
    if result.made_shared:
        messages.info(request, "The replacement was private; it is now shared, visible to its members only.")
    keep_outcomes(request, replacement, rows)
    return redirect(sharing_url(replacement.pk))
