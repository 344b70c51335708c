"""Forms of the server pages. Which images boot is decided by `Server.objects.boot` (R6, R8, R15)."""

from django import forms

from imagesharing.choices import NAME_MAX_LENGTH


class BootForm(forms.Form):
    image_id = forms.CharField(
        label="Image ID",
        max_length=64,
        help_text="The image's ID (a UUID). Works for images shared with you that you have not accepted.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    name = forms.CharField(label="Server name", max_length=NAME_MAX_LENGTH)

    def clean_image_id(self) -> str:
        return self.cleaned_data["image_id"].strip()


class SnapshotForm(forms.Form):
    name = forms.CharField(label="Snapshot name", max_length=NAME_MAX_LENGTH)
