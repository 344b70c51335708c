"""The header every panel page shows: tenant, region switcher and the pending-offers badge."""

from functools import cached_property

from django.http import HttpRequest

from imagesharing.accounts.models import Account, Region
from imagesharing.choices import MemberStatus
from imagesharing.memberships.members import ImageMember
from imagesharing.panel.regions import current_region, tenant_regions


class Panel:
    """Read lazily: a page that does not show the header (the login page) costs no query."""

    def __init__(self, request: HttpRequest):
        self.request = request
        user = getattr(request, "user", None)
        self.tenant: Account | None = user.account if user is not None and user.is_authenticated else None

    @cached_property
    def regions(self) -> list[Region]:
        return tenant_regions(self.request)

    @cached_property
    def region(self) -> Region | None:
        return current_region(self.request)

    @cached_property
    def pending_count(self) -> int:
        """R5: offers waiting in the "Shared with me" inbox, across the tenant's regions."""
        if self.tenant is None:
            return 0
        return ImageMember.objects.offered_to(self.tenant, [MemberStatus.PENDING]).count()


def panel(request: HttpRequest) -> dict:
    return {"panel": Panel(request)}
