"""The image page and its parts, each built in one place for the page and for the actions
that answer with a part of it: the owner's Sharing section, the consumer's Your-answer
section, and the facts an action may change elsewhere on the page.
"""

from collections.abc import Iterable

from django.conf import settings

from imagesharing.choices import MemberStatus
from imagesharing.errors import NotFound, NotShareable
from imagesharing.images.models import Image
from imagesharing.memberships.history import Event
from imagesharing.memberships.members import ImageMember
from imagesharing.panel.forms.deprecation import OfferReplacementForm
from imagesharing.panel.forms.images import ImageEditForm
from imagesharing.panel.forms.sharing import ShareForm
from imagesharing.panel.http import TenantRequest, image_url, sharing_url
from imagesharing.panel.tables import AnswerForms, TenantNames, event_rows, event_tenant_ids, member_rows
from imagesharing.servers.models import Server, Usage

HISTORY_ROWS = 50
# The parts of the page that show an image's state (its visibility in the header, the
# properties, the settings form and the version it carries): refreshed out of band
# whenever an htmx action may have changed that state.
FACTS = ("head", "properties", "settings")
OUTCOMES_KEY = "share_outcomes"
NO_SERVERS = Usage(())  # R26 for an image without members: nothing to ask


def sharing_section(
    request: TenantRequest,
    image: Image,
    form: ShareForm | None = None,
    outcomes: list[dict] | None = None,
    *,
    shown: Iterable[int] = (),
) -> dict:
    """What the owner's Sharing section shows (R7, R9): members, the Share form, the last results.

    While the image is private its members are kept but give no access: they are
    listed apart, as inactive. `names` names the members (R21) and the tenants `shown`
    elsewhere on the page (its history), with one query for all their labels; the
    members' servers from the image (R26) come from one query more, when there are members.
    """
    try:
        members = list(ImageMember.objects.visible_to(request.account, image))
    except NotShareable:
        members = []
    dormant = list(ImageMember.objects.dormant(request.account, image)) if image.is_private else []
    listed = {member.member.tenant_id for member in members + dormant}
    names = TenantNames(request.account, listed | set(shown), sharing_url(image.pk))
    first_share = image.is_first_share(member_count=len(members))
    usage = Server.objects.usage_by_member(request.user, image) if listed else NO_SERVERS
    return {
        "members": member_rows(request, image, members, names, usage),
        "names": names,
        "dormant": [(member, usage.of(member)) for member in dormant],
        "share_form": form or ShareForm(first_share=first_share, lists=request.account),
        "first_share": first_share,
        "outcomes": outcomes,
        "quota": settings.IMAGE_MEMBER_QUOTA,
    }


def owner_parts(
    request: TenantRequest,
    image: Image,
    form: ShareForm | None = None,
    outcomes: list[dict] | None = None,
    *,
    shown: Iterable[int] = (),
) -> dict:
    """Everything the owner's parts of the page show: the facts, the settings and sharing."""
    context = {"image": image, "is_owner": True, "edit_form": ImageEditForm(image=image)}
    return context | sharing_section(request, image, form, outcomes, shown=shown)


def answer_section(request: TenantRequest, image: Image, *, shown: Iterable[int] = ()) -> dict:
    """A consumer's own member record (R7) with the producer's note to it (R19), or none for a
    public image. `names` names the producer (R21) and the tenants `shown` elsewhere on the page."""
    try:
        membership = ImageMember.objects.visible_to(request.account, image).first()
    except (NotFound, NotShareable):
        membership = None
    if membership is None:
        return {"image": image, "membership": None, "names": TenantNames(request.account, shown, image_url(image.pk))}
    names = TenantNames(request.account, {image.owner.tenant_id, *shown}, image_url(image.pk))
    membership.image = image  # already loaded: the form names it without another query
    answer_form = AnswerForms(request, target="#my-status", next_url=image_url(image.pk))(membership)
    return {"image": image, "membership": membership, "answer_form": answer_form, "names": names}


def owner_deprecation(image: Image) -> dict:
    """R25 for the owner's page of a deprecated image: the replacement, and the form that offers
    it to every current member (with the checklist if it would be its first share)."""
    if not image.is_deprecated:
        return {}
    replacement = image.replacement if image.replacement_id is not None else None
    offer = replacement is not None and not replacement.is_deleted and image.is_shared
    form = OfferReplacementForm(first_share=replacement.is_first_share()) if replacement and offer else None
    return {"replacement": replacement, "offer_form": form}


def deprecation_banner(request: TenantRequest, image: Image) -> dict:
    """R25 for anyone but the owner, the banner's `deprecation` (nothing is read for an image that
    is not deprecated): the replacement only if it is offered to them, or public (R6, R17: else
    only that one exists), with their answer to it and whether to offer Accept."""
    if not image.is_deprecated or image.owner_id == request.account.pk:
        return {}
    status = None
    if image.replacement_id is not None:
        found = Image.objects.with_offer_status(request.account).filter(pk=image.replacement_id).first()
        image.replacement, status = found, getattr(found, "offer_status", None)
    replacement = image.replacement_seen(status)
    answer = status if replacement is not None else None
    deprecation = {
        "replacement": replacement,
        "answer": answer,
        "can_accept": answer in (MemberStatus.PENDING, MemberStatus.REJECTED),
        "unnamed": image.replacement_id is not None and replacement is None,
    }
    return {"deprecation": deprecation}


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
        "shared_ancestor": image.shared_ancestor() if is_owner else None,
    }
    shown = event_tenant_ids(history)
    if is_owner:
        parts = owner_parts(request, image, share_form, outcomes=saved_outcomes(request, image), shown=shown)
    else:
        parts = answer_section(request, image, shown=shown)
    context |= parts | {"history_rows": event_rows(account, history, parts["names"], show_image=False)}
    context |= owner_deprecation(image) if is_owner else deprecation_banner(request, image)
    if is_owner and image.is_queued:
        context["upload_limit"] = Image.objects.upload_limit(account)
    return context
