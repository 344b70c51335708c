"""The memberships app's models, one module each: members, their history (R16), reports (seed 004)
and notices (R18)."""

from imagesharing.memberships.history import Event
from imagesharing.memberships.members import ImageMember
from imagesharing.memberships.notices import MailOptOut, Notice
from imagesharing.memberships.reports import ImageReport

__all__ = ["Event", "ImageMember", "ImageReport", "MailOptOut", "Notice"]
