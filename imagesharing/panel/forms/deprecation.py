"""Forms of R25's deprecation. They parse what the owner chose; `Image.deprecate` and
`Image.offer_replacement` decide."""

from datetime import datetime

from django import forms

from imagesharing.images.models import Image
from imagesharing.memberships.members import ImageMember
from imagesharing.panel.forms.checked import checked
from imagesharing.panel.forms.sharing import day_of, end_of_day, note_field

# The replacement is chosen from a list; an owner with more images in the region sees the first by name.
REPLACEMENT_CHOICES = 200


class DeprecateForm(forms.Form):
    """The replacement (one of the owner's own images in the region, or none) and an optional
    deletion date. `version` is the state of the image the form was built from."""

    replacement = forms.CharField(required=False, label="Replacement", widget=forms.Select)
    delete_after = forms.DateField(
        required=False,
        label="Delete after",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Optional. At the end of this day (UTC) the image is deleted, as if you deleted it: its members "
        "lose it, their servers keep running. A protected image is not deleted.",
    )
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, image: Image, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "replacement": image.replacement_id or "",
                "delete_after": day_of(image.delete_after),
                "version": image.version,
            },
        )
        super().__init__(*args, **kwargs)
        candidates = Image.objects.replacements_for(image).order_by("name", "pk")[:REPLACEMENT_CHOICES]
        choices = [("", "No replacement")] + [(str(i.pk), f"{i.name or '(no name)'} ({i.pk})") for i in candidates]
        self.fields["replacement"].widget.choices = choices
        self.listed_all = len(choices) <= REPLACEMENT_CHOICES

    def deletion_time(self) -> datetime | None:
        return end_of_day(self.cleaned_data.get("delete_after"))


class OfferReplacementForm(forms.Form):
    """Offer the replacement to every current member: the first-share checklist, as the Share form
    asks it, and a note to them (R19)."""

    note = note_field(
        label="Note to the members",
        help_text="Optional, plain text: each member sees it on its offer of the replacement; nobody else does.",
    )
    acknowledge = forms.BooleanField(
        required=False,
        label="I have removed stored passwords, keys, source code and personal data from the replacement, "
        "and it holds no licensed, infringing or suspicious content I may not share.",
    )

    def __init__(self, *args, first_share: bool = False, **kwargs):
        kwargs.setdefault("auto_id", "offer_%s")  # beside the Share form's own note and checklist on the page
        super().__init__(*args, **kwargs)
        if not first_share:
            del self.fields["acknowledge"]

    def clean_note(self) -> str:
        return checked(ImageMember.clean_note, self.cleaned_data["note"])
