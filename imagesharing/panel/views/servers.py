"""Server pages: boot (also by image ID, R6), snapshot (R13) and delete; a simulated compute."""

from django.contrib import messages
from django.db.models import Count, Exists, OuterRef
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from imagesharing.choices import MemberStatus, Role, Status
from imagesharing.errors import DomainError, NotFound
from imagesharing.images.models import Image
from imagesharing.lib.keyset import ordered, rows_after
from imagesharing.memberships.members import ImageMember
from imagesharing.panel.forms.servers import NOT_AVAILABLE, BootForm, FindImageForm, SnapshotForm
from imagesharing.panel.gates import server_for
from imagesharing.panel.http import TenantRequest, servers_url, tenant_view
from imagesharing.panel.paging import keyset_page
from imagesharing.panel.regions import choose_region, current_region
from imagesharing.panel.rendering import redirect_next, render_page
from imagesharing.panel.views.image_page import answer_section, deprecation_banner
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
    servers = ordered(
        Server.objects.owned_by(account)
        .filter(region=region)
        .select_related("image")
        # R12: a revoked image is still named on the server, but no longer linked.
        .annotate(image_usable=Exists(Image.objects.usable_by(account).filter(pk=OuterRef("image_id"))))
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
        # R6: offers not accepted (yet) boot too; listed apart, so that nobody mistakes them for accepted.
        unanswered=ImageMember.objects.inbox(account, [MemberStatus.PENDING, MemberStatus.REJECTED]).filter(
            image__region=region, image__status=Status.ACTIVE
        )[:BOOT_CHOICES],
        boot_choices=BOOT_CHOICES,
        # Servers are per region: say where the others are, rather than let them seem gone.
        elsewhere=list(
            Server.objects.owned_by(account)
            .exclude(region=region)
            .values("region")
            .annotate(count=Count("pk"))
            .order_by("region")
        ),
    )
    return render_page(request, "servers/list.html", context, fragment="servers")


@require_http_methods(["GET", "POST"])
@tenant_view()
def boot(request: TenantRequest) -> HttpResponse:
    """Use an image by ID: find it, see what it is and your answer, then boot (R6: owner, member of
    any status, public).

    What does not parse is "not an image ID"; an image that is missing and one the tenant
    may not use get the very same "not available" (R6), beside the ID either way.
    """
    form = BootForm(request.POST) if request.method == "POST" else None
    if form is not None and form.is_valid():
        try:
            server = Server.objects.boot(request.user, form.cleaned_data["image_id"], form.cleaned_data["name"])
        except NotFound:
            pass  # answered below, beside the ID, exactly as when finding it
        except DomainError as error:
            form.add_error(None, error.message)  # shown with the form, the typed values kept
        else:
            choose_region(request, server.region_id)
            messages.success(
                request, f"Server “{server.name}” is running in {server.region_id}, booted from “{server.image}”."
            )
            return redirect_next(request, reverse("servers:list"))
    reference = request.POST.get("image_id") if form is not None else request.GET.get("image")
    find = FindImageForm({"image": reference} if reference is not None else None)
    image = None
    if find.is_bound and find.is_valid():
        try:
            image = Image.objects.get_usable(request.account, find.cleaned_data["image"])
        except NotFound:
            find.add_error("image", NOT_AVAILABLE)
    if image is not None and form is None:
        form = BootForm(initial={"image_id": image.pk, "name": f"{slugify(image.name) or 'server'}-1"})
    context = {"find": find, "form": form, "image": image}
    if image is not None:
        context |= answer_section(request, image) | deprecation_banner(request, image)
    return render_page(request, "servers/boot.html", context)


@require_POST
@tenant_view(back=servers_url)
def snapshot(request: TenantRequest, server_id) -> HttpResponse:
    """R13: a new private image owned by this tenant, whoever produced the server's image."""
    server = server_for(request, server_id)
    form = SnapshotForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the snapshot a name of at most 255 characters.")
        return redirect_next(request, servers_url())
    image = server.snapshot(request.user, form.cleaned_data["name"])
    messages.success(
        request, f"Snapshot “{image.name}” saved as a private image of your tenant; its storage is charged to you."
    )
    return redirect("images:detail", image.pk)


@require_http_methods(["GET", "POST"])
@tenant_view(back=servers_url)
def delete(request: TenantRequest, server_id) -> HttpResponse:
    """Confirm, then delete the server; its image and snapshots are untouched."""
    server = server_for(request, server_id)
    request.user.require_role(Role.MEMBER, "delete servers")  # R27: a reader is not shown the confirmation
    if request.method == "GET":
        return render_page(request, "servers/delete.html", {"server": server})
    server.destroy(request.user)
    messages.success(request, f"Server “{server.name}” deleted. Its image and your snapshots are untouched.")
    return redirect("servers:list")
