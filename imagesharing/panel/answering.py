"""The Accept / Reject / Back to pending buttons of an offer (R3), in the inbox and on the image page."""

from collections.abc import Iterable

from imagesharing.choices import MemberStatus
from imagesharing.memberships.members import ImageMember
from imagesharing.panel.links import RowUrl, rows_with

# Every answer as a button: (status, label, style); an offer shows those it does not have.
BUTTONS = (
    (MemberStatus.ACCEPTED, "Accept", "button-primary button-small"),
    (MemberStatus.REJECTED, "Reject", "button-small"),
    (MemberStatus.PENDING, "Back to pending", "button-small button-quiet"),
)


def answerable(offers: Iterable[ImageMember]) -> list[ImageMember]:
    """The offers, each with its `status_url` and `buttons` (a URL reversed per button and
    an include per button made most of the inbox's time)."""
    return rows_with(
        offers,
        status_url=RowUrl("memberships:status", key="image_id"),
        buttons=lambda offer: [button for button in BUTTONS if button[0] != offer.status],
    )
