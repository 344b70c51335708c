"""The consumer's trusted and blocked producers (R24): offers from them are answered when made.

Nothing here looks another tenant up: any well-formed tenant ID may be listed, so this
page tells nobody whether a tenant exists (R17).
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from imagesharing.accounts.models import ProducerRule, TenantLabel
from imagesharing.choices import MemberStatus
from imagesharing.panel.forms.trust import ProducerRuleForm
from imagesharing.panel.http import TenantRequest, tenant_view
from imagesharing.panel.rendering import render_page

LISTED = {
    MemberStatus.ACCEPTED: "Offers from tenant {} will be accepted automatically.",
    MemberStatus.REJECTED: "Offers from tenant {} will be rejected automatically.",
}


def producers_url(**_) -> str:
    return reverse("accounts:producers")


@require_http_methods(["GET", "POST"])
@tenant_view(back=producers_url)
def producers(request: TenantRequest) -> HttpResponse:
    """R24: the tenant's trusted and blocked producers, and a form to list a tenant ID in either."""
    form = ProducerRuleForm(request.POST) if request.method == "POST" else ProducerRuleForm()
    if form.is_valid():
        answer = form.cleaned_data["answer"]
        number = ProducerRule.objects.set_answer(request.user, form.cleaned_data["tenant_id"], answer)
        messages.success(request, LISTED[answer].format(number))
        return redirect("accounts:producers")
    rules = list(ProducerRule.objects.of(request.account))
    labels = TenantLabel.objects.for_tenants(request.account, [rule.tenant_id for rule in rules])  # R21
    rows = [(rule, labels.get(rule.tenant_id, "")) for rule in rules]
    context = {
        "form": form,
        "trusted": [(rule, label) for rule, label in rows if rule.is_trusted],
        "blocked": [(rule, label) for rule, label in rows if not rule.is_trusted],
    }
    return render_page(request, "accounts/producers.html", context)


@require_POST
@tenant_view(back=producers_url)
def forget_producer(request: TenantRequest, tenant_id: int) -> HttpResponse:
    """R24: take a tenant ID off the lists; its next offers wait for an answer again."""
    number = ProducerRule.objects.forget(request.user, tenant_id)
    messages.success(request, f"Offers from tenant {number} will wait for your answer again.")
    return redirect("accounts:producers")
