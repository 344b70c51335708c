"""R25: only the owner deprecates an image, optionally naming a replacement it owns in the same
region and a deletion date; a deprecated image stays usable (R6) until it is deleted."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from imagesharing.choices import Action, MemberStatus, NoticeKind, Role, Status
from imagesharing.errors import InvalidState, InvalidValue, NotFound, NotOwner, RoleRequired, StaleChange
from imagesharing.images.models import Image
from imagesharing.memberships.history import Event
from imagesharing.memberships.members import ImageMember
from imagesharing.memberships.notices import Notice
from imagesharing.servers.models import Server
from tests import factories
from tests.rules.checks import refused
from tests.rules.test_concurrency import held, kinds, race


def in_days(days: int):
    return timezone.now() + timedelta(days=days)


@pytest.fixture
def successor(owner, dfw):
    return factories.image(owner, dfw, name="web-base-2")


@pytest.fixture
def offered(owner, consumer, shared_image):
    return factories.member(owner, shared_image, consumer, MemberStatus.ACCEPTED)


def pass_the_date(image: Image) -> None:
    """Move the deletion date into the past, as time passing would."""
    Image.objects.filter(pk=image.pk).update(delete_after=timezone.now() - timedelta(seconds=1))


def test_r25_the_owner_deprecates_with_a_replacement_and_a_date(owner, shared_image, successor, offered):
    after = in_days(30)
    assert shared_image.deprecate(owner, replacement=successor.pk, delete_after=after, version=shared_image.version)
    shared_image.refresh_from_db()
    assert shared_image.is_deprecated and shared_image.replacement == successor
    assert shared_image.delete_after == after
    entry = Event.objects.get(action=Action.IMAGE_DEPRECATED)
    assert (entry.actor, entry.member, entry.after) == (owner, None, "deprecated")
    assert f"replaced by {successor.pk}; deleted after " in entry.note


def test_r25_deprecating_again_keeps_since_when_and_changes_the_rest(owner, image, successor):
    image.deprecate(owner)
    since = image.deprecated_at
    assert image.deprecate(owner, replacement=successor.pk)
    assert not image.deprecate(owner, replacement=successor)  # the same again: nothing changes, nothing recorded
    image.refresh_from_db()
    assert (image.deprecated_at, image.replacement_id) == (since, successor.pk)
    assert Event.objects.filter(action=Action.IMAGE_DEPRECATED).count() == 2


def test_r25_every_current_member_is_told(owner, consumer, other_consumer, people, shared_image, offered):
    factories.member(owner, shared_image, other_consumer)
    shared_image.deprecate(owner)
    told = set(Notice.objects.filter(kind=NoticeKind.DEPRECATED).values_list("recipient__username", flat=True))
    assert told == {"consumer", "consumer-member", "consumer-reader", "other"}  # every role hears of it
    notice = Notice.objects.get(kind=NoticeKind.DEPRECATED, recipient=consumer)
    assert notice.counterparty == owner.account
    assert (
        notice.summary
        == f"Tenant {owner.account.tenant_id} (Producer) deprecated “shared-base”, which it shares with you."
    )
    assert notice.link == f"/images/{shared_image.pk}/"


def test_r25_cancelling_tells_every_current_member_too(owner, consumer, people, shared_image, offered):
    """R18: members who were told of the deletion date hear that it no longer holds."""
    shared_image.deprecate(owner)
    shared_image.undeprecate(owner)
    told = set(Notice.objects.filter(kind=NoticeKind.UNDEPRECATED).values_list("recipient__username", flat=True))
    assert told == {"consumer", "consumer-member", "consumer-reader"}
    notice = Notice.objects.get(kind=NoticeKind.UNDEPRECATED, recipient=consumer)
    assert notice.summary == (
        f"Tenant {owner.account.tenant_id} (Producer) no longer deprecates “shared-base”, which it shares with you."
    )
    assert notice.link == f"/images/{shared_image.pk}/"


def test_r25_a_private_image_tells_its_kept_members_nothing(owner, consumer, shared_image, offered):
    shared_image.update(owner, visibility="private")
    shared_image.deprecate(owner)
    assert not Notice.objects.filter(kind=NoticeKind.DEPRECATED).exists()


@pytest.mark.parametrize("who", ["consumer member", "stranger", "owner reader", "consumer admin"])
def test_r25_only_the_owners_members_and_admins_deprecate(who, people, stranger, shared_image, successor, offered):
    user = stranger if who == "stranger" else people[who]
    error = {
        "consumer member": NotOwner,
        "consumer admin": NotOwner,
        "stranger": NotFound,
        "owner reader": RoleRequired,
    }
    with refused(error[who]):
        shared_image.deprecate(user, replacement=successor.pk)


def test_r25_the_owners_member_role_deprecates_and_cancels(people, shared_image):
    shared_image.deprecate(people["owner member"])
    shared_image.undeprecate(people["owner member"])
    assert not Image.objects.get(pk=shared_image.pk).is_deprecated


def test_r25_an_operator_without_a_tenant_is_refused(operator, shared_image):
    with refused(NotFound):
        shared_image.deprecate(operator)


@pytest.mark.parametrize("which", ["itself", "others", "other region", "deleted", "killed", "not an id", "unknown"])
def test_r25_a_bad_replacement_is_refused_changing_nothing(which, owner, stranger, dfw, lon, image):
    owner.account.regions.add(lon)
    candidates = {
        "itself": lambda: image.pk,
        "others": lambda: factories.image(stranger, dfw).pk,
        "other region": lambda: factories.image(owner, lon).pk,
        "deleted": lambda: deleted(owner, factories.image(owner, dfw)).pk,
        "killed": lambda: killed(factories.image(owner, dfw, active=False)).pk,
        "not an id": lambda: "web-base-2",
        "unknown": lambda: factories.NO_SUCH_ID,
    }
    replacement = candidates[which]()
    with refused(InvalidValue, match="another live image of yours in DFW"):
        image.deprecate(owner, replacement=replacement)


def deleted(owner, image: Image) -> Image:
    image.destroy(owner)
    return image


def killed(image: Image) -> Image:
    image.kill("test")
    return image


def test_r25_a_replacement_never_leads_back(owner, image, successor, dfw):
    third = factories.image(owner, dfw, name="third")
    successor.deprecate(owner, replacement=third.pk)
    third.deprecate(owner, replacement=image.pk)
    with refused(InvalidValue, match="cannot lead back"):
        image.deprecate(owner, replacement=successor.pk)


def test_r25_a_deletion_date_in_the_past_or_a_stale_form_is_refused(owner, image, successor):
    with refused(InvalidValue, match="in the future"):
        image.deprecate(owner, replacement=successor.pk, delete_after=timezone.now())
    version = image.version
    image.update(owner, name="renamed")
    with refused(StaleChange):
        image.deprecate(owner, version=version)


def test_r25_cancelling_clears_it_and_is_recorded(owner, consumer, shared_image, successor, offered):
    shared_image.deprecate(owner, replacement=successor.pk, delete_after=in_days(3))
    with refused(NotOwner):
        shared_image.undeprecate(consumer)
    shared_image.undeprecate(owner, version=shared_image.version)
    shared_image.refresh_from_db()
    assert (shared_image.deprecated_at, shared_image.replacement, shared_image.delete_after) == (None, None, None)
    assert Event.objects.filter(action=Action.DEPRECATION_CANCELLED, actor=owner).exists()
    with refused(InvalidState, match="not deprecated"):
        shared_image.undeprecate(owner)


def test_r25_a_deprecated_image_stays_listed_usable_and_bootable(owner, consumer, dfw, shared_image, offered):
    pending = factories.image(owner, dfw, name="pending", visibility="shared")
    factories.member(owner, pending, factories.user(consumer.account, role=Role.MEMBER))
    shared_image.deprecate(owner, delete_after=in_days(1))
    pending.deprecate(owner)
    assert shared_image in Image.objects.visible_to(consumer.account, dfw)  # R5
    assert Image.objects.get_usable(consumer.account, pending.pk) == pending  # R6, any status
    server = Server.objects.boot(consumer, shared_image, "still-works")  # R15
    assert server.image_id == shared_image.pk


def test_r25_the_job_deletes_after_the_date_as_a_deletion_does(owner, consumer, shared_image, offered):
    server = Server.objects.boot(consumer, shared_image, "web-1")
    shared_image.deprecate(owner, delete_after=in_days(1))
    assert Image.objects.delete_deprecated() == 0  # not yet
    pass_the_date(shared_image)
    assert Image.objects.delete_deprecated() == 1
    assert Image.objects.delete_deprecated() == 0  # once
    shared_image.refresh_from_db()
    assert shared_image.status == Status.DELETED
    assert not ImageMember.objects.filter(image=shared_image).exists()
    removed = Event.objects.get(action=Action.MEMBER_REMOVED)
    assert (removed.member, removed.actor, removed.note) == (consumer.account, None, "image deleted")
    entry = Event.objects.get(action=Action.IMAGE_DELETED)
    assert (entry.actor, entry.note) == (None, "deprecated, deleted after its date")
    assert Notice.objects.filter(recipient=consumer, kind=NoticeKind.IMAGE_DELETED).exists()
    assert Server.objects.get_owned(consumer.account, server.pk).status == "active"  # R15


def test_r25_the_job_leaves_a_protected_image_deprecated(owner, shared_image, offered):
    shared_image.update(owner, protected=True)
    shared_image.deprecate(owner, delete_after=in_days(1))
    pass_the_date(shared_image)
    assert Image.objects.delete_deprecated() == 0
    kept = Image.objects.get(pk=shared_image.pk)
    assert kept.status == Status.ACTIVE and kept.is_deprecated
    kept.update(owner, protected=False)
    assert Image.objects.delete_deprecated() == 1  # unprotected, it goes at the next run


def test_r25_the_job_leaves_a_cancelled_deprecation(owner, shared_image):
    shared_image.deprecate(owner, delete_after=in_days(1))
    pass_the_date(shared_image)
    shared_image.refresh_from_db()
    shared_image.undeprecate(owner)
    assert Image.objects.delete_deprecated() == 0


def test_r25_the_replacement_is_named_only_to_those_it_is_offered_to(owner, consumer, shared_image, successor, offered):
    shared_image.deprecate(owner, replacement=successor.pk)
    image = Image.objects.with_offer_status(consumer.account).get(pk=shared_image.pk)
    assert image.replacement_seen(None) is None  # private: a replacement exists, unnamed
    successor.share_with(owner, [consumer.account.tenant_id], acknowledged=True)
    status = Image.objects.with_offer_status(consumer.account).get(pk=successor.pk).offer_status
    assert status == MemberStatus.PENDING
    assert Image.objects.get(pk=shared_image.pk).replacement_seen(status) == successor


def test_r25_offer_the_replacement_to_every_current_member(owner, consumer, other_consumer, shared_image, successor):
    factories.member(owner, shared_image, consumer, MemberStatus.ACCEPTED)
    factories.member(owner, shared_image, other_consumer)
    shared_image.deprecate(owner, replacement=successor.pk)
    with refused(NotOwner):
        shared_image.offer_replacement(consumer, acknowledged=True)
    result = shared_image.offer_replacement(owner, acknowledged=True, note="The new base")
    assert [outcome.added for outcome in result.outcomes] == [True, True]
    assert result.made_shared
    assert {m.member for m in ImageMember.objects.filter(image=successor)} == {consumer.account, other_consumer.account}
    again = shared_image.offer_replacement(owner)
    assert [type(outcome.error).__name__ for outcome in again.outcomes] == ["AlreadyMember", "AlreadyMember"]


def test_r25_offering_without_a_replacement_or_members_is_refused(owner, shared_image, successor):
    with refused(InvalidState, match="not deprecated with a replacement"):
        shared_image.offer_replacement(owner, acknowledged=True)
    shared_image.deprecate(owner, replacement=successor.pk)
    with refused(InvalidState, match="no members"):
        shared_image.offer_replacement(owner, acknowledged=True)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent transactions and row locks")
def test_r25_two_images_naming_each_other_at_once_make_no_loop(owner, image, successor):
    """Each change locks both rows in one order: the second waits, then finds the loop (no deadlock)."""
    results = race(
        [
            held(lambda: Image.objects.get(pk=image.pk).deprecate(owner, replacement=successor.pk)),
            held(lambda: Image.objects.get(pk=successor.pk).deprecate(owner, replacement=image.pk)),
        ]
    )
    assert kinds(results) == ["InvalidValue", "bool"]
    named = Image.objects.filter(replacement__isnull=False)
    assert named.count() == 1


def test_r25_a_public_image_is_deprecated_by_its_owner_and_named_to_everyone(stranger, dfw):
    """The cloud's owner of a public image deprecates it: nobody is a member, so nobody is told,
    and a public replacement is named to every tenant (R6: everyone may use it)."""
    cloud = factories.user(factories.account(dfw, name="Cloud"))
    base = factories.image(cloud, dfw, name="ubuntu-22", visibility="public")
    newer = factories.image(cloud, dfw, name="ubuntu-24", visibility="public")
    base.deprecate(cloud, replacement=newer.pk)
    assert not Notice.objects.filter(kind=NoticeKind.DEPRECATED).exists()
    seen = Image.objects.with_offer_status(stranger.account).get(pk=base.pk)
    assert seen.replacement_seen(None) == newer
    with refused(NotOwner):
        base.deprecate(stranger)
