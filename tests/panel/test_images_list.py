"""Images (R5): own, accepted shares and public images of the current region, filtered, sorted, paged."""

import pytest

from imagesharing.images.models import Image
from tests import factories
from tests.panel.conftest import HTMX, messages_of, party, text_of


@pytest.fixture
def cast(owner, consumer, other_consumer, dfw):
    """The consumer's view of DFW: an own image, one share in each status, a public image, a stranger's."""
    mine = factories.image(consumer, dfw, name="mine")
    accepted = factories.image(owner, dfw, name="accepted-share", visibility="shared")
    factories.member(owner, accepted, consumer, "accepted")
    pending = factories.image(owner, dfw, name="pending-share", visibility="shared")
    factories.member(owner, pending, consumer, "pending")
    rejected = factories.image(owner, dfw, name="rejected-share", visibility="shared")
    factories.member(owner, rejected, consumer, "rejected")
    public = factories.image(factories.user(), dfw, name="base-os", visibility="public")
    factories.image(other_consumer, dfw, name="someone-elses")
    return {"mine": mine, "accepted": accepted, "public": public}


def names_in(response) -> list[str]:
    return [image.name for image in response.context["images"]]


def test_it_lists_own_accepted_and_public_images(as_consumer, cast):
    response = as_consumer.get("/images/")
    assert sorted(names_in(response)) == ["accepted-share", "base-os", "mine"]


def test_it_shows_the_source_of_each_row(as_consumer, cast, owner):
    page = text_of(as_consumer.get("/images/"))
    assert f"Shared by {party(owner.account)}" in page
    assert ">Own<" in page and ">Public<" in page


@pytest.mark.parametrize(
    "source, expected", [("own", ["mine"]), ("shared", ["accepted-share"]), ("public", ["base-os"])]
)
def test_it_filters_by_source(as_consumer, cast, source, expected):
    assert names_in(as_consumer.get("/images/", {"source": source})) == expected


def test_an_unknown_source_shows_everything(as_consumer, cast):
    assert len(names_in(as_consumer.get("/images/", {"source": "everything"}))) == 3


def test_it_searches_by_name(as_consumer, cast):
    assert names_in(as_consumer.get("/images/", {"q": "ACCEPT"})) == ["accepted-share"]


def test_it_sorts_by_name_both_ways(as_consumer, cast):
    assert names_in(as_consumer.get("/images/", {"sort": "name"})) == ["accepted-share", "base-os", "mine"]
    assert names_in(as_consumer.get("/images/", {"sort": "-name"})) == ["mine", "base-os", "accepted-share"]


def test_it_sorts_newest_first_by_default(as_consumer, cast):
    assert names_in(as_consumer.get("/images/")) == ["base-os", "accepted-share", "mine"]
    assert names_in(as_consumer.get("/images/", {"sort": "oldest"})) == ["mine", "accepted-share", "base-os"]


def test_it_shows_member_answers_for_own_images_only(as_owner, cast):
    response = as_owner.get("/images/", {"source": "own"})
    answers = {image.name: (image.pending, image.accepted, image.rejected) for image in response.context["images"]}
    assert answers == {"accepted-share": (0, 1, 0), "pending-share": (1, 0, 0), "rejected-share": (0, 0, 1)}
    page = text_of(response)
    assert ">1 pending</a>" in page and ">1 accepted</a>" in page and ">1 rejected</a>" in page
    public = as_owner.get("/images/", {"source": "public"}).context["images"][0]
    assert (public.pending, public.accepted, public.rejected) == (None, None, None)


def test_it_hides_other_regions(as_abroad, abroad, lon, cast):
    factories.image(abroad, lon, name="uk-image")
    assert names_in(as_abroad.get("/images/")) == ["uk-image"]


def test_it_pages_by_marker(as_owner, owner, dfw):
    for number in range(30):
        factories.image(owner, dfw, name=f"image-{number:02}")
    first = as_owner.get("/images/", {"sort": "name"})
    assert names_in(first) == [f"image-{n:02}" for n in range(25)]
    marker = first.context["images"][-1].pk
    assert first.context["next_query"] == f"sort=name&marker={marker}"
    second = as_owner.get("/images/", {"sort": "name", "marker": marker})
    assert names_in(second) == [f"image-{n:02}" for n in range(25, 30)]
    assert second.context["next_query"] == ""


def test_a_page_swap_returns_only_the_results_fragment(as_owner, owner, dfw):
    for number in range(26):
        factories.image(owner, dfw, name=f"image-{number:02}")
    first = as_owner.get("/images/", {"sort": "name"})
    response = as_owner.get("/images/", {"sort": "name", "marker": first.context["images"][-1].pk}, headers=HTMX)
    page = text_of(response)
    assert page.lstrip().startswith('<section id="results"')
    assert "<html" not in page and "image-25" in page
    assert 'id="pending-badge"' in page and 'hx-swap-oob="true"' in page
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("marker", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_a_bad_marker_shows_the_first_page_with_a_message(as_owner, image, marker):
    response = as_owner.get("/images/", {"marker": marker})
    assert response.status_code == 200
    assert names_in(response) == ["web-base"]
    assert "showing the first page" in messages_of(response)[0]


def test_a_marker_from_another_tenant_is_not_a_way_in(as_stranger, stranger, image, dfw):
    factories.image(stranger, dfw, name="stranger-image")
    response = as_stranger.get("/images/", {"marker": image.pk})
    assert names_in(response) == ["stranger-image"]


def test_deleted_images_are_not_listed(as_owner, owner, image):
    image.destroy(owner)
    assert names_in(as_owner.get("/images/")) == []


def test_an_empty_list_explains_what_to_do(as_stranger):
    page = text_of(as_stranger.get("/images/"))
    assert "No images in DFW yet" in page


def test_an_empty_search_offers_to_clear_it(as_owner, image):
    assert "Clear the filters" in text_of(as_owner.get("/images/", {"q": "zzz"}))


def test_nothing_is_changed_by_listing(as_owner, image):
    before = Image.objects.count()
    as_owner.get("/images/", {"q": "x" * 300, "sort": "drop table"})
    assert Image.objects.count() == before
