"""R28 in the admin: each tenant's sharing policy, the cloud's switch that holds first shares, and
the queue of first shares waiting for an operator. Every change goes through a model method that
records the operator and the time; Django's admin history (LogEntry) keeps each change's fields."""

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from imagesharing.accounts.models import kept_tenant_id
from imagesharing.accounts.policies import SharingPolicy, SharingSwitch
from imagesharing.errors import InvalidValue
from imagesharing.images.approvals import ShareRequest, ShareRequestQuerySet
from imagesharing.operators.admin.kit import IdSearchAdmin, ReadOnlyRows, run_each


class SharingPolicyForm(forms.ModelForm):
    allowed_tenant_ids = forms.CharField(
        label="Allowed tenant IDs",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For “shares only with the allowed tenant IDs”: tenant IDs separated by blanks, commas or "
        "new lines. Any well-formed ID is kept; none is looked up.",
    )

    class Meta:
        model = SharingPolicy
        fields = ("account", "mode", "member_quota", "reason")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            numbers = self.instance.allowed.order_by("tenant_id").values_list("tenant_id", flat=True)
            self.initial["allowed_tenant_ids"] = "\n".join(str(number) for number in numbers)

    def clean_allowed_tenant_ids(self) -> list[int]:
        text = self.cleaned_data["allowed_tenant_ids"].replace(",", " ")
        try:
            return [kept_tenant_id(word) for word in text.split()]
        except InvalidValue as error:
            raise forms.ValidationError(error.message) from None

    def clean(self):
        cleaned = super().clean()
        try:
            SharingPolicy(member_quota=cleaned.get("member_quota")).clean_quota()
        except InvalidValue as error:
            self.add_error("member_quota", error.message)
        return cleaned


@admin.register(SharingPolicy)
class SharingPolicyAdmin(IdSearchAdmin):
    form = SharingPolicyForm
    list_display = ("tenant_id", "mode", "member_quota", "allowed_count", "changed_at", "changed_by")
    list_filter = ("mode",)
    list_select_related = ("account", "changed_by")
    search_fields = ("=account__tenant_id",)
    search_help_text = "Tenant ID."
    autocomplete_fields = ("account",)
    readonly_fields = ("changed_at", "changed_by")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("allowed")

    @admin.display(description="tenant ID", ordering="account__tenant_id")
    def tenant_id(self, policy: SharingPolicy) -> int:
        return policy.account.tenant_id

    @admin.display(description="allowed tenant IDs")
    def allowed_count(self, policy: SharingPolicy) -> int:
        return len(policy.allowed.all())

    def save_model(self, request, obj: SharingPolicy, form, change) -> None:
        obj.save_by(request.user, allowed=form.cleaned_data["allowed_tenant_ids"])


@admin.register(SharingSwitch)
class SharingSwitchAdmin(admin.ModelAdmin):
    """One row: its list opens it, nobody adds a second or deletes it."""

    fields = ("approve_first_shares", "changed_at", "changed_by")
    readonly_fields = ("changed_at", "changed_by")

    def changelist_view(self, request: HttpRequest, extra_context=None):
        switch = SharingSwitch.current()
        return HttpResponseRedirect(reverse("admin:accounts_sharingswitch_change", args=[switch.pk]))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def save_model(self, request, obj: SharingSwitch, form, change) -> None:
        obj.save_by(request.user)


@admin.register(ShareRequest)
class ShareRequestAdmin(ReadOnlyRows, IdSearchAdmin):
    """First shares held by the switch; operators approve or refuse them with the actions."""

    list_display = ("created_at", "owner_tenant_id", "tenant_id", "image_names", "requested_by", "status", "decided_by")
    list_filter = ("status",)
    list_select_related = ("owner", "requested_by", "decided_by")
    search_fields = ("=owner__tenant_id", "=tenant_id")
    search_help_text = "The tenant ID of the producer or of the tenant it asks to share with."
    actions = ("approve_requests", "refuse_requests")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("images")

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_staff

    @admin.display(description="producer tenant ID", ordering="owner__tenant_id")
    def owner_tenant_id(self, request: ShareRequest) -> int:
        return request.owner.tenant_id

    @admin.display(description="images held")
    def image_names(self, request: ShareRequest) -> str:
        return ", ".join(str(image) for image in request.images.all())

    @admin.action(description="Approve selected requests: offer their images")
    def approve_requests(self, request, queryset: ShareRequestQuerySet) -> None:
        def approve(share: ShareRequest) -> None:
            for image, refusal in share.approve(request.user):
                if refusal is not None:
                    self.message_user(request, f"{share}, image {image}: {refusal.message}", "warning")

        run_each(self, request, queryset.pending(), approve, "Approved {count} {items}.")

    @admin.action(description="Refuse selected requests")
    def refuse_requests(self, request, queryset: ShareRequestQuerySet) -> None:
        run_each(
            self, request, queryset.pending(), lambda share: share.refuse(request.user), "Refused {count} {items}."
        )
