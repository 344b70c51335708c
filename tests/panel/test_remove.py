"""Remove a member (R1, R4, R12): confirm first, the owner alone, the consumer keeps what it made."""

import pytest

from imagesharing.memberships.history import Event
from imagesharing.memberships.members import ImageMember
from imagesharing.servers.models import Server
from tests import factories
from tests.panel.conftest import HTMX, messages_of, text_of


def url(image, user) -> str:
    return f"/images/{image.pk}/members/{user.account.tenant_id}/remove/"


def test_the_confirmation_says_what_the_consumer_loses_and_keeps(as_owner, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer, "accepted")
    response = as_owner.get(url(shared_image, consumer))
    page = text_of(response)
    assert response.status_code == 200 and "<html" in page
    assert "It loses this image" in page and "stay its own and keep working" in page
    assert ImageMember.objects.filter(image=shared_image).count() == 1


def test_with_htmx_the_confirmation_replaces_the_row(as_owner, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    page = text_of(as_owner.get(url(shared_image, consumer), headers=HTMX))
    assert page.lstrip().startswith(f'<tr id="member-{consumer.account.tenant_id}" class="confirm-row">')
    assert "<html" not in page


def test_the_owner_removes_one_member_and_the_others_stay(as_owner, owner, consumer, other_consumer, shared_image):
    factories.member(owner, shared_image, consumer, "accepted")
    factories.member(owner, shared_image, other_consumer, "accepted")
    server = Server.objects.boot(consumer, shared_image, "box")
    snapshot = server.snapshot(consumer, "snap")
    response = as_owner.post(url(shared_image, consumer))
    assert response.status_code == 302 and response["Location"] == f"/images/{shared_image.pk}/#sharing"
    assert messages_of(response)[0].startswith(f"Removed tenant {consumer.account.tenant_id}.")
    assert list(ImageMember.objects.filter(image=shared_image).values_list("member", flat=True)) == [
        other_consumer.account.pk
    ]
    assert Event.objects.filter(image=shared_image, action="member_removed", member=consumer.account).exists()
    # R12: what the consumer made stays its own.
    assert Server.objects.filter(pk=server.pk, owner=consumer.account).exists()
    assert snapshot.__class__.objects.get(pk=snapshot.pk).owner == consumer.account


def test_with_htmx_removal_answers_with_the_sharing_section(as_owner, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    page = text_of(as_owner.post(url(shared_image, consumer), headers=HTMX))
    assert page.lstrip().startswith('<section id="sharing"')
    assert f'id="member-{consumer.account.tenant_id}"' not in page
    assert f"Removed tenant {consumer.account.tenant_id}" in page


def test_the_consumer_cannot_remove_itself(as_consumer, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer, "accepted")
    response = as_consumer.post(url(shared_image, consumer))
    assert messages_of(response) == ["A consumer cannot remove itself; ask the image's owner."]
    assert ImageMember.objects.filter(image=shared_image, member=consumer.account).exists()


def test_a_consumer_cannot_remove_another_member(as_consumer, owner, consumer, other_consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    factories.member(owner, shared_image, other_consumer)
    assert as_consumer.get(url(shared_image, other_consumer)).status_code == 404
    assert as_consumer.post(url(shared_image, other_consumer)).status_code == 404
    assert ImageMember.objects.filter(image=shared_image).count() == 2


@pytest.mark.parametrize("who", ["as_stranger", "as_abroad"])
def test_outsiders_get_not_found(request, who, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    client = request.getfixturevalue(who)
    assert client.get(url(shared_image, consumer)).status_code == 404
    assert client.post(url(shared_image, consumer)).status_code == 404
    assert ImageMember.objects.filter(image=shared_image).count() == 1


@pytest.mark.parametrize("tenant_id", ["424242", "99999999999999999999999"])
def test_an_unknown_member_is_not_found(as_owner, owner, shared_image, tenant_id):
    assert as_owner.post(f"/images/{shared_image.pk}/members/{tenant_id}/remove/").status_code == 404


def test_a_private_images_dormant_members_are_not_removable_here(as_owner, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    shared_image.update(owner, visibility="private")
    assert as_owner.post(url(shared_image, consumer)).status_code == 404
    assert ImageMember.objects.filter(image=shared_image).count() == 1


def test_remove_accepts_only_get_and_post(as_owner, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    assert as_owner.delete(url(shared_image, consumer)).status_code == 405
