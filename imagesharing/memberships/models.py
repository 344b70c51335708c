"""The memberships app's models, one module each: members, their history (R16), reports (seed 004),
notices (R18), tenant lists (R23) and bulk shares."""

from imagesharing.memberships.bulk import BulkShare
from imagesharing.memberships.history import Event
from imagesharing.memberships.lists import ListShare, TenantList, TenantListEntry
from imagesharing.memberships.members import ImageMember
from imagesharing.memberships.notices import MailOptOut, Notice
from imagesharing.memberships.reports import ImageReport

__all__ = [
    "BulkShare",
    "Event",
    "ImageMember",
    "ImageReport",
    "ListShare",
    "MailOptOut",
    "Notice",
    "TenantList",
    "TenantListEntry",
]
