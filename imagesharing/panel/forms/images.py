"""Forms of the image pages. They parse input; every rule is checked by the model methods."""

from django import forms

from imagesharing.choices import CONTAINER_FORMATS, DISK_FORMATS, NAME_MAX_LENGTH, Visibility
from imagesharing.images.models import INT_MAX, Image

SORTS = {
    "newest": ("created_at", "desc"),
    "oldest": ("created_at", "asc"),
    "name": ("name", "asc"),
    "-name": ("name", "desc"),
}


class ImageFilterForm(forms.Form):
    """The image list's search, source filter, sort and page marker (all optional, GET)."""

    q = forms.CharField(label="Name contains", required=False, max_length=NAME_MAX_LENGTH)
    source = forms.ChoiceField(
        label="Source",
        required=False,
        choices=[("", "All sources"), ("own", "Own"), ("shared", "Shared with me, accepted"), ("public", "Public")],
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[("newest", "Newest first"), ("oldest", "Oldest first"), ("name", "Name A–Z"), ("-name", "Name Z–A")],
    )
    marker = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def value(self, name: str, default=""):
        """A cleaned value, or `default` when it was missing or did not parse."""
        self.is_valid()
        return self.cleaned_data.get(name) or default


class ImageEditForm(forms.Form):
    """Name, visibility and protection, changed together by `Image.update` (all or nothing).

    `version` is the state of the image the form was built from: a submit made after
    another change (a share from another part of the page, another tab, a colleague)
    is refused instead of silently undoing it.
    """

    name = forms.CharField(max_length=NAME_MAX_LENGTH, required=False)
    visibility = forms.ChoiceField(
        choices=[
            (Visibility.PRIVATE, "Private: only your tenant"),
            (Visibility.SHARED, "Shared: your tenant and its members"),
        ],
        widget=forms.RadioSelect,
        help_text="Members keep their record while an image is private, but lose access until it is shared again.",
    )
    protected = forms.BooleanField(
        required=False,
        label="Protected: cannot be deleted until this is unticked",
    )
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, image: Image, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "name": image.name,
                "visibility": image.visibility,
                "protected": image.protected,
                "version": image.version,
            },
        )
        super().__init__(*args, **kwargs)
        if image.is_public:
            # R10: only operators change a public image's visibility; the field is not offered.
            del self.fields["visibility"]


class ImageImportForm(forms.Form):
    """Import, step 1: what the image is. `Image.objects.create_image` checks the values again."""

    name = forms.CharField(max_length=NAME_MAX_LENGTH)
    disk_format = forms.ChoiceField(
        choices=[(f, f) for f in DISK_FORMATS],
        initial="qcow2",
        help_text="raw and qcow2 suit most Linux images; vhd and vhdx come from Hyper-V, vmdk from VMware.",
    )
    container_format = forms.ChoiceField(
        choices=[(f, f) for f in CONTAINER_FORMATS],
        initial="bare",
        help_text="bare unless the file is wrapped in an OVF/OVA package or another container.",
    )
    min_disk = forms.IntegerField(label="Minimum disk (GB)", min_value=0, max_value=INT_MAX, initial=0)
    min_ram = forms.IntegerField(label="Minimum RAM (MB)", min_value=0, max_value=INT_MAX, initial=0)
