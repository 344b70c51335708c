"""Server pages: boot (also by image ID, R6), snapshot (R13) and delete; a simulated compute."""

import uuid

from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from imagesharing.accounts.panel import (
    choose_region,
    current_region,
    page_of,
    redirect_next,
    render_page,
    tenant_required,
)
from imagesharing.errors import DomainError, NotFound
from imagesharing.images.models import Image, Status, rows_after
from imagesharing.servers.forms import BootForm, SnapshotForm
from imagesharing.servers.models import Server

PAGE_SIZE = 50
BOOT_CHOICES = 100


def server_for(request: HttpRequest, server_id) -> Server:
    """The one gate for servers: the tenant's own, 404 alike for another tenant's and a missing one."""
    try:
        return Server.objects.get_owned(request.user.account, server_id)
    except NotFound:
        raise Http404("No such server.") from None


@require_safe
@tenant_required
def server_list(request: HttpRequest) -> HttpResponse:
    """The tenant's servers in the current region, newest first, with a boot form."""
    account = request.user.account
    region = current_region(request)
    context = {"region": region}
    if region is None:
        return render_page(request, "servers/list.html", context)
    servers = (
        Server.objects.owned_by(account)
        .filter(region=region)
        .select_related("image")
        # R12: a revoked image is still named on the server, but no longer linked.
        .annotate(image_usable=Exists(Image.objects.usable_by(account).filter(pk=OuterRef("image_id"))))
        .order_by("-created_at", "-id")
    )
    marker_id = request.GET.get("marker", "")
    if marker_id:
        try:
            marker = servers.filter(pk=uuid.UUID(marker_id)).first()
        except ValueError:
            marker = None
        if marker is None:
            messages.info(request, "That page link is no longer valid; showing the first page.")
        else:
            servers = rows_after(servers, marker)
    rows, next_query = page_of(list(servers[: PAGE_SIZE + 1]), PAGE_SIZE, {})
    context.update(
        servers=rows,
        paged=bool(marker_id),
        next_query=next_query,
        bootable=Image.objects.visible_to(account, region)
        .filter(status=Status.ACTIVE)
        .select_related("owner")
        .order_by("name", "id")[:BOOT_CHOICES],
        boot_choices=BOOT_CHOICES,
    )
    return render_page(request, "servers/list.html", context, fragment="servers")


@require_http_methods(["GET", "POST"])
@tenant_required
def boot(request: HttpRequest) -> HttpResponse:
    """Boot from an image by its ID: owner, member of any status, or public (R6); else "not found"."""
    form = BootForm(request.POST or None, initial={"image_id": request.GET.get("image", "")})
    if request.method == "POST" and form.is_valid():
        try:
            server = Server.objects.boot(request.user, form.cleaned_data["image_id"], form.cleaned_data["name"])
        except NotFound:
            # R6: a stranger's image and a missing one get the very same answer.
            form.add_error("image_id", "No image with that ID is available to you.")
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            choose_region(request, server.region_id)
            messages.success(request, f"Server “{server.name}” is booting in {server.region_id} from “{server.image}”.")
            return redirect_next(request, reverse("servers:list"))
    return render_page(request, "servers/boot.html", {"form": form})


@require_POST
@tenant_required
def snapshot(request: HttpRequest, server_id) -> HttpResponse:
    """R13: a new private image owned by this tenant, whoever produced the server's image."""
    server = server_for(request, server_id)
    form = SnapshotForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the snapshot a name of at most 255 characters.")
        return redirect_next(request, reverse("servers:list"))
    try:
        image = server.snapshot(request.user, form.cleaned_data["name"])
    except DomainError as error:
        messages.error(request, error.message)
        return redirect_next(request, reverse("servers:list"))
    messages.success(
        request, f"Snapshot “{image.name}” saved as a private image of your tenant; its storage is charged to you."
    )
    return redirect("images:detail", image.pk)


@require_http_methods(["GET", "POST"])
@tenant_required
def delete(request: HttpRequest, server_id) -> HttpResponse:
    """Confirm, then delete the server; its image and snapshots are untouched."""
    server = server_for(request, server_id)
    if request.method == "GET":
        return render_page(request, "servers/delete.html", {"server": server})
    try:
        server.destroy(request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Server “{server.name}” deleted. Its image and your snapshots are untouched.")
    return redirect("servers:list")
