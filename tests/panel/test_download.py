"""Export (R6, seed 004): the owner and members of any status download the data; a warning travels with it."""

import pytest

from imagesharing.servers.models import Server
from tests import factories
from tests.panel.conftest import messages_of, text_of

DATA = bytes(range(256)) * 40


@pytest.fixture
def stored(owner, dfw):
    image = factories.image(owner, dfw, name="with data", active=False)
    image.receive_data(owner, [DATA])
    image.update(owner, visibility="shared")
    return image


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_owner_downloads_the_data(as_owner, stored):
    response = as_owner.get(f"/images/{stored.pk}/download/")
    assert response.status_code == 200 and body(response) == DATA
    assert response["Content-Disposition"].startswith('attachment; filename="with_data')
    assert "Download image data" in text_of(as_owner.get(f"/images/{stored.pk}/"))


@pytest.mark.parametrize("status", ["pending", "accepted", "rejected"])
def test_a_member_of_any_status_downloads_and_is_warned(as_consumer, owner, consumer, stored, status):
    factories.member(owner, stored, consumer, status)
    assert body(as_consumer.get(f"/images/{stored.pk}/download/")) == DATA
    page = text_of(as_consumer.get(f"/images/{stored.pk}/"))
    assert "Before you export this image:" in page and "shared it with your tenant alone" in page


@pytest.mark.parametrize("who", ["as_stranger", "as_abroad"])
def test_outsiders_get_not_found(request, who, owner, consumer, stored):
    factories.member(owner, stored, consumer)
    assert request.getfixturevalue(who).get(f"/images/{stored.pk}/download/").status_code == 404


def test_an_image_without_data_says_so(as_owner, image):
    response = as_owner.get(f"/images/{image.pk}/download/")
    assert response.status_code == 302
    assert messages_of(response) == ["This image has no data to download."]
    assert "Download image data" not in text_of(as_owner.get(f"/images/{image.pk}/"))


def test_a_snapshot_of_a_shared_image_warns_before_export(as_consumer, owner, consumer, stored):
    factories.member(owner, stored, consumer, "accepted")
    snapshot = Server.objects.boot(consumer, stored, "box").snapshot(consumer, "derived")
    page = text_of(as_consumer.get(f"/images/{snapshot.pk}/"))
    assert "made from an image another tenant shared with you" in page
    assert str(stored.pk) in page


def test_downloading_is_a_get(as_owner, stored):
    assert as_owner.post(f"/images/{stored.pk}/download/").status_code == 405


def test_a_range_past_the_end_is_refused_with_a_message_not_a_500(as_owner, stored):
    """Issue 9: a Range of 4,301 digits was a 500."""
    response = as_owner.get(f"/images/{stored.pk}/download/", headers={"Range": f"bytes={'9' * 4301}-"})
    assert response.status_code == 302 and response["Location"] == f"/images/{stored.pk}/"
    assert messages_of(response) == ["The requested range starts past the end of the image data."]
