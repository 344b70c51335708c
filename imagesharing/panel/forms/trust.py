"""The consumer's trusted and blocked producers (R24)."""

from django import forms

from imagesharing.accounts.models import kept_tenant_id
from imagesharing.accounts.trust import clean_answer
from imagesharing.choices import MemberStatus
from imagesharing.lib.parse import TENANT_ID_MAX_DIGITS
from imagesharing.panel.forms.checked import checked


class ProducerRuleForm(forms.Form):
    tenant_id = forms.CharField(
        label="Producer's tenant ID",
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": TENANT_ID_MAX_DIGITS}
        ),
        help_text="The tenant ID of a producer, as it shows in your offers. Any tenant ID can be listed.",
    )
    answer = forms.ChoiceField(
        label="List",
        choices=[
            (MemberStatus.ACCEPTED, "Trusted: accept its offers automatically"),
            (MemberStatus.REJECTED, "Blocked: reject its offers automatically"),
        ],
        initial=MemberStatus.ACCEPTED,
        widget=forms.RadioSelect,
    )

    def clean_tenant_id(self) -> int:
        return checked(kept_tenant_id, self.cleaned_data["tenant_id"])

    def clean_answer(self) -> str:
        return checked(clean_answer, self.cleaned_data["answer"])
