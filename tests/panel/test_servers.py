"""Servers: boot (also by ID, R6), snapshot (R13), delete; revoked or deleted images leave them alone (R12, R15)."""

import uuid

import pytest

from imagesharing.images.models import Image
from imagesharing.servers.models import Server
from tests import factories
from tests.panel.conftest import messages_of, text_of


def boot(client, image_id, name="box", **extra):
    return client.post("/servers/boot/", {"image_id": str(image_id), "name": name, **extra})


def test_the_list_shows_the_tenants_servers_in_the_region(as_owner, owner, stranger, image, lon, dfw):
    Server.objects.boot(owner, image, "mine")
    Server.objects.boot(stranger, factories.image(stranger, dfw), "theirs")
    page = text_of(as_owner.get("/servers/"))
    assert "mine" in page and "theirs" not in page


def test_the_boot_form_offers_the_image_list(as_consumer, owner, consumer, shared_image, dfw):
    pending = factories.image(owner, dfw, name="pending-offer", visibility="shared")
    factories.member(owner, pending, consumer)
    factories.member(owner, shared_image, consumer, "accepted")
    page = text_of(as_consumer.get("/servers/"))
    mine, unanswered = page.split('<optgroup label="Shared with you, not accepted">')
    assert f'<option value="{shared_image.pk}">shared-base (shared by {owner.account.tenant_id})</option>' in mine
    assert "pending-offer" not in mine  # R5: not in the image list...
    assert f">pending-offer (shared by {owner.account.tenant_id}, pending)</option>" in unanswered  # ...but R6 boots it


@pytest.mark.parametrize("status", ["pending", "accepted", "rejected"])
def test_a_member_of_any_status_boots_by_id(as_consumer, owner, consumer, shared_image, status):
    factories.member(owner, shared_image, consumer, status)
    response = boot(as_consumer, shared_image.pk, "from-id")
    assert response.status_code == 302 and response["Location"] == "/servers/"
    assert messages_of(response) == ["Server “from-id” is running in DFW, booted from “shared-base”."]
    assert Server.objects.get(name="from-id").owner == consumer.account


def test_the_owner_and_anyone_with_a_public_image_boot_by_id(as_owner, as_stranger, image, dfw):
    public = factories.image(factories.user(), dfw, name="base", visibility="public")
    assert boot(as_owner, image.pk).status_code == 302
    assert boot(as_stranger, public.pk).status_code == 302
    assert Server.objects.count() == 2


