"""Image pages: the list of R5, the detail of R6, and the owner's changes (R1, R9, R10, R15)."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from imagesharing.accounts.panel import current_region, page_of, render_page, tenant_required
from imagesharing.errors import DomainError, NotFound, NotShareable
from imagesharing.images.data import (
    UPLOAD_INTERRUPTED,
    ImageUploadHandler,
    data_response,
    discard_rest,
    storage_limit_for,
)
from imagesharing.images.forms import SORTS, ImageEditForm, ImageFilterForm, ImageImportForm
from imagesharing.images.models import Image, Status, Visibility
from imagesharing.memberships.models import Event, ImageMember
from imagesharing.servers.models import Server

PAGE_SIZE = 25
HISTORY_ROWS = 50
SHARE_OUTCOMES_KEY = "share_outcomes"


def image_for(request: HttpRequest, image_id) -> Image:
    """The one gate for images (R6): owner, member of any status, or public; 404 for everyone else."""
    try:
        return Image.objects.get_usable(request.user.account, image_id)
    except NotFound:
        raise Http404("No such image.") from None


@require_safe
@tenant_required
def image_list(request: HttpRequest) -> HttpResponse:
    """R5: own images, accepted shares and public images in the current region, paged by marker."""
    account = request.user.account
    region = current_region(request)
    form = ImageFilterForm(request.GET)
    source, query = form.value("source"), form.value("q")
    sort = form.value("sort", "newest")
    context = {"form": form, "region": region, "source": source, "query": query, "sort": sort}
    if region is None:
        return render_page(request, "images/list.html", context)

    key, direction = SORTS[sort]
    images = Image.objects.visible_to(account, region)
    if source:
        images = images.from_source(account, source)
    if query:
        images = images.filter(name__icontains=query)
    images = images.sorted_by(key, direction)
    marker_id = form.value("marker", None)
    if marker_id is None and "marker" in form.errors:
        messages.info(request, "That page link is not valid; showing the first page.")
    if marker_id is not None:
        marker = images.filter(pk=marker_id).first()
        if marker is None:
            messages.info(request, "That page link is no longer valid; showing the first page.")
        else:
            images = images.after(marker, key, direction)
    images = images.select_related("owner").with_member_count(owner=account)
    filters = {name: value for name, value in (("q", query), ("source", source), ("sort", sort)) if value}
    rows, next_query = page_of(list(images.first_for(account, PAGE_SIZE + 1)), PAGE_SIZE, filters)
    context.update(
        images=rows, paged=marker_id is not None, first_page_query=urlencode(filters), next_query=next_query
    )
    return render_page(request, "images/list.html", context, fragment="results")


def owner_panel(request: HttpRequest, image: Image, share_form=None, outcomes=None) -> dict:
    """The owner's sharing section (R7, R9): every member, the Share form and its last answers."""
    from imagesharing.memberships.forms import ShareForm

    try:
        members = list(ImageMember.objects.visible_to(request.user.account, image))
    except NotShareable:
        members = []  # R9: a private image has no active members; sharing it makes it shared
    first_share = image.visibility != Visibility.SHARED or not members
    return {
        "members": members,
        "share_form": share_form or ShareForm(require_acknowledgement=first_share),
        "first_share": first_share,
        "outcomes": outcomes,
        "quota": settings.IMAGE_MEMBER_QUOTA,
    }


def consumer_panel(request: HttpRequest, image: Image) -> dict:
    """A consumer's own member record (R7), or none for a public image."""
    try:
        membership = ImageMember.objects.visible_to(request.user.account, image).first()
    except (NotFound, NotShareable):
        membership = None
    if membership is not None:
        membership.image = image  # already loaded: the template names it without another query
    return {"membership": membership}


def _history(request: HttpRequest, image: Image):
    """R16: the entries about this image that the viewer may see, newest first."""
    return (
        Event.objects.visible_to(request.user.account)
        .filter(image=image)
        .select_related("actor", "actor_account", "member")[:HISTORY_ROWS]
    )


@require_safe
@tenant_required
def image_detail(request: HttpRequest, image_id) -> HttpResponse:
    """R6: properties, servers, sharing (owner) or the member's own status (consumer), history."""
    image = image_for(request, image_id)
    account = request.user.account
    is_owner = image.owner_id == account.pk
    context = {
        "image": image,
        "is_owner": is_owner,
        "servers": Server.objects.owned_by(account).filter(image=image)[:20],
        "history": _history(request, image),
        "shared_ancestor": image.shared_ancestor() if is_owner else None,
    }
    if is_owner:
        saved = request.session.pop(SHARE_OUTCOMES_KEY, None)
        outcomes = saved["rows"] if saved and saved.get("image") == str(image.pk) else None
        context.update(owner_panel(request, image, outcomes=outcomes), edit_form=ImageEditForm(image=image))
        if image.status == Status.QUEUED:
            context["upload_limit"] = storage_limit_for(account)
    else:
        context.update(consumer_panel(request, image))
    return render_page(request, "images/detail.html", context)


