"""The filters of "Shared by me", the producer's board of the offers it has made."""

from typing import cast

from django import forms

from imagesharing.accounts.models import Region
from imagesharing.choices import MemberStatus

# The board's orders: (field, direction) for keyset paging.
SORTS = {
    "waiting": ("created_at", "asc"),  # offered longest ago first: who has waited longest
    "answered": ("updated_at", "desc"),  # last answered (or offered) first
}


class OffersFilterForm(forms.Form):
    status = forms.ChoiceField(label="Answer", required=False, choices=[("", "Any answer"), *MemberStatus.choices])
    region = forms.ChoiceField(label="Region", required=False)
    image = forms.UUIDField(label="Image ID", required=False)
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[("waiting", "Waiting longest first"), ("answered", "Last answered first")],
    )

    def __init__(self, *args, regions: list[Region], **kwargs):
        super().__init__(*args, **kwargs)
        region = cast(forms.ChoiceField, self.fields["region"])
        region.choices = [("", "All your regions"), *((r.code, r.code) for r in regions)]

    def value(self, name: str, default=""):
        """A cleaned value, or `default` when it was missing or did not parse."""
        self.is_valid()
        return self.cleaned_data.get(name) or default
