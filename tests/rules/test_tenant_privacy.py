"""R17: nothing lets a user list tenants or learn tenant IDs, beyond its own members and an image's owner."""

import pytest

from imagesharing.accounts.models import TenantLabel
from imagesharing.choices import MemberStatus
from imagesharing.errors import DomainError, QuotaExceeded, TenantUnavailable
from imagesharing.memberships.history import Event
from imagesharing.memberships.members import ImageMember
from imagesharing.memberships.notices import Notice
from tests import factories
from tests.rules.checks import refused


def refusal(call) -> tuple[type, str]:
    try:
        call()
    except DomainError as error:
        return type(error), error.message
    raise AssertionError("expected a refusal")


def test_r17_unknown_out_of_region_and_malformed_ids_are_answered_alike(owner, shared_image, abroad):
    answers = {
        refusal(lambda tenant_id=tenant_id: shared_image.add_member(owner, tenant_id))
        for tenant_id in (abroad.account.tenant_id, 987654321, "987654321x")
    }
    assert answers == {(TenantUnavailable, TenantUnavailable().message)}


def test_r17_share_answers_do_not_tell_unknown_from_out_of_region(owner, image, abroad):
    result = image.share_with(owner, [abroad.account.tenant_id, 987654321], acknowledged=True)
    answers = {(type(outcome.error), outcome.error.message) for outcome in result.outcomes}
    assert answers == {(TenantUnavailable, TenantUnavailable().message)}


def test_r17_a_full_image_does_not_tell_existing_tenants_from_unknown_ones(
    owner, consumer, stranger, shared_image, settings
):
    settings.IMAGE_MEMBER_QUOTA = 1
    factories.member(owner, shared_image, consumer)
    answers = set()
    for tenant_id in (stranger.account.tenant_id, 987654321):
        with refused(QuotaExceeded) as info:
            shared_image.add_member(owner, tenant_id)
        answers.add(info.value.message)
    assert len(answers) == 1


def test_r17_consumer_sees_no_other_members(owner, consumer, other_consumer, shared_image):
    factories.member(owner, shared_image, other_consumer, MemberStatus.ACCEPTED)
    factories.member(owner, shared_image, consumer)
    seen = ImageMember.objects.visible_to(consumer.account, shared_image)
    assert set(seen.values_list("member__tenant_id", flat=True)) == {consumer.account.tenant_id}


def test_r17_consumer_learns_the_owner_of_an_image_shared_with_it(owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    assert ImageMember.objects.inbox(consumer.account).get().image.owner.tenant_id == owner.account.tenant_id


@pytest.fixture
def crowded(owner, consumer, other_consumer, stranger, shared_image, dfw):
    """Two consumers of one image, and the stranger's own shared image with yet another tenant."""
    factories.member(owner, shared_image, consumer, MemberStatus.ACCEPTED)
    factories.member(owner, shared_image, other_consumer, MemberStatus.REJECTED)
    elsewhere = factories.image(stranger, dfw, visibility="shared")
    factories.member(stranger, elsewhere, factories.user(username="fourth"))


def test_r17_history_shows_a_consumer_no_other_tenant_but_the_owner(owner, consumer, crowded):
    visible = Event.objects.visible_to(consumer.account)
    assert visible.exists()
    tenants = set(visible.values_list("member", flat=True)) | set(visible.values_list("actor_account", flat=True))
    assert tenants == {consumer.account.pk, owner.account.pk}


def test_r17_history_shows_an_owner_only_its_members(owner, consumer, other_consumer, crowded):
    visible = Event.objects.visible_to(owner.account)
    tenants = set(visible.values_list("member", flat=True)) | set(visible.values_list("actor_account", flat=True))
    assert tenants == {None, owner.account.pk, consumer.account.pk, other_consumer.account.pk}


def test_r17_history_shows_a_bystander_nothing_of_others(other_consumer, stranger, crowded):
    visible = Event.objects.visible_to(other_consumer.account)
    assert set(visible.values_list("member", flat=True)) == {other_consumer.account.pk}
    owners = set(Event.objects.visible_to(stranger.account).values_list("image__owner", flat=True))
    assert owners == {stranger.account.pk}


def test_r17_r19_r21_a_stranger_reaches_no_note_and_no_label(owner, consumer, stranger, shared_image):
    """A stranger's pages read no offer (so no note, no counterparty's name) and no label but its own."""
    shared_image.share_with(owner, [consumer.account.tenant_id], acknowledged=True, note="for the consumer only")
    TenantLabel.objects.set_label(owner, consumer.account.tenant_id, "Dallas branch")
    TenantLabel.objects.set_label(consumer, owner.account.tenant_id, "Our supplier")
    assert not ImageMember.objects.inbox(stranger.account).exists()
    assert not ImageMember.objects.shared_by(stranger.account).exists()
    assert not Event.objects.visible_to(stranger.account).exists()
    tenant_ids = [owner.account.tenant_id, consumer.account.tenant_id]
    assert TenantLabel.objects.for_tenants(stranger.account, tenant_ids) == {}
    assert not TenantLabel.objects.of(stranger.account).exists()


def test_r17_r18_notices_show_a_bystander_nothing_and_each_side_only_its_counterparty(
    owner, consumer, other_consumer, stranger, crowded
):
    assert (
        not Notice.objects.filter(recipient__account=stranger.account)
        .exclude(counterparty=None)
        .exclude(image__owner=stranger.account)
    )
    for person in (consumer, other_consumer):
        told_of = set(Notice.objects.filter(recipient=person).values_list("counterparty", flat=True))
        assert told_of == {owner.account.pk}
    told_owner = set(Notice.objects.filter(recipient=owner).values_list("counterparty", flat=True))
    assert told_owner == {consumer.account.pk, other_consumer.account.pk}
