"""Settings and delete (R1, R9, R10, R15): the owner alone, all changes or none."""

import pytest

from imagesharing.images.models import Image
from imagesharing.memberships.history import Event
from imagesharing.memberships.members import ImageMember
from imagesharing.servers.models import Server
from tests import factories
from tests.panel.conftest import messages_of, text_of


def edit(client, image, **data):
    fields = {"name": image.name, "visibility": image.visibility, **data}
    return client.post(f"/images/{image.pk}/edit/", fields)


def test_the_owner_renames_and_protects(as_owner, image):
    response = edit(as_owner, image, name="renamed", protected="on")
    assert response.status_code == 302 and response["Location"] == f"/images/{image.pk}/"
    assert messages_of(response) == ["Saved: name, protected."]
    image.refresh_from_db()
    assert (image.name, image.protected) == ("renamed", True)


def test_making_a_shared_image_private_says_members_lose_access(as_owner, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer, "accepted")
    response = edit(as_owner, shared_image, visibility="private", confirmed="yes")
    assert "lose access until you share it again" in " ".join(messages_of(response))
    assert Image.objects.get(pk=shared_image.pk).visibility == "private"
    assert Event.objects.filter(image=shared_image, action="visibility", after="private").exists()


def test_nothing_changed_says_so(as_owner, image):
    assert messages_of(edit(as_owner, image)) == ["Nothing changed."]


def test_a_tampered_public_visibility_is_refused(as_owner, image):
    response = edit(as_owner, image, visibility="public", name="new name")
    assert response.status_code == 302
    assert messages_of(response)  # a form error: public is not offered (R10)
    image.refresh_from_db()
    assert (image.visibility, image.name) == ("private", "web-base")


def test_a_too_long_name_changes_nothing(as_owner, image):
    response = edit(as_owner, image, name="x" * 256)
    assert "Name" in messages_of(response)[0]
    assert Image.objects.get(pk=image.pk).name == "web-base"


@pytest.mark.parametrize("status", ["pending", "accepted", "rejected"])
def test_a_member_cannot_change_the_image(as_consumer, owner, consumer, shared_image, status):
    factories.member(owner, shared_image, consumer, status)
    response = edit(as_consumer, shared_image, name="hijacked", visibility="private")
    assert messages_of(response) == ["Only the owner of this image can do that."]
    shared_image.refresh_from_db()
    assert (shared_image.name, shared_image.visibility) == ("shared-base", "shared")


def test_a_stranger_gets_not_found(as_stranger, image):
    assert edit(as_stranger, image, name="x").status_code == 404
    assert Image.objects.get(pk=image.pk).name == "web-base"


def test_editing_is_a_post(as_owner, image):
    assert as_owner.get(f"/images/{image.pk}/edit/").status_code == 405


def test_an_operator_made_public_image_offers_no_visibility_field(owner, dfw, as_owner):
    public = factories.image(owner, dfw, name="owned-public", visibility="public")
    page = text_of(as_owner.get(f"/images/{public.pk}/"))
    assert 'name="visibility"' not in page
    assert edit(as_owner, public, name="renamed-public").status_code == 302
    assert Image.objects.get(pk=public.pk).visibility == "public"


def test_delete_asks_first_and_says_what_happens(as_owner, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    page = text_of(as_owner.get(f"/images/{shared_image.pk}/delete/"))
    assert "1 member lose access" in page and "keep running" in page
    assert Image.objects.get(pk=shared_image.pk).status == "active"


def test_the_owner_deletes_members_go_servers_stay(as_owner, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer, "accepted")
    server = Server.objects.boot(consumer, shared_image, "box")
    response = as_owner.post(f"/images/{shared_image.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/images/"
    assert "Deleted image" in messages_of(response)[0]
    assert Image.objects.get(pk=shared_image.pk).status == "deleted"
    assert not ImageMember.objects.filter(image=shared_image).exists()
    assert Server.objects.filter(pk=server.pk).exists()


def test_a_protected_image_is_not_deleted(as_owner, owner, image):
    image.update(owner, protected=True)
    response = as_owner.post(f"/images/{image.pk}/delete/")
    assert messages_of(response) == ["This image is protected and cannot be deleted."]
    assert Image.objects.get(pk=image.pk).status == "active"
    assert "This image is protected" in text_of(as_owner.get(f"/images/{image.pk}/"))


def test_a_member_cannot_delete(as_consumer, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer, "accepted")
    assert messages_of(as_consumer.get(f"/images/{shared_image.pk}/delete/")) == [
        "Only the owner of this image can do that."
    ]
    response = as_consumer.post(f"/images/{shared_image.pk}/delete/")
    assert messages_of(response)[-1] == "Only the owner of this image can do that."
    assert Image.objects.get(pk=shared_image.pk).status == "active"


def test_a_stranger_cannot_delete(as_stranger, image):
    assert as_stranger.post(f"/images/{image.pk}/delete/").status_code == 404
    assert as_stranger.get(f"/images/{image.pk}/delete/").status_code == 404
    assert Image.objects.get(pk=image.pk).status == "active"


def test_delete_accepts_only_get_and_post(as_owner, image):
    assert as_owner.put(f"/images/{image.pk}/delete/").status_code == 405
