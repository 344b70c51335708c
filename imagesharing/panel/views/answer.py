"""The consumer's "Your answer" section of the image page, and the actions that answer with it:
Accept / Reject / Back to pending (R3), from the image page or the inbox, and Report this image (seed 004).
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from imagesharing.choices import MemberStatus, Role
from imagesharing.memberships.members import ImageMember
from imagesharing.memberships.reports import ImageReport
from imagesharing.panel.forms.sharing import ReportForm
from imagesharing.panel.gates import image_for
from imagesharing.panel.http import TenantRequest, image_url, tenant_view
from imagesharing.panel.rendering import redirect_next, render_page, wants_fragment
from imagesharing.panel.tables import TenantNames, offer_rows
from imagesharing.panel.views.image_page import answer_section

STATUS_MESSAGES = {
    MemberStatus.ACCEPTED: "Accepted “{name}”: it is now in your image list in {region}.",
    MemberStatus.REJECTED: "Rejected “{name}”: it is hidden from your image list; you can still boot it by its ID.",
    MemberStatus.PENDING: "“{name}” is back to pending: hidden from your image list until you accept it.",
}


@require_POST
@tenant_view(back=image_url)
def set_status(request: TenantRequest, image_id) -> HttpResponse:
    """R3: the consumer accepts, rejects or returns an offer to pending."""
    image = image_for(request, image_id)
    membership = ImageMember.objects.answer(request.user, image, request.POST.get("status", ""))
    template = STATUS_MESSAGES[MemberStatus(membership.status)]
    messages.success(request, template.format(name=image.name or image.pk, region=image.region_id))
    if not wants_fragment(request):
        return redirect_next(request, image_url(image.pk))
    membership.image = image
    if (request.htmx.target or "").startswith("offer-"):
        if image.is_deprecated:  # R25: the row names the replacement as the inbox does
            membership = ImageMember.objects.filter(pk=membership.pk).with_replacements(request.account).get()
            membership.image.owner = image.owner
        inbox = reverse("memberships:inbox")
        names = TenantNames(request.account, [image.owner.tenant_id], inbox)
        context = {"row": offer_rows(request, [membership], next_url=inbox, names=names)[0]}
        return render_page(request, "memberships/inbox.html", context, fragment="offer")
    return render_page(request, "images/detail.html", answer_section(request, image), fragment="my-status")


@require_http_methods(["GET", "POST"])
@tenant_view(back=image_url)
def report(request: TenantRequest, image_id) -> HttpResponse:
    """Seed 004: a consumer reports an image shared in error or with malicious intent to the operators."""
    image = image_for(request, image_id)
    request.user.require_role(Role.MEMBER, "report images")  # R27: a reader is not shown the form
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ImageReport.objects.file(request.user, image, form.cleaned_data["reason"], form.cleaned_data["details"])
        messages.success(
            request,
            "Thank you: the cloud's operators will review your report. "
            "You can also reject the offer to hide the image from your list.",
        )
        return redirect("images:detail", image.pk)
    return render_page(request, "memberships/report.html", {"image": image, "form": form})
