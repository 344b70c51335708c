"""The memberships app's models, one module each: members, their history (R16) and reports (seed 004)."""

from imagesharing.memberships.history import Event
from imagesharing.memberships.members import ImageMember
from imagesharing.memberships.reports import ImageReport

__all__ = ["Event", "ImageMember", "ImageReport"]