@pytest.mark.parametrize("who", ["as_stranger", "as_abroad"])
def test_a_stranger_gets_the_same_not_found_as_for_a_missing_id(request, who, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    client = request.getfixturevalue(who)
    theirs = boot(client, shared_image.pk)
    missing = boot(client, uuid.uuid4())
    assert theirs.status_code == missing.status_code == 200
    assert (
        theirs.context["find"].errors
        == missing.context["find"].errors
        == {"image": ["No image with that ID is available to you."]}
    )
    assert theirs.context["image"] is missing.context["image"] is None
    assert not Server.objects.exists()


def test_a_revoked_member_can_no_longer_boot_by_id(as_consumer, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer, "rejected").remove(owner)
    assert boot(as_consumer, shared_image.pk).context["find"].errors["image"]
    assert not Server.objects.exists()


@pytest.mark.parametrize("image_id", ["not-a-uuid", "", "'; DROP TABLE images; --"])
def test_a_malformed_id_is_a_form_error(as_owner, image_id):
    response = boot(as_owner, image_id)
    assert response.status_code == 200 and response.context["form"].errors["image_id"]
    assert not Server.objects.exists()


def test_a_queued_image_does_not_boot(as_owner, owner, dfw):
    queued = factories.image(owner, dfw, active=False)
    response = boot(as_owner, queued.pk)
    assert "only active images can be used" in response.context["form"].non_field_errors()[0]
    assert not Server.objects.exists()


def test_a_server_needs_a_name(as_owner, image):
    assert boot(as_owner, image.pk, name="").context["form"].errors["name"]
    assert not Server.objects.exists()


def test_booting_in_another_region_switches_the_panel_there(as_owner, owner, lon):
    owner.account.regions.add(lon)
    london = factories.image(owner, lon, name="uk")
    boot(as_owner, london.pk, "uk-box")
    page = text_of(as_owner.get("/servers/"))
    assert "Servers in LON" in page and "uk-box" in page


def test_the_use_by_id_page_explains_and_prefills(as_consumer, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer, "rejected")
    response = as_consumer.get("/servers/boot/", {"image": shared_image.pk})
    page = text_of(response)
    assert "Use an image by ID" in page and f'value="{shared_image.pk}"' in page
    assert response.context["image"] == shared_image
    assert f"tenant <code>{owner.account.tenant_id}</code>" in page  # who offers it
    assert '<span class="status status-rejected">rejected</span>' in page  # and the answer given
    assert 'value="shared-base-1"' in page  # a server name to start from


@pytest.mark.parametrize(
    "pasted",
    [
        "{id}",
        " {upper} ",
        "{spaced}",
        "http://testserver/images/{id}/",
        "https://cloud.example/api/dfw/v2/images/{id}/file",
    ],
)
def test_an_id_is_found_however_it_was_pasted(as_consumer, owner, consumer, shared_image, pasted):
    factories.member(owner, shared_image, consumer)
    text = pasted.format(
        id=shared_image.pk, upper=str(shared_image.pk).upper(), spaced=str(shared_image.pk).replace("-", " ")
    )
    assert as_consumer.get("/servers/boot/", {"image": text}).context["image"] == shared_image


@pytest.mark.parametrize("pasted", ["golden-web", "1234", "00000000-0000-0000-0000"])
def test_not_an_image_id_is_told_apart_from_not_available(as_consumer, pasted):
    response = as_consumer.get("/servers/boot/", {"image": pasted})
    [error] = response.context["find"].errors["image"]
    assert error.startswith("This is not an image ID.")
    assert response.context["image"] is None


def test_snapshot_of_a_server_from_a_shared_image_belongs_to_the_consumer(as_consumer, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer, "accepted")
    server = Server.objects.boot(consumer, shared_image, "box")
    response = as_consumer.post(f"/servers/{server.pk}/snapshot/", {"name": "my-snap"})
    snapshot = Image.objects.get(name="my-snap")
    assert response.status_code == 302 and response["Location"] == f"/images/{snapshot.pk}/"
    assert (snapshot.owner, snapshot.visibility, snapshot.base_image_id) == (
        consumer.account,
        "private",
        shared_image.pk,
    )


def test_a_revoked_image_leaves_the_server_and_snapshots_working(as_consumer, owner, consumer, shared_image):
    member = factories.member(owner, shared_image, consumer, "accepted")
    server = Server.objects.boot(consumer, shared_image, "box")
    member.remove(owner)
    page = text_of(as_consumer.get("/servers/"))
    assert "box" in page and "no longer available to you" in page
    assert f'href="/images/{shared_image.pk}/"' not in page
    assert as_consumer.post(f"/servers/{server.pk}/snapshot/", {"name": "after"}).status_code == 302
    assert Image.objects.filter(name="after", owner=consumer.account).exists()


def test_a_deleted_image_is_named_as_deleted(as_owner, owner, image):
    Server.objects.boot(owner, image, "box")
    image.destroy(owner)
    assert "(deleted)" in text_of(as_owner.get("/servers/"))


def test_snapshot_name_is_required(as_owner, owner, image):
    server = Server.objects.boot(owner, image, "box")
    response = as_owner.post(f"/servers/{server.pk}/snapshot/", {"name": ""})
    assert messages_of(response) == ["Give the snapshot a name of at most 255 characters."]
    assert Image.objects.count() == 1


@pytest.mark.parametrize("who", ["as_stranger", "as_consumer"])
def test_someone_elses_server_is_not_found(request, who, owner, image):
    server = Server.objects.boot(owner, image, "box")
    client = request.getfixturevalue(who)
    assert client.post(f"/servers/{server.pk}/snapshot/", {"name": "x"}).status_code == 404
    assert client.get(f"/servers/{server.pk}/delete/").status_code == 404
    assert client.post(f"/servers/{server.pk}/delete/").status_code == 404
    assert Server.objects.filter(pk=server.pk).exists() and Image.objects.count() == 1


def test_delete_asks_then_deletes_leaving_the_image(as_owner, owner, image):
    server = Server.objects.boot(owner, image, "box")
    assert "Delete server “box”?" in text_of(as_owner.get(f"/servers/{server.pk}/delete/"))
    assert Server.objects.filter(pk=server.pk).exists()
    response = as_owner.post(f"/servers/{server.pk}/delete/")
    assert response["Location"] == "/servers/"
    assert not Server.objects.filter(pk=server.pk).exists()
    assert Image.objects.get(pk=image.pk).status == "active"


def test_methods(as_owner, owner, image):
    server = Server.objects.boot(owner, image, "box")
    assert as_owner.get(f"/servers/{server.pk}/snapshot/").status_code == 405
    assert as_owner.put(f"/servers/{server.pk}/delete/").status_code == 405
    assert as_owner.put("/servers/boot/").status_code == 405
    assert as_owner.post("/servers/").status_code == 405


def test_it_pages_by_marker(as_owner, owner, image):
    for number in range(55):
        Server.objects.boot(owner, image, f"s{number:02}")
    first = as_owner.get("/servers/")
    marker = first.context["servers"][-1].pk
    second = as_owner.get("/servers/", {"marker": marker})
    names = [s.name for s in first.context["servers"]] + [s.name for s in second.context["servers"]]
    assert len(names) == len(set(names)) == 55


@pytest.mark.parametrize("marker", ["nope", factories.NO_SUCH_ID])
def test_a_bad_marker_shows_the_first_page(as_owner, owner, image, marker):
    Server.objects.boot(owner, image, "box")
    response = as_owner.get("/servers/", {"marker": marker})
    assert [s.name for s in response.context["servers"]] == ["box"]
    assert "showing the first page" in messages_of(response)[0]


def test_servers_in_other_regions_are_pointed_to(as_owner, owner, image, lon):
    owner.account.regions.add(lon)
    london = factories.image(owner, lon, name="uk")
    Server.objects.boot(owner, london, "uk-1")
    Server.objects.boot(owner, london, "uk-2")
    page = text_of(as_owner.get("/servers/"))
    assert "You also have servers in\n  <strong>LON</strong> (2)" in page and "uk-1" not in page
