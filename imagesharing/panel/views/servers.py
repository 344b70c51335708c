"""Server pages: boot (also by image ID, R6), snapshot (R13) and delete; a simulated compute."""

from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from imagesharing.choices import Status
from imagesharing.errors import DomainError, NotFound
from imagesharing.images.models import Image
from imagesharing.lib.keyset import rows_after
from imagesharing.panel.forms.servers import BootForm, SnapshotForm
from imagesharing.panel.gates import server_for
from imagesharing.panel.http import TenantRequest, servers_page, tenant_view
from imagesharing.panel.paging import keyset_page
from imagesharing.panel.regions import choose_region, current_region
from imagesharing.panel.rendering import redirect_next, render_page
from imagesharing.servers.models import Server

PAGE_SIZE = 50
BOOT_CHOICES = 100


@require_safe
@tenant_view()
def server_list(request: TenantRequest) -> HttpResponse:
    """The tenant's servers in the current region, newest first, with a boot form."""
    account = request.account
    region = current_region(request)
    context: dict = {"region": region}
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
    page = keyset_page(request, servers, PAGE_SIZE, params={}, after=rows_after)
    context.update(
        servers=page.rows,
        paged=page.paged,
        next_query=page.next_query,
        bootable=Image.objects.visible_to(account, region)
        .filter(status=Status.ACTIVE)
        .select_related("owner")
        .order_by("name", "id")[:BOOT_CHOICES],
        boot_choices=BOOT_CHOICES,
    )
    return render_page(request, "servers/list.html", context, fragment="servers")


@require_http_methods(["GET", "POST"])
@tenant_view()
def boot(request: TenantRequest) -> HttpResponse:
    """Boot from an image by its ID: owner, member of any status, or public (R6); else "not found"."""
    form = BootForm(request.POST or None, initial={"image_id": request.GET.get("image", "")})
    if request.method == "POST" and form.is_valid():
        try:
            server = Server.objects.boot(request.user, form.cleaned_data["image_id"], form.cleaned_data["name"])
        except NotFound:
            # R6: a stranger's image and a missing one get the very same answer, on the form.
            form.add_error("image_id", "No image with that ID is available to you.")
        except DomainError as error:
            form.add_error(None, error.message)  # shown with the form, the typed values kept
        else:
            choose_region(request, server.region_id)
            messages.success(request, f"Server “{server.name}” is booting in {server.region_id} from “{server.image}”.")
            return redirect_next(request, reverse("servers:list"))
    return render_page(request, "servers/boot.html", {"form": form})


@require_POST
@tenant_view(back=servers_page)
def snapshot(request: TenantRequest, server_id) -> HttpResponse:
    """R13: a new private image owned by this tenant, whoever produced the server's image."""
    server = server_for(request, server_id)
    form = SnapshotForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the snapshot a name of at most 255 characters.")
        return redirect_next(request, servers_page())
    image = server.snapshot(request.user, form.cleaned_data["name"])
    messages.success(
        request, f"Snapshot “{image.name}” saved as a private image of your tenant; its storage is charged to you."
    )
    return redirect("images:detail", image.pk)


@require_http_methods(["GET", "POST"])
@tenant_view(back=servers_page)
def delete(request: TenantRequest, server_id) -> HttpResponse:
    """Confirm, then delete the server; its image and snapshots are untouched."""
    server = server_for(request, server_id)
    if request.method == "GET":
        return render_page(request, "servers/delete.html", {"server": server})
    server.destroy(request.user)
    messages.success(request, f"Server “{server.name}” deleted. Its image and your snapshots are untouched.")
    return redirect("servers:list")
