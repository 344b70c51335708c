"""R8: sharing only with tenants enabled in the image's region; servers boot only in it."""

import pytest

from imagesharing.errors import InvalidValue, RegionNotEnabled, TenantUnavailable
from imagesharing.images.models import Image
from imagesharing.servers.models import Server
from tests import factories
from tests.rules.checks import refused, unchanged


def test_r8_share_with_a_tenant_enabled_in_the_region(owner, shared_image, dfw, lon):
    both = factories.account(lon, dfw)
    assert shared_image.add_member(owner, both.tenant_id).member == both


def test_r8_tenant_outside_the_region_is_refused(owner, shared_image, abroad):
    with refused(TenantUnavailable, match="Cannot share with that tenant in this region"):
        shared_image.add_member(owner, abroad.account.tenant_id)


def test_r8_unknown_and_out_of_region_tenants_get_the_same_message(owner, shared_image, abroad):
    with refused(TenantUnavailable) as outside:
        shared_image.add_member(owner, abroad.account.tenant_id)
    with refused(TenantUnavailable) as unknown:
        shared_image.add_member(owner, 123456789)
    assert outside.value.message == unknown.value.message


@pytest.mark.parametrize("bad_id", ["abc", "", "-5", "0", "12.5", "１２３", True, None, 2**63, "9" * 30])
def test_r8_malformed_tenant_id_gets_the_same_message(owner, shared_image, bad_id):
    with refused(TenantUnavailable) as info:
        shared_image.add_member(owner, bad_id)
    assert info.value.message == TenantUnavailable().message


def test_r8_share_answers_unknown_and_out_of_region_alike(owner, image, abroad, consumer):
    result = image.share_with(
        owner, [abroad.account.tenant_id, 123456789, consumer.account.tenant_id], acknowledged=True
    )
    outside, unknown, added = result.outcomes
    assert type(outside.error) is type(unknown.error) is TenantUnavailable
    assert outside.error.message == unknown.error.message
    assert added.added and result.made_shared


def test_r8_share_with_only_unavailable_tenants_changes_nothing(owner, image, abroad):
    with unchanged():
        result = image.share_with(owner, [abroad.account.tenant_id, "nope"], acknowledged=True)
    assert not result.added and not result.made_shared


def test_r8_boot_in_the_images_region(consumer, owner, shared_image, dfw):
    factories.member(owner, shared_image, consumer)
    assert Server.objects.boot(consumer, shared_image, "vm", region=dfw).region == dfw


def test_r8_boot_in_another_region_is_refused(owner, shared_image, lon):
    owner.account.regions.add(lon)
    with refused(InvalidValue, match="servers boot only in their image's region"):
        Server.objects.boot(owner, shared_image, "vm", region=lon)


def test_r8_tenant_not_enabled_in_the_region_cannot_boot_a_public_image(abroad, dfw, owner):
    public = factories.image(owner, dfw, visibility="public")
    with refused(RegionNotEnabled, match="not enabled in region DFW"):
        Server.objects.boot(abroad, public, "vm")


def test_r8_tenant_cannot_create_an_image_outside_its_regions(abroad, dfw):
    with refused(RegionNotEnabled):
        Image.objects.create_image(abroad, dfw, name="misplaced")


def test_r8_member_whose_tenant_left_the_region_cannot_boot(owner, consumer, shared_image, dfw, lon):
    factories.member(owner, shared_image, consumer)
    consumer.account.regions.set([lon])
    with refused(RegionNotEnabled):
        Server.objects.boot(consumer, shared_image, "vm")
