"""Image data in the panel: import (describe, then upload) and export (download), R1, R6, R8."""

from django.contrib import messages
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from imagesharing.errors import DomainError
from imagesharing.images.models import Image
from imagesharing.images.transfer import ImageUploadHandler, data_response, discard_rest
from imagesharing.panel.forms.images import ImageImportForm
from imagesharing.panel.gates import image_for
from imagesharing.panel.http import TenantRequest, image_url, tenant_view
from imagesharing.panel.regions import current_region
from imagesharing.panel.rendering import render_page


@require_safe
@tenant_view(back=image_url)
def image_download(request: TenantRequest, image_id) -> HttpResponseBase:
    """R6: export the data, streamed, for the owner and members of any status."""
    image = image_for(request, image_id)
    return data_response(request, image, image.open_data(request.user), attachment=True)


@require_http_methods(["GET", "POST"])
@tenant_view()
def image_import(request: TenantRequest) -> HttpResponse:
    """Import, step 1: describe the image; it is created `queued`, waiting for its data (R1, R8)."""
    region = current_region(request)
    form = ImageImportForm(request.POST if request.method == "POST" else None)
    if region is not None and form.is_valid():
        try:
            image = Image.objects.create_image(request.user, region, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)  # shown with the form, the typed values kept
        else:
            messages.success(request, f"Created “{image}” in {region.code}. Step 2 of 2: upload its data.")
            return redirect(image_url(image.pk) + "#upload")
    return render_page(request, "images/import.html", {"form": form, "region": region})


@csrf_exempt  # checked by _receive_upload, once the upload handler is in place
@require_POST
@tenant_view()
def image_upload(request: TenantRequest, image_id) -> HttpResponse:
    """Import, step 2: the owner streams the data into its queued image (issue 5).

    The body is parsed by `ImageUploadHandler`, which hashes while it writes and stops
    at the size cap or quota, so the refusal comes before the disk fills up.
    """
    image = image_for(request, image_id)
    try:
        image.require_uploadable(request.user)
    except DomainError as error:
        return _after_upload(request, image, error)
    handler = ImageUploadHandler(request, Image.objects.upload_limit(image.owner))
    request.upload_handlers = [handler]
    try:
        return _receive_upload(request, image, handler)
    except Exception:
        handler.upload_interrupted()  # a body Django cannot parse (its 400 page): drop the spool, keep the image
        raise


@csrf_protect
def _receive_upload(request: TenantRequest, image: Image, handler: ImageUploadHandler) -> HttpResponse:
    _ = request.POST  # reads the body through the handler
    try:
        image.receive_spooled(request.user, handler.spooled(), handler.refusal)
    except DomainError as error:
        return _after_upload(request, image, error)
    return _after_upload(request, image)


def _after_upload(request: TenantRequest, image: Image, error: DomainError | None = None) -> HttpResponse:
    """Back to the image page with a message; htmx follows with a full page load.

    A refusal may come before the body was read (not the owner, not queued) or halfway
    (too large): the rest is read and dropped, so that the browser gets this answer.
    """
    if error is None:
        messages.success(request, f"Uploaded {image.size:,} bytes; “{image}” is active. MD5 {image.checksum}.")
    else:
        messages.error(request, error.message)
        discard_rest(request)
    url = image_url(image.pk)
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
