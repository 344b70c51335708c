"""R18 in the panel: the person's notices, read state, e-mail preferences, and one-click unsubscribe."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from imagesharing.choices import TENANT_NOTICE_KINDS, NoticeKind
from imagesharing.errors import NotFound
from imagesharing.memberships.notices import MailOptOut, Notice
from imagesharing.panel.http import TenantRequest, tenant_view
from imagesharing.panel.paging import keyset_page
from imagesharing.panel.rendering import redirect_next, render_page, wants_fragment

NOTICES_PAGE_SIZE = 50


def notices_url(**_) -> str:
    return reverse("notices:list")


@require_safe
@tenant_view()
def notice_list(request: TenantRequest) -> HttpResponse:
    """R18: the person's notices, newest first, each linking to where it can be acted on."""
    return render_page(request, "notices/list.html", _list_context(request), fragment="notices")


def _list_context(request: TenantRequest) -> dict:
    """A page of the person's notices (the first, for a POST), keyset paged by the last one's ID."""
    page = keyset_page(
        request,
        Notice.objects.for_recipient(request.user),
        NOTICES_PAGE_SIZE,
        params={},
        after=lambda rows, marker: rows.after(marker),
    )
    return {
        "notices": page.rows,
        "list_next": request.get_full_path() if request.method == "GET" else notices_url(),
        "paged": page.paged,
        "first_page_query": page.first_query,
        "next_query": page.next_query,
    }


@require_POST
@tenant_view(back=notices_url)
def mark_read(request: TenantRequest, notice_id: int) -> HttpResponse:
    """One of the person's own notices is read; htmx swaps its row and the bell in place."""
    notice = Notice.objects.mark_read(request.user, notice_id)
    if not wants_fragment(request):
        return redirect_next(request, notices_url())
    context = {"notice": notice, "list_next": reverse("notices:list")}
    return render_page(request, "notices/list.html", context, fragment="notice")


@require_POST
@tenant_view(back=notices_url)
def mark_all_read(request: TenantRequest) -> HttpResponse:
    count = Notice.objects.mark_all_read(request.user)
    messages.success(request, f"Marked {count} notice{'' if count == 1 else 's'} read." if count else "Nothing unread.")
    if not wants_fragment(request):
        return redirect_next(request, notices_url())
    return render_page(request, "notices/list.html", _list_context(request), fragment="notices")


@require_http_methods(["GET", "POST"])
@tenant_view(back=lambda **_: reverse("notices:preferences"))
def preferences(request: TenantRequest) -> HttpResponse:
    """R18: which kinds of notice also come by e-mail; every notice is on the notices page anyway."""
    user = request.user
    if request.method == "POST":
        MailOptOut.objects.set_email_kinds(user, request.POST.getlist("email"))
        messages.success(request, "Saved your e-mail preferences.")
        return redirect_next(request, reverse("notices:preferences"))
    muted = MailOptOut.objects.muted_kinds(user)
    kinds = [(kind, kind.label, kind not in muted) for kind in TENANT_NOTICE_KINDS]
    return render_page(request, "notices/preferences.html", {"kinds": kinds, "email": user.email})


@csrf_exempt  # the signed token alone authorises it (see below), and a mail client posts it without cookies
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """RFC 8058's one-click unsubscribe, without signing in: GET asks, POST unsubscribes.

    CSRF protection guards actions a browser's cookies authorise; this one is authorised
    by the token in its URL, which only the signing key makes and only the person's
    mailbox holds, so a forged POST without it can do nothing. A GET never changes
    anything: link scanners of mail providers open every link.
    """
    try:
        if request.method == "POST":
            opt_out = MailOptOut.objects.unsubscribe(token)
            user, kind, done = opt_out.user, opt_out.kind, True
        else:
            user, kind = MailOptOut.objects.describe(token)
            done = False
    except NotFound as error:
        return render(request, "notices/unsubscribe.html", {"error": error.message}, status=404)
    context = {"done": done, "address": user.email, "kind": NoticeKind(kind), "token": token}
    return render(request, "notices/unsubscribe.html", context)
