"""Forms of the server pages. Which images boot is decided by `Server.objects.boot` (R6, R8, R15)."""

import uuid

from django import forms

from imagesharing.choices import NAME_MAX_LENGTH
from imagesharing.lib.parse import parse_image_reference

# R6: one answer for an image that does not exist and one the tenant may not use.
NOT_AVAILABLE = "No image with that ID is available to you."
NOT_AN_IMAGE_ID = (
    "This is not an image ID. An image ID has 32 hexadecimal digits, as in 4f6c1a52-6f0e-4d47-9a39-2d3c3d0c7a10; "
    "paste it, or a link to the image."
)


class ImageReferenceField(forms.CharField):
    """An image ID as people paste it (any case, blanks, a link to the image), read as a UUID.

    Whether the image exists or is available is not this field's to say (R6).
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 300)
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
        super().__init__(**kwargs)

    def clean(self, value) -> uuid.UUID | None:
        text = super().clean(value)
        if not text:
            return None
        image_id = parse_image_reference(text)
        if image_id is None:
            raise forms.ValidationError(NOT_AN_IMAGE_ID)
        return image_id


class FindImageForm(forms.Form):
    """Use an image by ID, step 1: which image is it?"""

    image = ImageReferenceField(
        label="Image ID",
        help_text="The ID the producer gave you, or a link to the image. "
        "Works for images shared with you that you have not accepted or have rejected.",
    )


class BootForm(forms.Form):
    image_id = ImageReferenceField(label="Image ID", widget=forms.HiddenInput)
    name = forms.CharField(label="Server name", max_length=NAME_MAX_LENGTH)


class SnapshotForm(forms.Form):
    name = forms.CharField(label="Snapshot name", max_length=NAME_MAX_LENGTH)
