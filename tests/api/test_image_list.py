"""GET /v2/images: R5 in the endpoint's region, Glance's filters, keyset paging, fixed query counts."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from imagesharing.images.models import Image
from imagesharing.memberships.members import ImageMember
from tests import factories
from tests.api.conftest import error_of


def names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {image["name"] for image in response.json()["images"]}


def listed(api, **query) -> set[str]:
    return names(api.get("/v2/images", **query))


def test_default_list_is_own_public_and_accepted_in_the_region(api_as, consumer, world):
    assert listed(api_as(consumer)) == {"own private", "own shared", "own queued", "base", "accepted"}


def test_listed_for_with_its_defaults_is_visible_to(consumer, owner, dfw, world):
    for user in (consumer, owner):
        assert set(Image.objects.listed_for(user.account, dfw)) == set(Image.objects.visible_to(user.account, dfw))


def test_the_same_tenant_sees_the_london_list_at_the_london_endpoint(api_as, consumer, world, lon):
    consumer.account.regions.add(lon)
    assert listed(api_as(consumer, root="/api/lon")) == {"base lon", "accepted lon"}


@pytest.mark.parametrize(
    "query,expected",
    [
        ({"visibility": "shared", "member_status": "pending"}, {"own shared", "pending"}),
        ({"visibility": "shared", "member_status": "rejected"}, {"own shared", "rejected"}),
        ({"visibility": "shared", "member_status": "all"}, {"own shared", "accepted", "pending", "rejected"}),
        ({"visibility": "shared"}, {"own shared", "accepted"}),
        ({"visibility": "public"}, {"base"}),
        ({"visibility": "private"}, {"own private", "own queued"}),
        ({"visibility": "all"}, {"own private", "own shared", "own queued", "base", "accepted"}),
        ({"member_status": "pending"}, {"own private", "own shared", "own queued", "base", "pending"}),
        ({"name": "base"}, {"base"}),
        ({"name": "not mine"}, set()),
        ({"status": "queued"}, {"own queued"}),
        ({"status": "deleted"}, set()),
        ({"os_hidden": "false"}, {"own private", "own shared", "own queued", "base", "accepted"}),
        ({"os_hidden": "true"}, set()),
    ],
)
def test_filters_as_glance(api_as, consumer, world, query, expected):
    assert listed(api_as(consumer), **query) == expected


def test_owner_filter_takes_a_tenant_id(api_as, consumer, owner, world):
    api = api_as(consumer)
    tenant = str(owner.account.tenant_id)
    assert listed(api, owner=tenant) == {"accepted"}
    assert listed(api, owner=tenant, member_status="all", visibility="shared") == {"accepted", "pending", "rejected"}
    assert listed(api, owner="not-a-tenant") == set()
    assert listed(api, owner="9" * 30) == set()
    assert listed(api, owner="9" * 5000) == set()  # past Python's 4300-digit int() limit: no 500


def test_the_owner_sees_its_shared_images_whatever_their_members_say(api_as, owner, world):
    assert listed(api_as(owner), visibility="shared", member_status="pending") == {"accepted", "pending", "rejected"}


@pytest.mark.parametrize(
    "query,message",
    [
        ({"visibility": "community"}, "Visibility must be one of all, private, shared, public."),
        ({"visibility": ""}, "Visibility must be one of all, private, shared, public."),
        ({"member_status": "maybe"}, "Member status must be one of all, pending, accepted, rejected."),
        ({"limit": "ten"}, "limit must be an integer."),
        ({"limit": ""}, "limit must be an integer."),
        ({"limit": "-1"}, "limit must not be negative."),
        ({"limit": "-" + "9" * 5000}, "limit must not be negative."),
        ({"limit": "1e3"}, "limit must be an integer."),
        ({"limit": "٣"}, "limit must be an integer."),
        ({"sort_key": "size"}, "Sort by one of created_at, name, asc or desc."),
        ({"sort_dir": "up"}, "Sort by one of created_at, name, asc or desc."),
        ({"sort": "name:up"}, "Sort by one of created_at, name, asc or desc."),
        ({"sort": "name", "sort_key": "name"}, "Use either sort or sort_key and sort_dir, not both."),
        ({"os_hidden": "maybe"}, "os_hidden must be true or false."),
        (
            {"tag": "x"},
            "Unsupported query parameter 'tag'; use one of visibility, member_status, owner, name, "
            "status, limit, marker, sort_key, sort_dir, sort, os_hidden.",
        ),
        ({"name": ["a", "b"]}, "Give name at most once."),
    ],
)
def test_bad_parameters_are_400(api_as, consumer, world, query, message):
    assert error_of(api_as(consumer).get("/v2/images", **query)) == (400, message)


@pytest.mark.parametrize("marker_of", ["strangers", "deleted", None])
def test_a_marker_the_caller_cannot_see_is_400(api_as, consumer, world, marker_of):
    marker = world[marker_of].pk if marker_of else "not-an-id"
    status, message = error_of(api_as(consumer).get("/v2/images", marker=str(marker)))
    assert (status, message) == (400, f"Marker {marker} is not an image in this list.")


def follow(api, path: str, seen: list) -> int:
    """Walk `next` links from `path` like glanceclient does; return the number of requests."""
    pages = 0
    while path:
        response = api.client.get(api.root + path, headers={"X-Auth-Token": api.token})
        assert response.status_code == 200
        body = response.json()
        seen.extend(image["id"] for image in body["images"])
        path = body.get("next")
        pages += 1
    return pages


@pytest.fixture
def many(owner, dfw):
    """53 images, some sharing a creation time, so that paging must break ties by ID."""
    images = [factories.image(owner, dfw, name=f"img-{n:02d}") for n in range(50)]
    moment = images[0].created_at
    Image.objects.filter(pk__in=[image.pk for image in images[:3]]).update(created_at=moment)
    Image.objects.bulk_create(
        Image(owner=owner.account, region=dfw, name=f"tie-{n}", created_at=moment) for n in range(3)
    )
    return set(map(str, Image.objects.values_list("pk", flat=True)))


@pytest.mark.parametrize(
    "query",
    [
        "/v2/images?limit=7",
        "/v2/images?limit=10&sort_key=name&sort_dir=asc",
        "/v2/images?limit=4&sort=name:desc",
        "/v2/images?limit=9&sort_key=created_at&sort_dir=asc",
    ],
)
def test_paging_by_next_returns_each_image_once(api_as, owner, many, query):
    seen = []
    pages = follow(api_as(owner), query, seen)
    assert len(seen) == len(many) == 53 and set(seen) == many
    limit = int(parse_qs(urlsplit(query).query)["limit"][0])
    assert pages == -(-53 // limit)  # no empty last page: `next` only when more follow


def test_sorted_by_name(api_as, owner, many):
    body = api_as(owner).get("/v2/images", sort_key="name", sort_dir="asc", limit=3).json()
    assert [image["name"] for image in body["images"]] == ["img-00", "img-01", "img-02"]


def test_links_keep_the_filters_and_replace_the_marker(api_as, consumer, world):
    api = api_as(consumer)
    first = api.get("/v2/images", limit=2, visibility="all").json()
    assert first["first"] == "/v2/images?limit=2&visibility=all"
    assert first["schema"] == "/v2/schemas/images"
    next_query = parse_qs(urlsplit(first["next"]).query)
    assert next_query == {"limit": ["2"], "visibility": ["all"], "marker": [first["images"][-1]["id"]]}
    second = api.client.get(api.root + first["next"], headers={"X-Auth-Token": api.token}).json()
    assert second["first"] == first["first"]
    assert parse_qs(urlsplit(second["next"]).query)["marker"] == [second["images"][-1]["id"]]


def test_no_next_on_the_last_page_even_when_it_is_full(api_as, consumer, world):
    body = api_as(consumer).get("/v2/images", limit=5).json()
    assert len(body["images"]) == 5
    assert "next" not in body
    assert body["first"] == "/v2/images?limit=5"


def test_default_limit_is_25_and_limit_0_lists_nothing(api_as, owner, many):
    api = api_as(owner)
    assert len(api.get("/v2/images").json()["images"]) == 25
    body = api.get("/v2/images", limit=0).json()
    assert body["images"] == [] and "next" not in body


@pytest.mark.parametrize("limit,expected", [("0003", 3), ("-0", 0), ("9" * 5000, 53), ("1" + "0" * 30, 53)])
def test_odd_but_valid_limits(api_as, owner, many, limit, expected):
    assert len(api_as(owner).get("/v2/images", limit=limit).json()["images"]) == expected


def test_limit_is_capped_at_1000(api_as, owner, dfw):
    Image.objects.bulk_create(Image(owner=owner.account, region=dfw, name=f"b{n}") for n in range(1001))
    body = api_as(owner).get("/v2/images", limit=5000).json()
    assert len(body["images"]) == 1000
    assert "limit=5000" in body["next"]


def test_first_link_without_parameters(api_as, consumer, world):
    assert api_as(consumer).get("/v2/images").json()["first"] == "/v2/images"


def queries_for_list(api, **query) -> int:
    api.get("/v2/images", **query)  # the token's first use records itself once; measure the next call
    with CaptureQueriesContext(connection) as captured:
        response = api.get("/v2/images", **query)
    assert response.status_code == 200
    return len(captured)


def add_shared_images(owner, consumer, dfw, count: int) -> None:
    images = Image.objects.bulk_create(
        Image(owner=owner.account, region=dfw, name=f"s{n}", visibility="shared") for n in range(count)
    )
    ImageMember.objects.bulk_create(
        ImageMember(image=image, member=consumer.account, status="accepted") for image in images
    )


@pytest.mark.parametrize(
    "query",
    [{}, {"visibility": "shared", "member_status": "all", "limit": 1000}, {"marker": "MARKER", "sort_key": "name"}],
)
def test_list_query_count_does_not_grow_with_rows(api_as, owner, consumer, dfw, query):
    api = api_as(consumer)
    add_shared_images(owner, consumer, dfw, 3)
    marker = str(Image.objects.order_by("name").first().pk)
    query = {key: marker if value == "MARKER" else value for key, value in query.items()}
    few = queries_for_list(api, **query)
    add_shared_images(owner, consumer, dfw, 300)
    assert queries_for_list(api, **query) == few
    # the token with its region (R8), (the marker,) the page
    assert few == (3 if "marker" in query else 2)
