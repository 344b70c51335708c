"""Forms of the tenant's own pages: API tokens."""

from datetime import timedelta

from django import forms

LIFETIMES = {
    "30": timedelta(days=30),
    "90": timedelta(days=90),
    "365": timedelta(days=365),
    "never": None,
}


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        help_text="Say what will use it, for example “deploy script” or “laptop glance client”.",
    )
    lifetime = forms.ChoiceField(
        label="Expires",
        choices=[("30", "In 30 days"), ("90", "In 90 days"), ("365", "In a year"), ("never", "Never")],
        initial="90",
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the token a name.")
        return name

    @property
    def lifetime_delta(self) -> timedelta | None:
        return LIFETIMES[self.cleaned_data["lifetime"]]
