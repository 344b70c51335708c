"""Rules that were decided in views and now live in the models: seed 004's first-share checklist,
formats set only at creation, and the owner answering its own offer (R3, R4)."""

import pytest

from imagesharing.choices import MemberStatus
from imagesharing.errors import ChecklistRequired, NotPermitted
from imagesharing.memberships.members import ImageMember
from tests import factories
from tests.rules.checks import refused


def test_a_first_share_needs_the_checklist_acknowledged(owner, consumer, image):
    with refused(ChecklistRequired, match="Confirm the security and legal checklist"):
        image.share_with(owner, [consumer.account.tenant_id])
    image.refresh_from_db()
    assert image.is_private and not ImageMember.objects.exists()


def test_later_shares_need_no_checklist(owner, consumer, other_consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    result = shared_image.share_with(owner, [other_consumer.account.tenant_id])
    assert [outcome.added for outcome in result.outcomes] == [True]


def test_a_shared_image_without_members_is_a_first_share(owner, shared_image):
    assert shared_image.is_first_share()


@pytest.mark.parametrize("field, value", [("disk_format", "raw"), ("container_format", "ovf")])
def test_formats_are_set_only_at_creation(owner, dfw, field, value):
    image = factories.image(owner, dfw)
    with refused(NotPermitted, match=f"'{field}' can be set only when the image is created"):
        image.update(owner, **{field: value})


def test_the_owner_cannot_answer_its_own_image(owner, consumer, shared_image):
    member = factories.member(owner, shared_image, consumer)
    with refused(NotPermitted, match="Only a tenant this image is shared with"):
        ImageMember.objects.answer(owner, shared_image, MemberStatus.ACCEPTED)
    member.refresh_from_db()
    assert member.is_pending


def test_a_consumer_answers_its_own_offer(owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    answered = ImageMember.objects.answer(consumer, shared_image, MemberStatus.REJECTED)
    assert answered.is_rejected
