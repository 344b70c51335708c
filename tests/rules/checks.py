"""Refusals must change nothing: compare every rule-bearing table before and after."""

from contextlib import contextmanager

import pytest

from imagesharing.accounts.models import Account, ApiToken, Invitation, PersonChange, ProducerRule, TenantLabel, User
from imagesharing.errors import DomainError
from imagesharing.images.models import Image
from imagesharing.memberships.bulk import BulkShare
from imagesharing.memberships.history import Event
from imagesharing.memberships.lists import ListShare, TenantList, TenantListEntry
from imagesharing.memberships.members import ImageMember
from imagesharing.memberships.notices import MailOptOut, Notice
from imagesharing.memberships.reports import ImageReport
from imagesharing.servers.models import Server

_TABLES = (
    Account,
    User,
    ApiToken,
    Invitation,
    PersonChange,
    TenantLabel,
    ProducerRule,
    Image,
    ImageMember,
    Event,
    Notice,
    MailOptOut,
    ImageReport,
    Server,
    TenantList,
    TenantListEntry,
    ListShare,
    BulkShare,
)


def snapshot() -> dict:
    """Every row of the tables the rules write to, as plain values in primary-key order."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in _TABLES}


@contextmanager
def refused(error_class: type[DomainError], match: str | None = None):
    """Expect exactly `error_class` (not a subclass) with a message, and no change to the database."""
    before = snapshot()
    with pytest.raises(error_class, match=match) as info:
        yield info
    assert type(info.value) is error_class
    assert info.value.message and str(info.value) == info.value.message
    assert snapshot() == before


@contextmanager
def unchanged():
    """For calls that answer with a refusal instead of raising (the panel's per-ID Share)."""
    before = snapshot()
    yield
    assert snapshot() == before
