"""Forms of tenant lists (R23) and bulk shares. They parse what a person typed; the model methods decide."""

from django import forms

from imagesharing.accounts.models import Account
from imagesharing.errors import DomainError
from imagesharing.memberships.lists import LIST_NAME_MAX_LENGTH, TENANTS_PER_LIST, clean_list_name, clean_tenant_numbers
from imagesharing.panel.forms.checked import checked
from imagesharing.panel.forms.sharing import SEPARATORS, ShareForm


class ListForm(forms.Form):
    """A list's name and whether it follows (a new list, or a list's settings)."""

    name = forms.CharField(
        label="Name",
        strip=False,
        widget=forms.TextInput(attrs={"maxlength": LIST_NAME_MAX_LENGTH}),
        help_text="For example “All branches”. Only your tenant sees it; the tenants on the list never do.",
    )
    follows = forms.BooleanField(
        required=False,
        label="Follow: offer the images shared through this list to tenants added later, "
        "and revoke them from tenants removed",
    )

    def clean_name(self) -> str:
        return checked(clean_list_name, self.cleaned_data["name"])


class ListTenantsForm(forms.Form):
    """The list's tenant IDs, all of them, as the person wants them now."""

    tenant_ids = forms.CharField(
        label="Tenant IDs",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "autocomplete": "off", "spellcheck": "false"}),
        help_text=f"Up to {TENANTS_PER_LIST} tenant IDs, separated by commas, spaces or new lines. Any number is "
        "kept as you type it: whether a tenant can be shared with is answered when you share.",
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_tenant_ids(self) -> list[str]:
        entries = list(dict.fromkeys(entry for entry in SEPARATORS.split(self.cleaned_data["tenant_ids"]) if entry))
        try:
            self.cleaned_data["numbers"] = clean_tenant_numbers(entries)
        except DomainError as error:
            raise forms.ValidationError(error.message) from None
        return entries


class BulkShareForm(ShareForm):
    """Share the images selected on the images list with tenant IDs or a list, in one action."""

    field_order = ["tenant_ids", "tenant_list", "note", "acknowledge"]

    def __init__(self, *args, owner: Account, **kwargs):
        super().__init__(*args, first_share=True, lists=owner, **kwargs)
        for dates in ("offer_open_until", "access_until"):
            del self.fields[dates]
        self.fields["acknowledge"].help_text = "Needed when the share is the first of any of the images selected."
