"""The image page and its parts, each built in one place for the page and for the actions
that answer with a part of it: the owner's Sharing section, the consumer's Your-answer
section, and the facts an action may change elsewhere on the page.
"""

from django.conf import settings

from imagesharing.errors import NotFound, NotShareable
from imagesharing.images.models import Image
from imagesharing.memberships.history import Event
from imagesharing.memberships.members import ImageMember
from imagesharing.panel.forms.images import ImageEditForm
from imagesharing.panel.forms.sharing import ShareForm
from imagesharing.panel.http import TenantRequest, image_url
from imagesharing.panel.tables import AnswerForms, event_rows, member_rows
from imagesharing.servers.models import Server

HISTORY_ROWS = 50
# The parts of the page that show an image's state (its visibility in the header, the
# properties, the settings form and the version it carries): refreshed out of band
# whenever an htmx action may have changed that state.
FACTS = ("head", "properties", "settings")
OUTCOMES_KEY = "share_outcomes"


def sharing_section(
    request: TenantRequest, image: Image, form: ShareForm | None = None, outcomes: list[dict] | None = None
) -> dict:
    """What the owner's Sharing section shows (R7, R9): members, the Share form, the last results.

    While the image is private its members are kept but give no access: they are
    listed apart, as inactive.
    """
    try:
        members = member_rows(request, image, ImageMember.objects.visible_to(request.account, image))
    except NotShareable:
        members = []
    first_share = image.is_first_share(member_count=len(members))
    return {
        "members": members,
        "dormant": list(ImageMember.objects.dormant(request.account, image)) if image.is_private else [],
        "share_form": form or ShareForm(first_share=first_share),
        "first_share": first_share,
        "outcomes": outcomes,
        "quota": settings.IMAGE_MEMBER_QUOTA,
    }


def owner_parts(
    request: TenantRequest, image: Image, form: ShareForm | None = None, outcomes: list[dict] | None = None
) -> dict:
    """Everything the owner's parts of the page show: the facts, the settings and sharing."""
    context = {"image": image, "is_owner": True, "edit_form": ImageEditForm(image=image)}
    return context | sharing_section(request, image, form, outcomes)


def answer_section(request: TenantRequest, image: Image) -> dict:
    """A consumer's own member record (R7), or none for a public image."""
    try:
        membership = ImageMember.objects.visible_to(request.account, image).first()
    except (NotFound, NotShareable):
        membership = None
    if membership is None:
        return {"image": image, "membership": None}
    membership.image = image  # already loaded: the form names it without another query
    answer_form = AnswerForms(request, target="#my-status", next_url=image_url(image.pk))(membership)
    return {"image": image, "membership": membership, "answer_form": answer_form}


def saved_outcomes(request: TenantRequest, image: Image) -> list[dict] | None:
    """The results of a share made without JavaScript, shown once on the image page."""
    saved = request.session.pop(OUTCOMES_KEY, None)
    return saved["rows"] if saved and saved.get("image") == str(image.pk) else None


def keep_outcomes(request: TenantRequest, image: Image, outcomes: list[dict]) -> None:
    """Keep a share's results for the image page that the browser is sent to next."""
    request.session[OUTCOMES_KEY] = {"image": str(image.pk), "rows": outcomes}


def page_context(request: TenantRequest, image: Image, share_form: ShareForm | None = None) -> dict:
    """The whole image page (R6): properties, servers, history, and the owner's or the consumer's parts."""
    account = request.account
    is_owner = image.owner_id == account.pk
    events = Event.objects.visible_to(account).filter(image=image).select_related("actor", "actor_account", "member")
    history = list(events[:HISTORY_ROWS])
    context = {
        "is_owner": is_owner,
        "servers": Server.objects.owned_by(account).filter(image=image)[:20],
        "history": history,
        "history_rows": event_rows(account, history, show_image=False),
        "shared_ancestor": image.shared_ancestor() if is_owner else None,
    }
    if not is_owner:
        return context | answer_section(request, image)
    context |= owner_parts(request, image, share_form, outcomes=saved_outcomes(request, image))
    if image.is_queued:
        context["upload_limit"] = Image.objects.upload_limit(account)
    return context
