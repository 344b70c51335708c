"""Image detail (R6, R7, R16, R17, seed 004): owner and members of any status see it; nobody else does."""

import uuid

import pytest

from imagesharing.memberships.members import ImageMember
from tests import factories
from tests.panel.conftest import party, text_of


def url(image) -> str:
    return f"/images/{image.pk}/"


def test_the_owner_sees_properties_members_share_form_and_settings(as_owner, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer, "accepted")
    response = as_owner.get(url(shared_image))
    page = text_of(response)
    assert response.status_code == 200
    assert "shared-base" in page and str(shared_image.pk) in page
    assert f'id="member-{consumer.account.tenant_id}"' in page and "accepted" in page
    assert "Share with tenants" in page and "Save settings" in page
    assert "You support this image" in page
    assert "Report this image" not in page


@pytest.mark.parametrize("status", ["pending", "accepted", "rejected"])
def test_a_member_of_any_status_sees_its_own_status_and_only_the_useful_buttons(
    as_consumer, owner, consumer, other_consumer, shared_image, status
):
    factories.member(owner, shared_image, consumer, status)
    factories.member(owner, shared_image, other_consumer)
    response = as_consumer.get(url(shared_image))
    page = text_of(response)
    assert response.status_code == 200
    assert response.context["membership"].status == status
    buttons = {"accepted": "Accept<", "rejected": "Reject<", "pending": "Back to pending<"}
    for value, label in buttons.items():
        assert (label in page) is (value != status)
    assert str(other_consumer.account.tenant_id) not in page  # R7, R17: only its own record
    assert "Share with tenants" not in page and "Save settings" not in page
    assert f"Supported by its producer, tenant {party(owner.account)}" in page
    assert f"/images/{shared_image.pk}/report/" in page
    assert "Boot server" in page


@pytest.mark.parametrize("who", ["as_stranger", "as_abroad"])
def test_a_stranger_and_a_tenant_of_another_region_get_not_found(request, who, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    assert request.getfixturevalue(who).get(url(shared_image)).status_code == 404


def test_a_stranger_gets_the_same_not_found_as_for_a_missing_image(as_stranger, image):
    mine = as_stranger.get(url(image))
    missing = as_stranger.get(f"/images/{uuid.uuid4()}/")
    assert mine.status_code == missing.status_code == 404
    assert mine.content == missing.content


def test_a_malformed_id_is_not_found(as_owner):
    assert as_owner.get("/images/not-a-uuid/").status_code == 404


def test_a_revoked_member_gets_not_found(as_consumer, owner, consumer, shared_image):
    member = factories.member(owner, shared_image, consumer, "accepted")
    member.remove(owner)
    assert as_consumer.get(url(shared_image)).status_code == 404


def test_a_deleted_image_is_not_found_even_for_its_owner(as_owner, owner, image):
    image.destroy(owner)
    assert as_owner.get(url(image)).status_code == 404


def test_a_public_image_is_supported_by_the_cloud(as_stranger, dfw):
    public = factories.image(factories.user(), dfw, name="base", visibility="public")
    page = text_of(as_stranger.get(url(public)))
    assert "Supported by the cloud" in page and "Available to every tenant" in page
    assert "Report this image" not in page


def test_a_private_image_offers_the_first_share_checklist(as_owner, image):
    page = text_of(as_owner.get(url(image)))
    assert "security and legal checklist" in page
    assert 'name="acknowledge"' in page
    assert "Sharing makes this private image" in page


def test_a_shared_image_with_members_does_not_ask_again(as_owner, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    assert 'name="acknowledge"' not in text_of(as_owner.get(url(shared_image)))


def test_the_owner_sees_the_history_with_who_did_what(as_owner, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer, "accepted")
    page = text_of(as_owner.get(url(shared_image)))
    assert "member status changed" in page and "pending → accepted" in page
    assert f"tenant {consumer.account.tenant_id}" in page
    assert "owner (your tenant)" in page


def test_a_consumer_sees_only_its_own_memberships_history(as_consumer, owner, consumer, other_consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    factories.member(owner, shared_image, other_consumer)
    response = as_consumer.get(url(shared_image))
    events = list(response.context["history"])
    assert events and all(event.member_id == consumer.account.pk for event in events)
    page = text_of(response)
    assert str(other_consumer.account.tenant_id) not in page
    assert "visibility changed" not in page
    assert "owner (your tenant)" not in page  # R17: the producer's user names stay private


def test_it_lists_the_viewers_own_servers_booted_from_the_image(as_consumer, owner, consumer, shared_image):
    from imagesharing.servers.models import Server

    factories.member(owner, shared_image, consumer, "accepted")
    Server.objects.boot(consumer, shared_image, "consumer-box")
    Server.objects.boot(owner, shared_image, "owner-box")
    page = text_of(as_consumer.get(url(shared_image)))
    assert "consumer-box" in page and "owner-box" not in page


def test_a_snapshot_of_a_shared_image_warns_before_export(as_consumer, owner, consumer, shared_image):
    from imagesharing.servers.models import Server

    factories.member(owner, shared_image, consumer, "accepted")
    snapshot = Server.objects.boot(consumer, shared_image, "box").snapshot(consumer, "my-snap")
    page = text_of(as_consumer.get(url(snapshot)))
    assert "Before you export this image" in page


def test_an_image_of_ones_own_making_has_no_export_warning(as_owner, owner, image):
    from imagesharing.servers.models import Server

    snapshot = Server.objects.boot(owner, image, "box").snapshot(owner, "own-snap")
    assert "Before you export this image" not in text_of(as_owner.get(url(snapshot)))


def test_a_queued_image_cannot_be_booted_from_the_page(as_owner, owner, dfw):
    queued = factories.image(owner, dfw, name="queued", active=False)
    page = text_of(as_owner.get(url(queued)))
    assert "Only active images boot" in page


def test_showing_the_page_changes_nothing(as_consumer, owner, consumer, shared_image):
    member = factories.member(owner, shared_image, consumer)
    as_consumer.get(url(shared_image))
    assert ImageMember.objects.get(pk=member.pk).status == "pending"


def test_it_is_read_only_by_method(as_owner, image):
    assert as_owner.post(url(image)).status_code == 405
