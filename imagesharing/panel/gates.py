"""One gate per object kind: the object if the signed-in tenant may know it, else NotFound (a 404).

Every panel view reaches images, members, servers and tokens through these, so an
outsider cannot tell another tenant's object from a missing one (R6, R7).
"""

from imagesharing.accounts.models import ApiToken
from imagesharing.errors import NotFound, NotShareable
from imagesharing.images.models import Image
from imagesharing.lib.parse import parse_field_value
from imagesharing.memberships.members import ImageMember
from imagesharing.panel.http import TenantRequest
from imagesharing.servers.models import Server


def image_for(request: TenantRequest, image_id) -> Image:
    """R6: owner, member of any status, or public."""
    return Image.objects.get_usable(request.account, image_id)


def member_for(request: TenantRequest, image: Image, tenant_id: int) -> ImageMember:
    """R7: the owner finds any member, a consumer only itself."""
    try:
        members = ImageMember.objects.visible_to(request.account, image)
    except NotShareable:
        raise NotFound("No such member.") from None
    number = parse_field_value(ImageMember, "member__tenant_id", tenant_id)
    member = None if number is None else members.filter(member__tenant_id=number).first()
    if member is None:
        raise NotFound("No such member.")
    return member


def server_for(request: TenantRequest, server_id) -> Server:
    """The tenant's own servers only."""
    return Server.objects.get_owned(request.account, server_id)


def token_for(request: TenantRequest, token_id) -> ApiToken:
    """A token of the signed-in tenant's people; `ApiToken.revoke` says who may revoke it (R27)."""
    pk = parse_field_value(ApiToken, "pk", token_id)
    token = None if pk is None else ApiToken.objects.filter(user__account=request.account, pk=pk).first()
    if token is None:
        raise NotFound("No such token.")
    return token