@require_POST
@tenant_required
def image_edit(request: HttpRequest, image_id) -> HttpResponse:
    """R1, R9, R10: the owner renames, shares or unshares, protects; all changes or none."""
    image = image_for(request, image_id)
    form = ImageEditForm(request.POST, image=image)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label or field.capitalize()}: {' '.join(errors)}")
        return redirect("images:detail", image.pk)
    try:
        changed = image.update(request.user, **form.cleaned_data)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("images:detail", image.pk)
    if not changed:
        messages.info(request, "Nothing changed.")
    else:
        messages.success(request, f"Saved: {', '.join(field.replace('_', ' ') for field in changed)}.")
        if "visibility" in changed and image.visibility == Visibility.PRIVATE:
            messages.info(request, "The image is private: its members keep their record but lose access until you share it again.")
    return redirect("images:detail", image.pk)


@require_http_methods(["GET", "POST"])
@tenant_required
def image_delete(request: HttpRequest, image_id) -> HttpResponse:
    """R15: confirm, then delete; members go, servers booted from it keep running."""
    image = image_for(request, image_id)
    if request.method == "POST":
        try:
            image.destroy(request.user)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("images:detail", image.pk)
        messages.success(
            request,
            f"Deleted image “{image}”. Its members lost access; servers booted from it keep running.",
        )
        return redirect("images:list")
    try:
        image.require_owner(request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("images:detail", image.pk)
    context = {"image": image, "member_count": image.members.count()}
    return render_page(request, "images/delete.html", context)


@require_safe
@tenant_required
def image_download(request: HttpRequest, image_id) -> HttpResponse:
    """R6: export the data, streamed, for the owner and members of any status."""
    image = image_for(request, image_id)
    try:
        opened = image.open_data(request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("images:detail", image.pk)
    return data_response(request, image, opened, attachment=True)


@require_http_methods(["GET", "POST"])
@tenant_required
def image_import(request: HttpRequest) -> HttpResponse:
    """Import, step 1: describe the image; it is created `queued`, waiting for its data (R1, R8)."""
    region = current_region(request)
    form = ImageImportForm(request.POST if request.method == "POST" else None)
    if region is not None and form.is_valid():
        try:
            image = Image.objects.create_image(request.user, region, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Created “{image}” in {region.code}. Step 2 of 2: upload its data.")
            return redirect(reverse("images:detail", args=[image.pk]) + "#upload")
    return render_page(request, "images/import.html", {"form": form, "region": region})


@csrf_exempt  # checked by _receive_upload, once the upload handler is in place
@require_POST
@tenant_required
def image_upload(request: HttpRequest, image_id) -> HttpResponse:
    """Import, step 2: the owner streams the data into its queued image (issue 5).

    The body is parsed by `ImageUploadHandler`, which hashes while it writes and stops
    at the size cap or quota, so the refusal comes before the disk fills up.
    """
    image = image_for(request, image_id)
    try:
        image.require_uploadable(request.user)
    except DomainError as error:
        return _after_upload(request, image, error)
    handler = ImageUploadHandler(request, storage_limit_for(image.owner))
    request.upload_handlers = [handler]
    return _receive_upload(request, image, handler)


@csrf_protect
def _receive_upload(request: HttpRequest, image: Image, handler: ImageUploadHandler) -> HttpResponse:
    request.POST  # reads the body through the handler
    if handler.incoming is None:
        return _after_upload(request, image, DomainError("Choose the image file to upload."))
    try:
        image.begin_upload(request.user)
        if handler.error is not None or not handler.completed:
            handler.incoming.discard()
            error = handler.error or DomainError(UPLOAD_INTERRUPTED)
            image.kill(error.message)
            raise error
        image.finish_upload(handler.incoming)
    except DomainError as error:
        return _after_upload(request, image, error)
    return _after_upload(request, image)


def _after_upload(request: HttpRequest, image: Image, error: DomainError | None = None) -> HttpResponse:
    """Back to the image page with a message; htmx follows with a full page load.

    A refusal may come before the body was read (not the owner, not queued) or halfway
    (too large): the rest is read and dropped, so that the browser gets this answer.
    """
    if error is None:
        messages.success(request, f"Uploaded {image.size:,} bytes; “{image}” is active. MD5 {image.checksum}.")
    else:
        messages.error(request, error.message)
        discard_rest(request)
    url = reverse("images:detail", args=[image.pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
