"""Forms of the tenant's own names (R21): its display name and its private labels of other tenant IDs."""

from django import forms

from imagesharing.accounts.models import (
    LABEL_MAX_LENGTH,
    TENANT_NAME_MAX_LENGTH,
    clean_label,
    clean_tenant_name,
    kept_tenant_id,
)
from imagesharing.lib.parse import TENANT_ID_MAX_DIGITS
from imagesharing.panel.forms.checked import checked


class TenantNameForm(forms.Form):
    name = forms.CharField(
        label="Display name",
        strip=False,
        widget=forms.TextInput(attrs={"maxlength": TENANT_NAME_MAX_LENGTH, "autocomplete": "organization"}),
        help_text="Shown beside your tenant ID to the tenants you share images with, and to those who share "
        "images with you; to nobody else.",
    )

    def clean_name(self) -> str:
        return checked(clean_tenant_name, self.cleaned_data["name"])


class LabelForm(forms.Form):
    """A label of one tenant ID; with `ask_tenant`, the tenant ID is typed too (the Labels page)."""

    tenant_id = forms.CharField(
        label="Tenant ID",
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": TENANT_ID_MAX_DIGITS}
        ),
    )
    text = forms.CharField(
        label="Label",
        required=False,
        strip=False,
        widget=forms.TextInput(attrs={"maxlength": LABEL_MAX_LENGTH}),
        help_text=f"Your private name for this tenant ID, up to {LABEL_MAX_LENGTH} characters; seen only by your "
        "tenant. Leave empty to remove it.",
    )

    def __init__(self, *args, ask_tenant: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not ask_tenant:
            del self.fields["tenant_id"]

    def clean_tenant_id(self) -> int:
        return checked(kept_tenant_id, self.cleaned_data["tenant_id"])

    def clean_text(self) -> str:
        return checked(clean_label, self.cleaned_data["text"])
