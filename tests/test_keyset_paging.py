"""Keyset paging of image lists: `sorted_by` then `after(marker)` visits every row exactly once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from imagesharing.errors import InvalidValue
from imagesharing.images.models import Image
from tests import factories


@pytest.fixture
def images(owner, dfw):
    """23 images; created_at and name both have ties, so the ID must break them."""
    start = timezone.now()
    made = []
    for n in range(23):
        image = factories.image(owner, dfw, name=f"image-{n % 4}")
        Image.objects.filter(pk=image.pk).update(created_at=start - timedelta(seconds=n // 3))
        made.append(image)
    return Image.objects.filter(pk__in=[image.pk for image in made])


def pages(queryset, key, direction, size):
    ordered = queryset.sorted_by(key, direction)
    page = list(ordered[:size])
    while page:
        yield page
        page = list(ordered.after(page[-1], key, direction)[:size])


def expected_order(queryset, key, direction):
    rows = sorted(queryset, key=lambda image: (getattr(image, key), str(image.pk)))
    return rows[::-1] if direction == "desc" else rows


@pytest.mark.parametrize("key", ["created_at", "name"])
@pytest.mark.parametrize("direction", ["asc", "desc"])
@pytest.mark.parametrize("size", [1, 5, 23, 50])
def test_pages_visit_every_image_exactly_once_in_order(images, key, direction, size):
    seen = [image for page in pages(images, key, direction, size) for image in page]
    assert [image.pk for image in seen] == [image.pk for image in expected_order(images, key, direction)]
    assert len(seen) == len({image.pk for image in seen}) == 23


def test_default_order_is_newest_first(images):
    listed = list(images.sorted_by())
    assert listed == expected_order(images, "created_at", "desc")


def test_paging_composes_with_the_r5_list(owner, consumer, dfw, images):
    factories.image(consumer, dfw, name="not in the owner's list")
    listing = Image.objects.visible_to(owner.account, dfw)
    seen = [image.pk for page in pages(listing, "created_at", "desc", 4) for image in page]
    assert sorted(seen, key=str) == sorted(images.values_list("pk", flat=True), key=str)


def test_after_the_last_image_is_empty(images):
    last = images.sorted_by("name", "asc").last()
    assert not images.sorted_by("name", "asc").after(last, "name", "asc").exists()


@pytest.mark.parametrize("key, direction", [("size", "asc"), ("created_at", "up"), ("id", "desc"), ("", "")])
def test_unknown_sort_is_refused(images, key, direction):
    with pytest.raises(InvalidValue, match="Sort by one of created_at, name"):
        images.sorted_by(key, direction)
    with pytest.raises(InvalidValue):
        images.after(images.first(), key, direction)


@pytest.fixture
def mixed_list(owner, consumer, other_consumer, stranger, dfw):
    """The consumer's list mixes all three parts of R5 with ties: own, public, accepted shares;
    pending, rejected and strangers' images stay out."""
    start = timezone.now()
    made = []
    for n in range(12):
        made.append(factories.image(consumer, dfw, name=f"own-{n % 3}"))
        made.append(factories.image(stranger, dfw, name=f"public-{n % 3}", visibility="public"))
        shared = factories.image(owner, dfw, name=f"shared-{n % 3}", visibility="shared")
        factories.member(owner, shared, consumer, ["accepted", "pending", "rejected"][n % 3])
        made.append(shared)
        made.append(factories.image(stranger, dfw, name=f"stranger-{n}"))
    for n, image in enumerate(made):
        Image.objects.filter(pk=image.pk).update(created_at=start - timedelta(seconds=n // 5))
    return consumer.account


@pytest.mark.parametrize("key", ["created_at", "name"])
@pytest.mark.parametrize("direction", ["asc", "desc"])
@pytest.mark.parametrize("size", [1, 4, 7, 40])
def test_first_for_reads_the_same_rows_as_the_plain_query(mixed_list, dfw, key, direction, size):
    """`first_for` splits the R5 list into own, public and shared parts (on PostgreSQL); the page
    and every page after it are exactly what one plain query gives."""
    listing = Image.objects.visible_to(mixed_list, dfw).sorted_by(key, direction)
    seen, page = [], list(listing.first_for(mixed_list, size))
    while page:
        assert page == list(listing.after(seen[-1], key, direction)[:size] if seen else listing[:size])
        seen += page
        page = list(listing.after(page[-1], key, direction).first_for(mixed_list, size))
    assert len(seen) == len(set(seen)) == listing.count() == 12 + 12 + 4


def test_first_for_keeps_the_filters_of_the_list(mixed_list, dfw):
    listing = Image.objects.listed_for(mixed_list, dfw, visibility="shared", member_status="pending")
    listing = listing.filter(name__startswith="shared").sorted_by("name", "asc")

    assert list(listing.first_for(mixed_list, 3)) == list(listing[:3])
    assert {image.name for image in listing.first_for(mixed_list, 50)} == {"shared-1"}
