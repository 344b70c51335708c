"""Usage (R14): the owner pays for its images' storage, nobody pays for images shared with it."""

from imagesharing.servers.models import Server
from tests import factories
from tests.panel.conftest import text_of


def test_the_owner_is_charged_for_its_images(as_owner, owner, dfw, lon):
    factories.image(owner, dfw, name="a", size=2048)
    factories.image(owner, dfw, name="b", size=1024)
    owner.account.regions.add(lon)
    factories.image(owner, lon, name="elsewhere", size=10**9)
    response = as_owner.get("/usage/")
    assert response.context["storage"] == 3072 and response.context["own_count"] == 2
    assert "3.0\xa0KB" in text_of(response)


def test_a_consumer_pays_nothing_for_a_shared_image(as_consumer, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer, "accepted")
    response = as_consumer.get("/usage/")
    assert response.context["storage"] == 0
    assert response.context["shared_count"] == 1
    assert "shared-base" in text_of(response) and "0 bytes" in text_of(response)


def test_a_consumer_pays_for_servers_and_snapshots_it_makes(as_consumer, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer, "accepted")
    server = Server.objects.boot(consumer, shared_image, "box")
    snapshot = server.snapshot(consumer, "snap")
    response = as_consumer.get("/usage/")
    assert response.context["server_count"] == 1
    assert response.context["storage"] == snapshot.size > 0 and response.context["own_count"] == 1


def test_deleted_images_cost_nothing(as_owner, owner, image):
    image.destroy(owner)
    assert as_owner.get("/usage/").context["storage"] == 0


def test_usage_is_read_only(as_owner):
    assert as_owner.post("/usage/").status_code == 405
