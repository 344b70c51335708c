"""The header every panel page shows: tenant, region switcher, the pending-offers badge and the notices bell."""

from functools import cached_property

from django.db.models import Count, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from imagesharing.accounts.models import Account, Region, User
from imagesharing.choices import MemberStatus
from imagesharing.memberships.members import ImageMember
from imagesharing.memberships.notices import Notice
from imagesharing.panel.regions import current_region, tenant_regions


class Panel:
    """Read lazily: a page that does not show the header (the login page) costs no query."""

    def __init__(self, request: HttpRequest):
        self.request = request
        user = getattr(request, "user", None)
        self.user: User | None = user if user is not None and user.is_authenticated else None
        self.tenant: Account | None = self.user.account if self.user is not None else None

    @cached_property
    def regions(self) -> list[Region]:
        return tenant_regions(self.request)

    @cached_property
    def region(self) -> Region | None:
        return current_region(self.request)

    @cached_property
    def counts(self) -> dict[str, int]:
        """The header's two numbers in one query (read after the view, so an action's own change counts).

        `pending`: R5's offers waiting in the "Shared with me" inbox, across the tenant's
        regions. `unread`: R18's notices the person has not read.
        """
        if self.tenant is None or self.user is None:
            return {"pending": 0, "unread": 0}
        pending = ImageMember.objects.offered_to(self.tenant, [MemberStatus.PENDING]).order_by()
        unread = Notice.objects.filter(recipient=self.user).unread().order_by()
        counts = Account.objects.filter(pk=self.tenant.pk).values(
            pending=Coalesce(Subquery(pending.values("member").annotate(n=Count("pk")).values("n")[:1]), 0),
            unread=Coalesce(Subquery(unread.values("recipient").annotate(n=Count("pk")).values("n")[:1]), 0),
        )[0]
        return {"pending": counts["pending"], "unread": counts["unread"]}

    @property
    def pending_count(self) -> int:
        return self.counts["pending"]

    @property
    def unread_count(self) -> int:
        return self.counts["unread"]


def panel(request: HttpRequest) -> dict:
    return {"panel": Panel(request)}
