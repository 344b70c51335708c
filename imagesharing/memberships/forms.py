"""Forms of the sharing pages. They parse what a person typed; the model methods decide."""

import re

from django import forms

from imagesharing.memberships.models import REPORT_DETAILS_MAX_LENGTH, ImageReport

SEPARATORS = re.compile(r"[\s,;]+")
MAX_TENANT_IDS = 200
# Tenant IDs are positive 64-bit numbers: at most 19 digits.
TENANT_ID_SHAPE = re.compile(r"[0-9]{1,19}")


class ShareForm(forms.Form):
    """One or many tenant IDs, separated by commas, spaces or new lines.

    Entries that are not numbers are set aside as malformed and answered as such;
    the rest go to `ImageMember.objects.share`, which answers for each one.
    """

    tenant_ids = forms.CharField(
        label="Tenant IDs",
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false"}),
        help_text="One or more tenant IDs, separated by commas, spaces or new lines. "
        "Consumers find theirs at the top of their control panel.",
    )
    acknowledge = forms.BooleanField(
        required=False,
        label="I have removed stored passwords, keys, source code and personal data from this image, "
        "and it holds no licensed, infringing or suspicious content I may not share.",
    )

    def __init__(self, *args, require_acknowledgement: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.require_acknowledgement = require_acknowledgement
        if not require_acknowledgement:
            del self.fields["acknowledge"]
        self.malformed: list[str] = []

    def clean_tenant_ids(self) -> list[str]:
        entries = list(dict.fromkeys(e for e in SEPARATORS.split(self.cleaned_data["tenant_ids"]) if e))
        if not entries:
            raise forms.ValidationError("Enter at least one tenant ID.")
        if len(entries) > MAX_TENANT_IDS:
            raise forms.ValidationError(f"Enter at most {MAX_TENANT_IDS} tenant IDs at a time.")
        self.malformed = [e for e in entries if not TENANT_ID_SHAPE.fullmatch(e)]
        return [e for e in entries if TENANT_ID_SHAPE.fullmatch(e)]

    def clean_acknowledge(self) -> bool:
        if not self.cleaned_data["acknowledge"]:
            raise forms.ValidationError("Confirm the security and legal checklist before the first share.")
        return True


class ReportForm(forms.Form):
    reason = forms.ChoiceField(choices=ImageReport.Reason.choices, widget=forms.RadioSelect, label="What is wrong")
    details = forms.CharField(
        required=False,
        max_length=REPORT_DETAILS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Anything that helps the cloud's operators: what you found, where, when.",
    )
