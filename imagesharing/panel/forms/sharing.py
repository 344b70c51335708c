"""Forms of the sharing pages. They parse what a person typed; the model methods decide."""

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import cast

from django import forms
from django.db.models import Count

from imagesharing.accounts.models import Account
from imagesharing.errors import TenantUnavailable
from imagesharing.lib.parse import parse_tenant_id
from imagesharing.memberships.lists import TenantList
from imagesharing.memberships.members import NOTE_MAX_LENGTH, ImageMember
from imagesharing.memberships.reports import REPORT_DETAILS_MAX_LENGTH, ImageReport
from imagesharing.panel.forms.checked import checked

SEPARATORS = re.compile(r"[\s,;]+")
MAX_TENANT_IDS = 200


def note_field(**kwargs) -> forms.CharField:
    """R19: the producer's note; `ImageMember.clean_note` checks it (the length attribute only helps browsers)."""
    return forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_MAX_LENGTH}),
        **kwargs,
    )


def _is_tenant_id(entry: str) -> bool:
    try:
        parse_tenant_id(entry)
    except TenantUnavailable:
        return False
    return True


def end_of_day(day: date | None) -> datetime | None:
    """A date typed as "until 31 March" lasts through that day, in UTC."""
    return None if day is None else datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


def day_of(end: datetime | None) -> date | None:
    """The date `end_of_day` made `end` from, to show it in the form again."""
    return None if end is None else (end.astimezone(UTC) - timedelta(microseconds=1)).date()


def list_choices(owner: Account) -> list[tuple[str, str]]:
    """R23: the tenant's own lists, the only ones a form offers (another tenant's is no valid choice)."""
    lists = TenantList.objects.of(owner).values_list("pk", "name", Count("entries"))
    return [("", "None: the tenant IDs typed")] + [
        (str(pk), f"{name} ({count} tenant IDs)") for pk, name, count in lists
    ]


class EndDatesForm(forms.Form):
    """R22: when an offer left unanswered is withdrawn, and when a share ends; both optional."""

    offer_open_until = forms.DateField(
        required=False,
        label="Offer open until",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Optional. Still pending at the end of this day (UTC), the offer is withdrawn.",
    )
    access_until = forms.DateField(
        required=False,
        label="Access until",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Optional. At the end of this day (UTC) the member is removed; its servers keep running.",
    )

    def end_dates(self) -> dict[str, datetime | None]:
        """The keyword arguments of `Image.share_with` and `ImageMember.set_end_dates`."""
        return {
            "offer_expires_at": end_of_day(self.cleaned_data.get("offer_open_until")),
            "access_ends_at": end_of_day(self.cleaned_data.get("access_until")),
        }


class ShareForm(EndDatesForm):
    """One or many tenant IDs, separated by commas, spaces or new lines.

    Entries that are not tenant IDs are set aside as malformed and answered as such;
    the rest go to `Image.share_with`, which answers for each one.
    """

    field_order = ["tenant_ids", "tenant_list", "offer_open_until", "access_until", "acknowledge"]

    tenant_ids = forms.CharField(
        label="Tenant IDs",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false"}),
        help_text="One or more tenant IDs, separated by commas, spaces or new lines. "
        "Consumers find theirs at the top of their control panel.",
    )
    note = note_field(
        label="Note to the consumers",
        help_text=f"Plain text, up to {NOTE_MAX_LENGTH} characters, for example what the image is for or whom to ask. "
        "Each tenant you share with sees it on its offer; nobody else does. You can change it later.",
    )
    tenant_list = forms.ChoiceField(
        required=False,
        label="Or a list",
        help_text="Every tenant ID on the list gets its own offer, as if typed. Make lists on the Lists page.",
    )
    acknowledge = forms.BooleanField(
        required=False,
        label="I have removed stored passwords, keys, source code and personal data from this image, "
        "and it holds no licensed, infringing or suspicious content I may not share.",
    )

    def __init__(self, *args, first_share: bool = False, lists: Account | None = None, **kwargs):
        """`lists`: the owner whose tenant lists (R23) may be chosen instead of typed IDs; None, or
        an owner without lists: no choice."""
        super().__init__(*args, **kwargs)
        if not first_share:
            del self.fields["acknowledge"]
        choices = [] if lists is None else list_choices(lists)
        if len(choices) > 1:
            cast(forms.ChoiceField, self.fields["tenant_list"]).choices = choices
        else:  # no lists to choose from
            del self.fields["tenant_list"]
        self.malformed: list[str] = []

    def clean_tenant_ids(self) -> list[str]:
        entries = list(dict.fromkeys(e for e in SEPARATORS.split(self.cleaned_data["tenant_ids"]) if e))
        chosen = "tenant_list" in self.fields and self.data.get(self.add_prefix("tenant_list"))
        if not entries and not chosen:
            or_list = ", or choose a list" if "tenant_list" in self.fields else ""
            raise forms.ValidationError(f"Enter at least one tenant ID{or_list}.")
        if entries and chosen:
            raise forms.ValidationError("Type tenant IDs or choose a list, not both.")
        if len(entries) > MAX_TENANT_IDS:
            raise forms.ValidationError(f"Enter at most {MAX_TENANT_IDS} tenant IDs at a time.")
        self.malformed = [e for e in entries if not _is_tenant_id(e)]
        return [e for e in entries if _is_tenant_id(e)]

    def clean_note(self) -> str:
        return checked(ImageMember.clean_note, self.cleaned_data["note"])


class NoteForm(forms.Form):
    """R19: the owner rewrites its note on one offer; blank clears it."""

    note = note_field(
        label="Note",
        help_text=f"Plain text, up to {NOTE_MAX_LENGTH} characters, seen by this consumer only. "
        "Leave it empty to remove the note.",
    )

    def clean_note(self) -> str:
        return checked(ImageMember.clean_note, self.cleaned_data["note"])


class ReportForm(forms.Form):
    reason = forms.ChoiceField(choices=ImageReport.Reason.choices, widget=forms.RadioSelect, label="What is wrong")
    details = forms.CharField(
        required=False,
        max_length=REPORT_DETAILS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Anything that helps the cloud's operators: what you found, where, when.",
    )
