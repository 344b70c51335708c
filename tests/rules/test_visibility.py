"""R9 (only shared images have members; Share turns private into shared) and R10 (public is for operators)."""

import pytest

from imagesharing.choices import Action, MemberStatus
from imagesharing.errors import InvalidValue, NotPermitted, NotShareable
from imagesharing.images.models import Image
from imagesharing.memberships.history import Event
from imagesharing.memberships.members import ImageMember
from tests import factories
from tests.rules.checks import refused, unchanged

# R9


@pytest.mark.parametrize("visibility", ["private", "public"])
def test_r9_add_to_a_non_shared_image_is_refused(owner, consumer, dfw, visibility):
    image = factories.image(owner, dfw, visibility=visibility)
    with refused(NotShareable, match="Only images with visibility 'shared'"):
        image.add_member(owner, consumer.account.tenant_id)


def test_r9_share_turns_a_private_image_into_shared_and_records_it(owner, consumer, image):
    result = image.share_with(owner, [consumer.account.tenant_id], acknowledged=True)
    assert result.made_shared and image.visibility == "shared"
    assert Image.objects.get(pk=image.pk).visibility == "shared"
    change = Event.objects.get(action=Action.VISIBILITY_CHANGED)
    assert (change.before, change.after, change.actor, change.actor_account) == (
        "private",
        "shared",
        owner,
        owner.account,
    )


def test_r9_share_on_an_already_shared_image_does_not_say_it_made_it_shared(owner, consumer, shared_image):
    result = shared_image.share_with(owner, [consumer.account.tenant_id], acknowledged=True)
    assert not result.made_shared and len(result.added) == 1
    assert Event.objects.filter(action=Action.VISIBILITY_CHANGED).count() == 1  # the factory's


def test_r9_share_with_only_invalid_ids_leaves_it_private_and_records_nothing(owner, image, abroad):
    with unchanged():
        result = image.share_with(
            owner, ["x", "404404404", abroad.account.tenant_id, owner.account.tenant_id], acknowledged=True
        )
    assert not result.made_shared and not result.added
    assert image.visibility == "private"
    assert all(outcome.error for outcome in result.outcomes)


def test_r9_share_of_a_public_image_is_refused(owner, consumer, dfw):
    public = factories.image(owner, dfw, visibility="public")
    with refused(NotShareable, match="Public images"):
        public.share_with(owner, [consumer.account.tenant_id], acknowledged=True)


def test_r9_members_give_no_access_while_private_and_again_once_shared(owner, consumer, shared_image):
    member = factories.member(owner, shared_image, consumer, MemberStatus.ACCEPTED)
    shared_image.update(owner, visibility="private")
    assert not Image.objects.usable_by(consumer.account).exists()
    with refused(NotShareable):
        member.remove(owner)
    shared_image.update(owner, visibility="shared")
    assert list(Image.objects.usable_by(consumer.account)) == [shared_image]


def test_r9_visibility_change_is_recorded(owner, image):
    assert image.update(owner, visibility="shared") == ["visibility"]
    image.update(owner, visibility="private")
    assert list(Event.objects.order_by("pk").values_list("before", "after")) == [
        ("private", "shared"),
        ("shared", "private"),
    ]


def test_r9_invalid_visibility_is_refused(owner, image):
    with refused(InvalidValue, match="Visibility must be one of"):
        image.update(owner, visibility="community")


def test_r9_a_bad_value_refuses_the_whole_update(owner, image):
    with refused(InvalidValue):
        image.update(owner, name="new name", visibility="shared", min_ram=-1)


# R10


def test_r10_operator_makes_an_image_public(operator, image):
    assert image.update(operator, visibility="public", as_operator=True) == ["visibility"]
    event = Event.objects.get()
    assert (event.after, event.actor, event.actor_account, event.by_operator) == ("public", operator, None, True)


def test_r10_owner_cannot_make_its_image_public(owner, image):
    with refused(NotPermitted, match="Only cloud operators can make an image public"):
        image.update(owner, visibility="public")


def test_r10_non_staff_claiming_operator_rights_is_refused(owner, image):
    with refused(NotPermitted, match="Only cloud operators"):
        image.update(owner, visibility="public", as_operator=True)


def test_r10_public_image_is_in_every_tenants_list_in_its_region(owner, consumer, stranger, abroad, dfw, lon):
    public = factories.image(owner, dfw, visibility="public")
    for user in (owner, consumer, stranger):
        assert public in Image.objects.visible_to(user.account, dfw)
    assert public not in Image.objects.visible_to(abroad.account, lon)


def test_r10_public_image_has_no_members(owner, consumer, operator, shared_image):
    factories.member(owner, shared_image, consumer)
    shared_image.update(operator, visibility="public", as_operator=True)
    with refused(NotShareable):
        ImageMember.objects.visible_to(owner.account, shared_image)
    assert not ImageMember.objects.inbox(consumer.account).exists()


def test_r10_owner_may_take_a_public_image_back_to_private(owner, dfw):
    public = factories.image(owner, dfw, visibility="public")
    public.update(owner, visibility="private")
    assert Image.objects.get(pk=public.pk).visibility == "private"
