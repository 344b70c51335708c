"""The tenant's names (R21): its own display name, and its private labels of other tenant IDs.

Nothing here looks another tenant up: a label is written for any well-formed tenant
ID, so these pages tell nobody whether a tenant exists (R17).
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django_htmx.http import reswap

from imagesharing.accounts.models import TenantLabel, kept_tenant_id
from imagesharing.panel.forms.tenants import LabelForm, TenantNameForm
from imagesharing.panel.http import TenantRequest, tenant_view
from imagesharing.panel.rendering import render_page, safe_next, wants_fragment
from imagesharing.panel.tables import label_span, label_url


def labels_url(**_) -> str:
    return reverse("accounts:labels")


def _labelled(number: int, text: str) -> str:
    return (
        f"Tenant {number} is labelled “{text}”, for your tenant's eyes only." if text else f"Label of {number} removed."
    )


@require_http_methods(["GET", "POST"])
@tenant_view(back=lambda **_: reverse("accounts:account"))
def account(request: TenantRequest) -> HttpResponse:
    """R21: the tenant's display name, which its counterparties see beside its tenant ID."""
    if request.method == "GET":
        form = TenantNameForm(initial={"name": request.account.name})
    else:
        form = TenantNameForm(request.POST)
        if form.is_valid():
            request.account.rename(request.user, form.cleaned_data["name"])
            messages.success(request, f"Your tenant's display name is now “{request.account.name}”.")
            return redirect("accounts:account")
    return render_page(request, "accounts/account.html", {"form": form})


@require_http_methods(["GET", "POST"])
@tenant_view(back=labels_url)
def labels(request: TenantRequest) -> HttpResponse:
    """R21: the tenant's own labels, and a form to label any tenant ID."""
    form = LabelForm(request.POST) if request.method == "POST" else LabelForm()
    if form.is_valid():
        number, text = form.cleaned_data["tenant_id"], form.cleaned_data["text"]
        TenantLabel.objects.set_label(request.user, number, text)
        messages.success(request, _labelled(number, text))
        return redirect("accounts:labels")
    context = {"form": form, "labels": TenantLabel.objects.of(request.account)}
    return render_page(request, "accounts/labels.html", context)


@require_http_methods(["GET", "POST"])
@tenant_view(back=labels_url)
def label(request: TenantRequest, tenant_id: int) -> HttpResponse:
    """R21: write, change or clear the label of one tenant ID, from wherever the ID is shown.

    With htmx the label's place turns into the form, and after a change every place
    the page shows that tenant ID's label is swapped at once.
    """
    number = kept_tenant_id(tenant_id)
    back = safe_next(request, labels_url())
    current = TenantLabel.objects.for_tenants(request.account, [number]).get(number, "")
    auto_id = f"label-{number}-%s"  # unique among the forms a page may open for several tenant IDs
    form = LabelForm(request.POST, ask_tenant=False, auto_id=auto_id) if request.method == "POST" else None
    if form is not None and form.is_valid():
        text = TenantLabel.objects.set_label(request.user, number, form.cleaned_data["text"])
        messages.success(request, _labelled(number, text))
        if not wants_fragment(request):
            return redirect(back)
        changed = {"changed": label_span(number, text, label_url(number, back), everywhere=True)}
        return reswap(render_page(request, "accounts/label.html", changed, fragment="changed"), "none")
    form = form or LabelForm(initial={"text": current}, ask_tenant=False, auto_id=auto_id)
    context = {"form": form, "tenant_id": number, "current": current, "next": back}
    return render_page(request, "accounts/label.html", context, fragment="edit")
